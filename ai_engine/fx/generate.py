"""Generation: tileable stills of any size, seamless loops, with a memory check before allocating.

A spatial generator is periodic by construction (circular padding on a noise torus), so a still
tiles when the noise grid covers it exactly; sizes that are not a multiple of the generator's
scale are resampled in the Fourier domain, which keeps the periodicity. A loop walks the closed
path ``a·cos θ + b·sin θ`` through the noise (frame N would be frame 0 again) and may drift by a
whole number of tiles per loop, which also closes exactly.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import EngineError, ResourceLimit
from ..progress import ProgressFn, StopFn, check_stop, never_stop, no_progress
from .contract import SPATIAL
from .noise import NoiseSample, draw_noise, loop_noise
from .onnx_model import OnnxFxModel

if TYPE_CHECKING:
    from .modelfile import FxModel

    Model = FxModel | OnnxFxModel

MIN_SIZE, MAX_SIZE = 64, 8192


def available_memory() -> int:
    """Bytes of memory available now (MemAvailable on Linux; physical pages elsewhere)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 4 << 30


def estimate_bytes(model: Model, size: int) -> int:
    """Peak memory of generating one ``size``² image with ``model`` and its maps (an upper bound)."""
    config = model.card["config"]
    widths = [*config.get("generator_widths", [64]), config.get("out_channels", 3)]
    scale = 2 ** len(widths)
    side = size + 2 * scale  # rounding up to whole cells + circular padding
    peak = 0
    for index, channels in enumerate(widths):
        out_side = side // 2 ** (len(widths) - index - 1)
        in_channels = (
            widths[index - 1]
            if index
            else sum(config.get(k, 0) for k in ("local_dim", "global_dim", "periodic_dim"))
        )
        peak = max(peak, 4 * ((out_side // 2) ** 2 * in_channels + (out_side + 4) ** 2 * channels))
    return int(peak * 1.5 + size * size * 4 * 3 * 8)  # + float32 image, maps and file buffers


def check_size(model: Model, size: int, *, available: int | None = None) -> None:
    """Refuse a size before anything is allocated.

    Raises:
        EngineError: size out of [64, 8192].
        ResourceLimit: the estimate exceeds 70 % of the memory available.
    """
    needed = estimate_bytes(model, size)
    budget = int(0.7 * (available_memory() if available is None else available))
    if needed > budget:
        raise ResourceLimit(
            f"A {size}×{size} texture needs about {needed / 2**30:.1f} GB but only {budget / 2**30:.1f} GB is "
            f"free; choose a smaller size (≤ {MAX_SIZE}) or close other programs."
        )
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise EngineError(
            f"Size {size} is outside {MIN_SIZE}–{MAX_SIZE} px; choose e.g. 512, 1024, 2048 or 4096."
        )


def fourier_resize(image: np.ndarray, size: int) -> np.ndarray:
    """Resample a periodic (H, W, C) image to size² by cropping its spectrum (keeps it tileable)."""
    height, width = image.shape[:2]
    if (height, width) == (size, size):
        return image
    spectrum = np.fft.fftshift(np.fft.fft2(image, axes=(0, 1)), axes=(0, 1))
    top, left = (height - size) // 2, (width - size) // 2
    cropped = spectrum[top : top + size, left : left + size]
    resized = np.real(np.fft.ifft2(np.fft.ifftshift(cropped, axes=(0, 1)), axes=(0, 1)))
    return (resized * (size * size) / (height * width)).astype(np.float32)


def _cells(model: Model, size: int) -> tuple[int, int]:
    scale = 2 ** (len(model.card["config"]["generator_widths"]) + 1)
    return math.ceil(size / scale), scale


def _rng(model: Model, seed: int) -> Any:
    """The seeded generator the model's runtime draws noise with (torch's, or numpy's on ONNX)."""
    if isinstance(model, OnnxFxModel):
        return np.random.default_rng(seed)
    import torch

    return torch.Generator().manual_seed(seed)


def _noise(model: Model, cells: int, rng: Any) -> NoiseSample:
    if isinstance(model, OnnxFxModel):
        return model.draw_noise(cells, rng)
    config = model.card["config"]
    return draw_noise(
        batch=1,
        height=cells,
        width=cells,
        local_dim=config["local_dim"],
        global_dim=config["global_dim"],
        periodic_dim=config["periodic_dim"],
        generator=rng,
    )


def _render(model: Model, noise: NoiseSample, size: int, *, tileable: bool) -> np.ndarray:
    if isinstance(model, OnnxFxModel):
        array = model.render(noise, tileable=tileable)
    else:
        import torch

        with torch.inference_mode():
            image = model.generator.generate(noise, tileable=tileable)[0]  # type: ignore[operator]
        array = ((image.permute(1, 2, 0).float().cpu().numpy() + 1.0) * 0.5).astype(
            np.float32
        )  # (h·s, w·s, 3)
    return np.clip(fourier_resize(array, size), 0.0, 1.0)


def generate_texture(
    model: Model, *, size: int = 1024, seed: int = 0, tileable: bool = True, available: int | None = None
) -> np.ndarray:
    """One texture of ``size``² px.

    Arguments:
        model: a loaded model (``load_model`` or ``presets.load_preset``).
        size: side in px (64–8192; 512–4096 is the useful range).
        seed: the same seed gives the same texture.
        tileable: False draws a larger torus and crops it, so nothing wraps (a DCGAN baseline is
            never tileable).
        available: bytes to plan with (default: the memory available now).

    Returns:
        (size, size, 3) float32 sRGB in [0, 1].

    Raises:
        ResourceLimit: the size would not fit in memory (checked before allocating).
    """
    check_size(model, size, available=available)
    rng = _rng(model, seed)
    if model.architecture != SPATIAL:
        return _dcgan_sample(model, size, rng)  # type: ignore[arg-type]  # only PyTorch loads a DCGAN
    cells, scale = _cells(model, size)
    if tileable:
        return _render(model, _noise(model, cells, rng), size, tileable=True)
    wide = _render(model, _noise(model, cells + 2, rng), (cells + 2) * scale, tileable=False)
    return wide[scale : scale + size, scale : scale + size]


def generate_loop(
    model: Model,
    *,
    size: int = 512,
    frames: int = 48,
    seed: int = 0,
    drift: tuple[int, int] = (0, 0),
    progress: ProgressFn = no_progress,
    should_stop: StopFn = never_stop,
    available: int | None = None,
) -> Iterator[np.ndarray]:
    """Frames of a seamless loop, one at a time (a long flipbook never sits in memory).

    Arguments:
        frames: frames per loop (≥ 2); frame ``frames`` would equal frame 0.
        drift: whole tiles the texture travels per loop along (x, y); (0, -1) rises once.
        progress, should_stop: the engine's callbacks.

    Yields:
        (size, size, 3) float32 sRGB frames in [0, 1].

    Raises:
        ResourceLimit, Cancelled, EngineError (a DCGAN baseline cannot loop).
    """
    if frames < 2:
        raise EngineError(f"A loop needs at least 2 frames (got {frames}); ask for e.g. 24 or 48.")
    if model.architecture != SPATIAL:
        raise EngineError(
            "This model is a DCGAN baseline, which cannot make loops; use a spatial-gan model or a preset."
        )
    check_size(model, size, available=available)
    cells, _ = _cells(model, size)
    rng = _rng(model, seed)
    start, quarter = _noise(model, cells, rng), _noise(model, cells, rng)
    for index in range(frames):
        check_stop(should_stop)
        angle = 2 * math.pi * index / frames
        frame = _render(model, loop_noise(start, quarter, angle), size, tileable=True)
        shift_y, shift_x = round(drift[1] * size * index / frames), round(drift[0] * size * index / frames)
        if shift_x or shift_y:
            frame = np.roll(frame, (shift_y, shift_x), axis=(0, 1))
        progress((index + 1) / frames, f"frame {index + 1} of {frames}")
        yield frame


def _dcgan_sample(model: FxModel, size: int, torch_rng: Any) -> np.ndarray:
    import cv2
    import torch

    nz = int(model.card["config"]["nz"])
    with torch.inference_mode():
        image = model.generator(torch.randn(1, nz, 1, 1, generator=torch_rng))[0]
    array = ((image.permute(1, 2, 0).numpy() + 1.0) * 0.5).astype(np.float32)
    return np.clip(cv2.resize(array, (size, size), interpolation=cv2.INTER_CUBIC), 0.0, 1.0)
