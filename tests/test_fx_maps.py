"""ai_engine.fx.maps: derived maps have the right ranges, wrap around and follow the height."""

from __future__ import annotations

import numpy as np

from ai_engine.fx.maps import alpha_map, hdr_emission, luminance, normal_map, roughness_map
from ai_engine.fx.metrics import seam_ratio


def test_normal_map_points_up_on_flat_and_tilts_with_slope() -> None:
    flat = normal_map(np.zeros((8, 8), np.float32))
    assert np.allclose(flat, [0.5, 0.5, 1.0])
    xs = np.tile(np.linspace(0, 1, 32, dtype=np.float32), (32, 1))
    tilted = normal_map(xs)[:, 1:-1]  # height grows to the right → normal leans left (x < 0.5)
    assert (tilted[..., 0] < 0.5).all()


def test_normal_map_of_a_periodic_height_tiles() -> None:
    ys, xs = np.mgrid[0:64, 0:64]
    height = (0.5 + 0.5 * np.sin(2 * np.pi * xs / 64) * np.sin(2 * np.pi * ys / 64)).astype(np.float32)
    assert seam_ratio(normal_map(height)) < 1.15


def test_roughness_alpha_and_hdr_ranges() -> None:
    rgb = np.random.default_rng(0).random((16, 16, 3)).astype(np.float32)
    rough = roughness_map(luminance(rgb))
    assert 0.25 <= rough.min() and rough.max() <= 0.95
    alpha = alpha_map(rgb)
    assert 0.0 <= alpha.min() and alpha.max() <= 1.0
    assert alpha_map(np.zeros((2, 2, 3), np.float32)).max() == 0.0
    hdr = hdr_emission(np.ones((2, 2, 3), np.float32), peak=8.0)
    assert np.allclose(hdr, 8.0, rtol=1e-3)
