"""The baseline: pytorch/examples' DCGAN (Radford et al. 2015), 64×64, kept as the benchmark anchor.

It is what the seed shipped: a fixed-size generator from a noise vector, zero padding, no notion of
tiling. ``bench/fx.py`` trains it for the same wall time on the same images as the spatial GAN.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class DCGANConfig:
    """pytorch/examples dcgan defaults: nz=100, ngf=ndf=64, 64×64 RGB."""

    nz: int = 100
    ngf: int = 64
    ndf: int = 64
    out_channels: int = 3
    image_size: int = 64

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, object]) -> DCGANConfig:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: int(v) for k, v in data.items() if k in known})  # type: ignore[call-overload]


class DCGANGenerator(nn.Module):
    """z (B, nz, 1, 1) → image (B, nc, 64, 64) in [-1, 1]."""

    def __init__(self, *, config: DCGANConfig) -> None:
        super().__init__()
        self.config = config
        nz, ngf, nc = config.nz, config.ngf, config.out_channels
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 8),
            nn.ReLU(True),  # (ngf*8) x 4 x 4
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(True),  # (ngf*4) x 8 x 8
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),  # (ngf*2) x 16 x 16
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf),
            nn.ReLU(True),  # (ngf) x 32 x 32
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False),
            nn.Tanh(),  # (nc) x 64 x 64
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.main(z)


class DCGANDiscriminator(nn.Module):
    """image (B, nc, 64, 64) → one logit per image (B, 1, 1, 1); the sigmoid lives in the loss."""

    def __init__(self, *, config: DCGANConfig) -> None:
        super().__init__()
        ndf, nc = config.ndf, config.out_channels
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),  # (ndf) x 32 x 32
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),  # (ndf*2) x 16 x 16
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 4),
            nn.LeakyReLU(0.2, inplace=True),  # (ndf*4) x 8 x 8
            nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 8),
            nn.LeakyReLU(0.2, inplace=True),  # (ndf*8) x 4 x 4
            nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False),  # 1 x 1 x 1
        )

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.main(image)
