"""A weight-free texture-statistics term for the generator: sliced Wasserstein distance between
7×7 patches of generated and real crops, at every level of a Gaussian pyramid.

Random unit directions project the patches; sorting both projections matches their 1-D
distributions exactly (Rabin et al. 2011; Heitz et al. 2021 use the same on VGG features, Elnekave
& Weiss 2022 on pixel patches). The coarse levels see 7·2^l px — whole plumes at l = 3, 4 — which is
what a crop-sized adversary alone learns slowly. It helps the adversarial loss, never replaces it.
"""

from __future__ import annotations

import torch

PATCH = 7


def _projections(
    images: torch.Tensor, filters: torch.Tensor, offset: tuple[int, int], stride: int
) -> torch.Tensor:
    """Projections of the 7×7 patches on a ``stride`` grid (shifted by ``offset``) onto each filter:
    a valid convolution, (directions, positions) contiguous (sorting along rows is fast)."""
    shifted = images[:, :, offset[0] :, offset[1] :]
    projected = torch.nn.functional.conv2d(shifted, filters, stride=stride)  # (B, K, h', w')
    return projected.transpose(0, 1).reshape(filters.shape[0], -1).contiguous()


def pyramid_levels(crop: int) -> int:
    """Levels whose side is still at least 2 patches (64 px → 3: 64, 32, 16)."""
    levels, side = 0, crop
    while side >= 2 * PATCH:
        levels, side = levels + 1, side // 2
    return levels


def patch_swd(
    fake: torch.Tensor,
    real: torch.Tensor,
    *,
    generator: torch.Generator,
    levels: int = 0,
    directions: int = 32,
    stride: int = 3,
    patches: int = 2048,
) -> torch.Tensor:
    """Mean over pyramid levels of the squared sliced Wasserstein distance of 7×7 patches.

    Arguments:
        fake, real: (B, C, H, W) of the same shape, in [-1, 1]; gradients flow into ``fake`` only.
        generator: draws the directions and the patch grid's offset (seeded: reproducible training).
        levels: pyramid levels (0: all that hold two patches).
        directions: random unit directions per level (a convolution with that many 7×7 filters).
        stride: patches are taken every ``stride`` px (at a random offset), not everywhere.
        patches: at most this many of them per level (a random subset) are compared.
    """
    levels = levels or pyramid_levels(min(fake.shape[-2:]))
    real = real.detach()
    channels = fake.shape[1]
    total = fake.new_zeros(())
    for level in range(levels):
        if level:
            fake = torch.nn.functional.avg_pool2d(fake, 2)
            real = torch.nn.functional.avg_pool2d(real, 2)
        filters = torch.randn(directions, channels * PATCH * PATCH, generator=generator)
        filters = (
            (filters / filters.norm(dim=1, keepdim=True)).view(directions, channels, PATCH, PATCH).to(fake)
        )
        step = min(stride, max(1, (fake.shape[-1] - PATCH) // 4))
        offset = (
            int(torch.randint(0, step, (1,), generator=generator)),
            int(torch.randint(0, step, (1,), generator=generator)),
        )
        projected_fake = _projections(fake, filters, offset, step)
        projected_real = _projections(real, filters, offset, step)
        if projected_fake.shape[1] > patches:  # the same number of patches of both, drawn at random
            keep = torch.randperm(projected_fake.shape[1], generator=generator)[:patches]
            projected_fake, projected_real = projected_fake[:, keep], projected_real[:, keep]
        projected_fake = torch.sort(projected_fake, dim=1).values
        projected_real = torch.sort(projected_real, dim=1).values
        total = total + (projected_fake - projected_real).pow(2).mean()
    return total / levels
