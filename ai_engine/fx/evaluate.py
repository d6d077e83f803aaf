"""Measured figures of a model against its training images, for model cards and the benchmark."""

from __future__ import annotations

import numpy as np

from .generate import generate_texture
from .imageset import ImageSet
from .metrics import random_crops, seam_ratio, swd
from .modelfile import SPATIAL, FxModel

CROP = 64


def sample_crops(model: FxModel, *, count: int = 64, seed: int = 0) -> np.ndarray:
    """``count`` 64² crops of generated images (four 256² textures, or 64² DCGAN samples)."""
    rng = np.random.default_rng(seed + 101)
    if model.architecture == SPATIAL:
        textures = [generate_texture(model, size=256, seed=seed * 100 + i) for i in range(4)]
        return random_crops(textures, count=count, size=CROP, rng=rng)
    return np.stack([generate_texture(model, size=CROP, seed=seed * 100 + i) for i in range(count)])


def evaluate(
    model: FxModel, image_set: ImageSet, *, count: int = 64, patches_per_level: int = 32768, seed: int = 0
) -> dict[str, object]:
    """SWD of generated vs real crops, the real-vs-real floor, and the seam ratio of a 512² texture.

    Arguments:
        count: crops per set (64 in the benchmark).
        patches_per_level: 7×7 neighbourhoods per pyramid level (32,768 in the benchmark).

    Returns:
        ``{"swd": float, "swd_levels": [...], "swd_floor": float, "seam_ratio": float}``.
    """
    rng = np.random.default_rng(seed)
    real_a = random_crops(list(image_set.images), count=count, size=CROP, rng=rng)
    real_b = random_crops(list(image_set.images), count=count, size=CROP, rng=rng)
    fake = sample_crops(model, count=count, seed=seed)
    measured = swd(real_a, fake, patches_per_level=patches_per_level, seed=seed)
    floor = swd(real_a, real_b, patches_per_level=patches_per_level, seed=seed)
    size = 512 if model.architecture == SPATIAL else CROP
    return {
        "swd": measured["mean"],
        "swd_levels": measured["levels"],
        "swd_floor": floor["mean"],
        "seam_ratio": round(seam_ratio(generate_texture(model, size=size, seed=seed)), 3),
    }
