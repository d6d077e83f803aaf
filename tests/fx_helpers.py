"""Shared helpers of the fx tests: a tiny model config and a data folder locator."""

from __future__ import annotations

import numpy as np

from ai_engine.fx.models import SpatialGANConfig

TINY = SpatialGANConfig(
    local_dim=4, global_dim=4, periodic_dim=2, generator_widths=(16, 8), discriminator_widths=(8, 16)
)


def stripes(size: int = 64, seed: int = 0) -> np.ndarray:
    """A small RGB float image with structure (noisy diagonal stripes)."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:size, 0:size]
    value = 0.5 + 0.4 * np.sin((xs + ys) / 3.0) + 0.05 * rng.standard_normal((size, size))
    return np.clip(np.stack([value, value * 0.5, 1 - value], axis=-1), 0, 1).astype(np.float32)
