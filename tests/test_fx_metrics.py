"""ai_engine.fx.metrics: SWD separates different textures, seam and loop ratios read as intended."""

from __future__ import annotations

import numpy as np
from fx_helpers import stripes

from ai_engine.fx.metrics import laplacian_pyramid, loop_ratio, random_crops, seam_ratio, swd


def test_swd_is_small_for_the_same_texture_and_large_for_another() -> None:
    rng = np.random.default_rng(0)
    texture = stripes(256, seed=1)
    other = np.random.default_rng(2).random((256, 256, 3)).astype(np.float32)
    real_a = random_crops([texture], count=16, size=64, rng=rng)
    real_b = random_crops([texture], count=16, size=64, rng=rng)
    fake = random_crops([other], count=16, size=64, rng=rng)
    floor = swd(real_a, real_b, patches_per_level=2048)
    far = swd(real_a, fake, patches_per_level=2048)
    assert len(far["levels"]) == 3  # 64 → 32 → 16
    assert far["mean"] > 5 * floor["mean"]


def test_laplacian_pyramid_reconstructs() -> None:
    import cv2

    image = stripes(64)
    levels = laplacian_pyramid(image)
    rebuilt = levels[-1]
    for band in reversed(levels[:-1]):
        rebuilt = cv2.pyrUp(rebuilt, dstsize=band.shape[:2][::-1]) + band
    assert np.allclose(rebuilt, image, atol=1e-4)


def test_seam_ratio_is_one_for_a_periodic_image_and_large_for_a_cut() -> None:
    from ai_engine.fx.procedural import spectral_noise

    periodic = spectral_noise(np.random.default_rng(0), 256, beta=3.0)
    assert abs(seam_ratio(periodic) - 1.0) < 0.15
    assert seam_ratio(periodic[:200, :200]) > 3  # a crop of the same texture does not wrap
    ys, xs = np.mgrid[0:64, 0:64]
    assert seam_ratio(xs / 64.0 + ys / 64.0) > 10


def test_loop_ratio_sees_the_pop() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((16, 16)), rng.standard_normal((16, 16))
    smooth = [a * np.cos(2 * np.pi * t / 10) + b * np.sin(2 * np.pi * t / 10) for t in range(10)]
    assert loop_ratio(smooth) < 1.2
    ramp = [np.full((4, 4), t / 10) for t in range(10)]
    assert loop_ratio(ramp) > 5
