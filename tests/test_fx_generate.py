"""ai_engine.fx.generate: sizes, seamless tiling, closed loops, memory refused before allocating."""

from __future__ import annotations

import numpy as np
import pytest
from fx_helpers import TINY, stripes

from ai_engine.errors import EngineError, ResourceLimit
from ai_engine.fx.generate import estimate_bytes, fourier_resize, generate_loop, generate_texture
from ai_engine.fx.metrics import loop_ratio, seam_ratio
from ai_engine.fx.modelfile import FxModel
from ai_engine.fx.train import train


@pytest.fixture(scope="module")
def model() -> FxModel:
    result = train([stripes(64)], config=TINY, crop=32, batch_size=2, max_steps=2, threads=1)
    return FxModel(result.generator, result.card)


@pytest.mark.parametrize("size", [64, 100, 160])
def test_any_size_tiles(model: FxModel, size: int) -> None:
    image = generate_texture(model, size=size, seed=3)
    assert image.shape == (size, size, 3) and image.dtype == np.float32
    assert 0.0 <= image.min() and image.max() <= 1.0
    assert seam_ratio(image) < 1.15


def test_same_seed_same_texture(model: FxModel) -> None:
    assert np.array_equal(generate_texture(model, size=64, seed=1), generate_texture(model, size=64, seed=1))
    assert not np.array_equal(
        generate_texture(model, size=64, seed=1), generate_texture(model, size=64, seed=2)
    )


def test_non_tileable_is_a_crop_that_does_not_wrap(model: FxModel) -> None:
    for seed in range(3):
        open_edges = generate_texture(model, size=64, seed=seed, tileable=False)
        tiled = generate_texture(model, size=64, seed=seed)
        assert open_edges.shape == (64, 64, 3)
        # opposite edges of the crop are unrelated pixels (a jump across the wrap, well above the
        # neighbours' differences), while the tileable texture continues across it
        assert seam_ratio(open_edges) > 2.0 > 1.15 > seam_ratio(tiled)


def test_loop_closes_without_a_pop(model: FxModel) -> None:
    progress: list[float] = []
    frames = list(
        generate_loop(
            model, size=64, frames=12, seed=4, drift=(0, -1), progress=lambda f, m: progress.append(f)
        )
    )
    assert len(frames) == 12 and progress[-1] == 1.0
    assert loop_ratio(frames) < 1.2
    assert np.abs(frames[1] - frames[0]).mean() > 0  # it moves


def test_a_size_that_does_not_fit_is_refused_before_allocating(model: FxModel) -> None:
    with pytest.raises(ResourceLimit, match="smaller size"):
        generate_texture(model, size=4096, available=estimate_bytes(model, 4096) // 2)
    with pytest.raises(ResourceLimit):
        generate_texture(model, size=1_000_000)  # terabytes: refused by the estimate alone


def test_nonsense_sizes_and_frame_counts_are_refused(model: FxModel) -> None:
    with pytest.raises(EngineError, match="outside"):
        generate_texture(model, size=8)
    with pytest.raises(EngineError, match="at least 2 frames"):
        list(generate_loop(model, size=64, frames=1))


def test_fourier_resize_keeps_periodicity() -> None:
    ys, xs = np.mgrid[0:96, 0:96]
    periodic = (0.5 + 0.5 * np.sin(2 * np.pi * xs / 96) * np.cos(4 * np.pi * ys / 96)).astype(np.float32)[
        ..., None
    ]
    resized = fourier_resize(periodic, 80)
    assert resized.shape == (80, 80, 1) and seam_ratio(resized) < 1.1
