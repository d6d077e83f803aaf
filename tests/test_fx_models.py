"""ai_engine.fx.models / noise / dcgan: shapes, any size, exact periodicity, closed loops."""

from __future__ import annotations

import math

import pytest
import torch
from fx_helpers import TINY

from ai_engine.fx.dcgan import DCGANConfig, DCGANDiscriminator, DCGANGenerator
from ai_engine.fx.models import PatchDiscriminator, SpatialGANConfig, SpatialGenerator, init_weights
from ai_engine.fx.noise import draw_noise, loop_noise


def _noise(config: SpatialGANConfig, cells: int, seed: int = 0):  # type: ignore[no-untyped-def]
    return draw_noise(
        batch=1,
        height=cells,
        width=cells,
        local_dim=config.local_dim,
        global_dim=config.global_dim,
        periodic_dim=config.periodic_dim,
        generator=torch.Generator().manual_seed(seed),
    )


@pytest.mark.parametrize("upsample", ["transposed", "nearest"])
def test_one_generator_makes_any_size_and_the_output_is_periodic(upsample: str) -> None:
    config = SpatialGANConfig(**{**TINY.to_json(), "upsample": upsample})
    generator = SpatialGenerator(config=config).eval()
    generator.apply(init_weights)
    for cells in (2, 5):
        with torch.no_grad():
            image = generator.generate(_noise(config, cells))
        assert image.shape == (1, 3, cells * config.scale, cells * config.scale)
    # periodic: shifting the noise torus by one cell shifts the image by exactly `scale` pixels
    noise = _noise(config, 4)
    shifted = type(noise)(local=torch.roll(noise.local, 1, dims=3), global_=noise.global_, phase=noise.phase)
    with torch.no_grad():
        a, b = generator.generate(noise), generator.generate(shifted)
    # the periodic planes are not shifted, so compare with them disabled (zero amplitude via phase is not
    # possible); instead check the wrap-around directly: the grid is a torus, so rolling the input rolls the output
    grid = generator.assemble(noise)
    with torch.no_grad():
        rolled = generator(torch.roll(grid, 1, dims=3))
        direct = generator(grid)
    assert torch.allclose(torch.roll(direct, config.scale, dims=3), rolled, atol=1e-5)
    assert a.shape == b.shape


def test_discriminator_scores_patches() -> None:
    discriminator = PatchDiscriminator(config=TINY)
    logits = discriminator(torch.zeros(2, 3, 32, 48))
    assert logits.shape == (2, 1, 32 // 4, 48 // 4)


def test_loop_noise_closes_and_keeps_unit_variance() -> None:
    a, b = _noise(TINY, 16, 1), _noise(TINY, 16, 2)
    start, end = loop_noise(a, b, 0.0), loop_noise(a, b, 2 * math.pi)
    assert torch.allclose(start.local, end.local, atol=1e-5)
    assert torch.allclose(torch.sin(start.phase), torch.sin(end.phase), atol=1e-5)
    middle = loop_noise(a, b, 1.0)
    assert abs(float(middle.local.std()) - 1.0) < 0.1


def test_dcgan_baseline_is_pytorch_examples_shape() -> None:
    config = DCGANConfig(ngf=8, ndf=8)
    image = DCGANGenerator(config=config)(torch.randn(2, config.nz, 1, 1))
    assert image.shape == (2, 3, 64, 64)
    assert DCGANDiscriminator(config=config)(image).shape == (2, 1, 1, 1)


def test_folded_resize_convolution_equals_nearest_upsampling_then_3x3() -> None:
    from ai_engine.fx.models import CircularResizeConv

    layer = CircularResizeConv(in_channels=3, out_channels=5, bias=True)
    x = torch.randn(2, 3, 6, 7)
    reference = layer.conv(torch.nn.functional.interpolate(x, scale_factor=2, mode="nearest"))
    assert torch.allclose(layer(x), reference, atol=1e-5)
