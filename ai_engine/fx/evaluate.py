"""Measured figures of a model against example images, for model cards and the benchmark.

SWD (``metrics.swd``: 7×7 Laplacian-pyramid patches) at two scales: 64² crops, and 128² crops
shrunk by 2 (structures twice as large, e.g. plumes). With held-out images (the part of the example
not trained on, see ``imageset.split_held_out``):

- ``swd``: generated crops against held-out crops; ``swd_floor``: two independent sets of held-out
  crops against each other (real vs real, the strict floor);
- ``swd_shift``: training-part crops against held-out crops — what a generator that reproduced the
  training part exactly would score (one photo is not stationary: its two parts differ);
- ``swd_seen`` / ``swd_seen_floor``: the same against the training part (the protocol of the first
  presets' cards, which had no held-out part).

Without held-out images ``swd``/``swd_floor`` are measured against the training images.
"""

from __future__ import annotations

import numpy as np

from .generate import generate_texture
from .imageset import ImageSet
from .metrics import random_crops, seam_ratio, swd
from .modelfile import SPATIAL, FxModel

CROP = 64
COARSE = 128


def shrink(crops: np.ndarray) -> np.ndarray:
    """(N, 2s, 2s, C) → (N, s, s, C), 2×2 means."""
    n, h, w, c = crops.shape
    return crops.reshape(n, h // 2, 2, w // 2, 2, c).mean(axis=(2, 4)).astype(np.float32)


def sample_crops(model: FxModel, *, count: int = 64, seed: int = 0, size: int = CROP) -> np.ndarray:
    """``count`` size² crops of generated images (four 256² textures, or DCGAN samples resized)."""
    rng = np.random.default_rng(seed + 101)
    if model.architecture == SPATIAL:
        textures = [generate_texture(model, size=256, seed=seed * 100 + i) for i in range(4)]
        return random_crops(textures, count=count, size=size, rng=rng)
    return np.stack([generate_texture(model, size=size, seed=seed * 100 + i) for i in range(count)])


def _swd(a: np.ndarray, b: np.ndarray, *, shrunk: bool, patches: int, seed: int) -> float:
    if shrunk:
        a, b = shrink(a), shrink(b)
    return float(swd(a, b, patches_per_level=patches, seed=seed)["mean"])  # type: ignore[arg-type]


def _scale(
    model: FxModel, train: ImageSet, held: ImageSet | None, *, size: int, count: int, patches: int, seed: int
) -> dict[str, float]:
    """The figures of one crop size (``size`` ≠ 64: shrunk to 64 before measuring)."""
    rng = np.random.default_rng(seed + size)
    shrunk = size != CROP
    seen_a = random_crops(list(train.images), count=count, size=size, rng=rng)
    seen_b = random_crops(list(train.images), count=count, size=size, rng=rng)
    fake = sample_crops(model, count=count, seed=seed, size=size)
    measure = {"shrunk": shrunk, "patches": patches, "seed": seed}
    if held is None:
        return {"swd": _swd(seen_a, fake, **measure), "swd_floor": _swd(seen_a, seen_b, **measure)}  # type: ignore[arg-type]
    held_a = random_crops(list(held.images), count=count, size=size, rng=rng)
    held_b = random_crops(list(held.images), count=count, size=size, rng=rng)
    return {
        "swd": _swd(held_a, fake, **measure),  # type: ignore[arg-type]
        "swd_floor": _swd(held_a, held_b, **measure),  # type: ignore[arg-type]
        "swd_shift": _swd(held_a, seen_a, **measure),  # type: ignore[arg-type]
        "swd_seen": _swd(seen_a, fake, **measure),  # type: ignore[arg-type]
        "swd_seen_floor": _swd(seen_a, seen_b, **measure),  # type: ignore[arg-type]
    }


def evaluate(
    model: FxModel,
    image_set: ImageSet,
    *,
    held_out: ImageSet | None = None,
    count: int = 64,
    patches_per_level: int = 32768,
    seed: int = 0,
) -> dict[str, object]:
    """SWD of generated vs real crops and the real-vs-real floor at two scales, and the seam ratio.

    Arguments:
        image_set: the images trained on.
        held_out: images (or parts of them) not trained on; generated crops are compared with these.
        count: crops per set (64 in the benchmark).
        patches_per_level: 7×7 neighbourhoods per pyramid level (32,768 in the benchmark).

    Returns:
        ``swd``, ``swd_floor`` (+ ``swd_shift``, ``swd_seen``, ``swd_seen_floor`` with held-out
        images), the same with ``_coarse`` (only when every image holds a 128² crop),
        ``seam_ratio`` and ``evaluated_on``.
    """
    options = {"count": count, "patches": patches_per_level, "seed": seed}
    result: dict[str, object] = dict(_scale(model, image_set, held_out, size=CROP, **options))  # type: ignore[arg-type]
    smallest = min(s.min_side for s in (image_set, held_out) if s is not None)
    if smallest >= COARSE:
        coarse = _scale(model, image_set, held_out, size=COARSE, **options)  # type: ignore[arg-type]
        result.update({key.replace("swd", "swd_coarse", 1): value for key, value in coarse.items()})
    size = 512 if model.architecture == SPATIAL else CROP
    result["seam_ratio"] = round(seam_ratio(generate_texture(model, size=size, seed=seed)), 3)
    result["evaluated_on"] = "held-out" if held_out is not None else "training images"
    return {k: round(v, 1) if isinstance(v, float) and k != "seam_ratio" else v for k, v in result.items()}
