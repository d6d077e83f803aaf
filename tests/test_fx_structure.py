"""The multi-scale design: crops chosen from the example's structure, held-out splits, the patch-SWD
term, multi-scale discriminators, a dilated trunk that still tiles — and the bad examples of issue 14."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from fx_helpers import TINY, stripes

from ai_engine.errors import BadImageSet, BadModelFile
from ai_engine.fx.generate import generate_loop, generate_texture
from ai_engine.fx.imageset import load_image_set, random_crops, split_held_out
from ai_engine.fx.metrics import loop_ratio, seam_ratio
from ai_engine.fx.modelfile import SPATIAL, FxModel, load_model, save_model
from ai_engine.fx.models import MultiScaleDiscriminator, SpatialGANConfig, SpatialGenerator, init_weights
from ai_engine.fx.structure import choose_crop, correlation_length
from ai_engine.fx.texture_loss import patch_swd
from ai_engine.fx.train import train

# the multi-scale design at test size: trunk, three discriminator scales, the SWD term
SMALL = replace(TINY, trunk_blocks=2, discriminator_scales=3, swd_weight=1.0)


def blobs(size: int, radius: float, seed: int = 0) -> np.ndarray:
    """Soft blobs of about ``radius`` px (smoothed noise), RGB in [0, 1]."""
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((size, size)).astype(np.float32)
    smooth = cv2.GaussianBlur(noise, (0, 0), radius)
    grey = 0.5 + 0.45 * smooth / (np.abs(smooth).max() + 1e-9)
    return np.repeat(grey[..., None], 3, axis=2).astype(np.float32)


def test_correlation_length_grows_with_the_structure() -> None:
    grain, plumes = correlation_length(blobs(256, 1.5)), correlation_length(blobs(256, 12.0))
    assert grain < 6 < 15 < plumes


def test_crop_follows_the_structure_and_fits_the_smallest_example() -> None:
    assert choose_crop([blobs(256, 1.5)])[0] == 64  # grain: the smallest crop
    large, length = choose_crop([blobs(512, 12.0)])
    assert large >= 4 * length - 16 and large % 16 == 0 and large > 64
    # an example smaller than the crop its structure asks for: the crop shrinks to fit it
    fitted, _ = choose_crop([blobs(512, 12.0), blobs(100, 12.0)])
    assert fitted == 96


def test_examples_smaller_than_the_smallest_crop_are_refused() -> None:
    with pytest.raises(BadImageSet, match="at least 64 px"):
        choose_crop([blobs(256, 2.0), blobs(48, 2.0)])
    with pytest.raises(BadImageSet, match="smaller than the 64 px"):
        train([blobs(48, 2.0)], config=TINY, max_steps=1)


def test_a_flat_colour_is_refused_with_what_to_do() -> None:
    flat = np.full((128, 128, 3), 0.4, np.float32)
    with pytest.raises(BadImageSet, match=r"flat colour.*photo of the texture"):
        train([flat], config=TINY, crop=32, max_steps=1)
    with pytest.raises(BadImageSet, match="flat colour"):
        choose_crop([flat])


def test_an_example_with_alpha_trains_on_its_premultiplied_colour(tmp_path: Path) -> None:
    rgb = (stripes(96) * 255).astype(np.uint8)
    alpha = np.zeros((96, 96), np.uint8)
    alpha[:, 48:] = 255  # left half transparent
    assert cv2.imwrite(str(tmp_path / "a.png"), np.dstack([rgb[..., ::-1], alpha]))
    image_set = load_image_set(tmp_path, min_side=32)
    assert image_set.images[0][:, :48].max() == 0.0  # transparent → black (emissive over black)
    assert np.allclose(image_set.images[0][:, 48:], rgb[:, 48:] / 255.0, atol=1 / 255)
    result = train(image_set, config=TINY, crop=32, batch_size=2, max_steps=2, threads=1)
    assert result.steps == 2


def test_two_examples_of_very_different_size_both_feed_training() -> None:
    big, small = blobs(512, 3.0, seed=1), blobs(80, 3.0, seed=2)
    image_set = load_image_set([big, small], min_side=64)
    crops = random_crops(image_set, count=400, size=64, generator=np.random.default_rng(0))
    from_small = sum(
        any(np.array_equal(c, small[y : y + 64, x : x + 64]) for y in range(17) for x in range(17))
        for c in crops[:200]
    )
    assert 0 < from_small < 40  # drawn by area: ~2.4 % of the crops, but some
    result = train(image_set, config=TINY, batch_size=2, max_steps=1, threads=1)
    assert result.card["crop"] <= 80 and result.card["training_images"]["sizes"] == [[512, 512], [80, 80]]


def test_resume_with_another_example_set_is_refused(tmp_path: Path) -> None:
    checkpoint = tmp_path / "run.ckpt"
    train([stripes(64)], config=TINY, crop=32, batch_size=2, max_steps=1, checkpoint=checkpoint, threads=1)
    with pytest.raises(BadModelFile, match=r"other example images.*mix two textures"):
        train([stripes(64, seed=9)], config=TINY, crop=32, batch_size=2, max_steps=2, resume=checkpoint)


def test_a_model_file_of_the_previous_version_loads_and_tiles(tmp_path: Path) -> None:
    generator = SpatialGenerator(config=TINY)
    generator.apply(init_weights)
    old_config = {
        k: v
        for k, v in TINY.to_json().items()
        if k not in ("trunk_blocks", "discriminator_scales", "swd_weight", "swd_levels")
    }
    path = save_model(tmp_path / "old.pt", generator, {"architecture": SPATIAL, "config": old_config})
    model = load_model(path)
    assert model.card["config"] == old_config
    assert seam_ratio(generate_texture(model, size=96, seed=1)) < 1.15
    payload = torch.load(path, weights_only=True)
    payload["version"] = 99  # a file from a newer Clapper
    torch.save(payload, tmp_path / "newer.pt")
    with pytest.raises(BadModelFile, match="newer"):
        load_model(tmp_path / "newer.pt")


def test_held_out_part_is_never_trained_on() -> None:
    image = blobs(300, 4.0)
    train_set, held = split_held_out(load_image_set([image, blobs(100, 4.0)], min_side=64))
    assert held is not None and len(held.images) == 1  # the 100 px example is too small to split
    assert train_set.images[0].shape == (300, 172, 3) and held.images[0].shape == (300, 128, 3)
    assert np.array_equal(np.concatenate([train_set.images[0], held.images[0]], axis=1), image)
    assert train_set.images[1].shape == (100, 100, 3)


def test_patch_swd_is_zero_for_the_same_statistics_and_pulls_towards_the_real_ones() -> None:
    real = torch.from_numpy(np.stack([blobs(64, 3.0, seed=s) for s in range(4)])).permute(0, 3, 1, 2) * 2 - 1
    rng = torch.Generator().manual_seed(0)
    assert patch_swd(real, real, generator=rng).item() == pytest.approx(0.0, abs=1e-9)
    fake = torch.zeros_like(real, requires_grad=True)
    loss = patch_swd(fake, real, generator=rng)
    loss.backward()
    assert loss.item() > 0.01 and fake.grad is not None and fake.grad.abs().sum() > 0
    assert patch_swd(real.flip(0), real, generator=rng).item() < loss.item() / 10


def test_multiscale_discriminator_judges_every_scale() -> None:
    discriminator = MultiScaleDiscriminator(config=SMALL)
    outputs = discriminator(torch.zeros(2, 3, 64, 64))
    assert [tuple(o.shape) for o in outputs] == [(2, 1, 16, 16), (2, 1, 8, 8), (2, 1, 4, 4)]


def test_multiscale_model_trains_tiles_and_loops() -> None:
    result = train([blobs(128, 6.0)], config=SMALL, crop=64, batch_size=2, max_steps=3, threads=1)
    model = FxModel(result.generator, result.card)
    assert result.card["config"]["discriminator_scales"] == 3
    for size in (64, 160):
        assert seam_ratio(generate_texture(model, size=size, seed=2)) < 1.15
    assert loop_ratio(list(generate_loop(model, size=64, frames=8, seed=1, drift=(0, -1)))) < 1.2


def test_the_default_design_follows_the_crop() -> None:
    assert SpatialGANConfig.multiscale(64).discriminator_scales == 2
    assert SpatialGANConfig.multiscale(128).discriminator_scales == 3
    assert SpatialGANConfig.multiscale(256).discriminator_scales == 4
