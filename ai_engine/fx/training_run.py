"""One training run as the CLI and the worker job do it: train, evaluate, save model + card + thumbnail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..progress import ProgressFn, StopFn, never_stop, no_progress, sub_progress
from .contract import Metrics, TrainResult
from .evaluate import evaluate
from .imageset import ImageSet, load_image_set, split_held_out
from .modelfile import FxModel, save_model
from .models import SpatialGANConfig
from .train import train


def write_png(path: Path, image: np.ndarray) -> None:
    """Write an RGB uint8 or float [0, 1] image as PNG, atomically (a reader never sees half a file)."""
    import cv2

    pixels = image if image.dtype == np.uint8 else np.clip(np.round(image * 255), 0, 255).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    ok, encoded = cv2.imencode(".png", np.ascontiguousarray(pixels[..., ::-1]))
    if ok:
        temporary = path.with_name(path.name + ".partial")
        temporary.write_bytes(encoded.tobytes())
        temporary.replace(path)


def checkpoint_path(model_path: Path) -> Path:
    return model_path.with_suffix(".ckpt")


def train_and_save(
    images: Any,
    out: Path,
    *,
    minutes: float,
    seed: int = 0,
    resume: str | Path | None = None,
    preview_path: Path | None = None,
    preview_every: float = 15.0,
    max_steps: int | None = None,
    batch_size: int | None = None,
    crop: int | None = None,
    hold_out: bool = False,
    threads: int | None = None,
    preset: dict[str, Any] | None = None,
    config: SpatialGANConfig | None = None,
    device: str = "auto",
    evaluate_patches: int = 32768,
    progress: ProgressFn = no_progress,
    should_stop: StopFn = never_stop,
) -> TrainResult | None:
    """Train on ``images`` and save ``out`` (+ ``.json`` card, ``.png`` thumbnail, ``.ckpt`` checkpoint).

    ``crop`` None chooses the training crop from the examples' structure; ``hold_out`` trains on the
    left two-thirds of each example and measures the card's SWD on the right third (presets, bench).

    Returns:
        The saved files and the card's figures (None on ranks other than 0 under torchrun).

    Raises:
        BadImageSet, BadModelFile (resume), Cancelled (the checkpoint stays resumable).
    """
    from .train import current_rank

    image_set = (
        images if isinstance(images, ImageSet) else load_image_set(images, min_side=min(crop or 64, 64))
    )
    held_out = None
    if hold_out:
        image_set, held_out = split_held_out(image_set)

    def on_preview(image: np.ndarray, step: int) -> None:
        if preview_path is not None:
            write_png(preview_path, image)

    result = train(
        image_set,
        minutes=minutes,
        max_steps=max_steps,
        batch_size=batch_size,
        crop=crop,
        seed=seed,
        config=config,
        device=device,
        threads=threads,
        progress=sub_progress(progress, 0.0, 0.95),
        should_stop=should_stop,
        preview_every=preview_every,
        on_preview=on_preview,
        checkpoint=checkpoint_path(out),
        resume=resume,
    )
    if current_rank() != 0:
        return None
    progress(0.96, "measuring the model (SWD, seams)")
    model = FxModel(generator=result.generator, card=result.card)
    card = dict(result.card)
    if preset:
        card["preset"] = preset
    card["metrics"] = evaluate(
        model, image_set, held_out=held_out, patches_per_level=evaluate_patches, seed=seed
    )
    save_model(out, result.generator, card)
    from .generate import generate_texture

    thumbnail = out.with_suffix(".png")
    write_png(thumbnail, generate_texture(FxModel(result.generator, card), size=128, seed=seed))
    progress(1.0, "saved")
    metrics = Metrics.from_card(card)
    assert metrics is not None
    return TrainResult(
        model=out,
        card=out.with_suffix(".json"),
        checkpoint=checkpoint_path(out),
        thumbnail=thumbnail,
        steps=int(card["steps"]),
        training_seconds=float(card["training_seconds"]),
        images_per_second=float(card["images_per_second"]),
        metrics=metrics,
        preview=preview_path if preview_path is not None and preview_path.is_file() else None,
    )
