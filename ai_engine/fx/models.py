"""The spatial GAN (PSGAN/SGAN family): a fully convolutional generator and a patch discriminator.

The generator maps a noise grid of h×w cells to an image of (h·scale)×(w·scale) pixels, every
convolution padding circularly: the output is periodic, so any size tiles without a seam, and one
model trained on small random crops generates 512–4096 px at run time.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn

from .noise import NoiseSample, periodic_planes


@dataclass(frozen=True)
class SpatialGANConfig:
    """Hyper-parameters of the spatial GAN; recorded in the model card and used to rebuild it."""

    local_dim: int = 24
    global_dim: int = 16
    periodic_dim: int = 4
    generator_widths: tuple[int, ...] = (96, 48, 24)  # feature maps after each up-block but the last
    discriminator_widths: tuple[int, ...] = (32, 64, 128)
    out_channels: int = 3
    wave_hidden: int = 32
    upsample: str = "nearest"  # "nearest" (resize-convolution, no checkerboard) or "transposed" (PSGAN)
    discriminator_norm: str = "batch"  # "batch" (PSGAN) or "none"
    # multi-scale design (0/1/0.0: the single-scale model of the first presets, whose files lack these)
    trunk_blocks: int = 0  # residual circular 3×3 blocks at the noise grid, dilations 1, 2, 4 …
    discriminator_scales: int = 1  # patch discriminators on the crop shrunk by 1, 2, 4 …
    swd_weight: float = 0.0  # weight of the multi-scale patch-SWD term in the generator's loss
    swd_levels: int = 0  # Gaussian-pyramid levels that term compares (0: as many as the crop allows)

    @property
    def scale(self) -> int:
        """Output pixels per noise cell along each side."""
        return 2 ** (len(self.generator_widths) + 1)

    @property
    def noise_dim(self) -> int:
        return self.local_dim + self.global_dim + self.periodic_dim

    @classmethod
    def multiscale(cls, crop: int) -> SpatialGANConfig:
        """Clapper's default for new models: a dilated trunk that gives the generator a receptive
        field of ~15 noise cells (240 px), discriminators at enough scales that the coarsest sees
        the whole ``crop`` (one patch discriminator sees 38 px), the patch-SWD term, and narrower
        layers than the first presets' (the larger crops then cost about as much per step)."""
        scales = 1
        while 38 * 2 ** (scales - 1) < crop and scales < 4:
            scales += 1
        return cls(
            generator_widths=(64, 32, 16),
            discriminator_widths=(16, 32, 64),
            trunk_blocks=2,
            discriminator_scales=scales,
            swd_weight=1.0,
        )

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["generator_widths"] = list(self.generator_widths)
        data["discriminator_widths"] = list(self.discriminator_widths)
        return data

    @classmethod
    def from_json(cls, data: dict[str, object]) -> SpatialGANConfig:
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        for key in ("generator_widths", "discriminator_widths"):
            if key in values:
                values[key] = tuple(int(v) for v in values[key])  # type: ignore[union-attr, attr-defined]
        return cls(**values)  # type: ignore[arg-type]


class CircularUp(nn.Module):
    """×2 transposed convolution on a torus: pad one cell circularly, convolve, crop the overlap.

    With kernel 4, stride 2 and padding 1 every output pixel reads at most its input cell's
    neighbours, so one cell of circular padding makes the result exactly periodic.
    """

    def __init__(self, *, in_channels: int, out_channels: int, bias: bool) -> None:
        super().__init__()
        self.conv = nn.ConvTranspose2d(in_channels, out_channels, 4, stride=2, padding=1, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = nn.functional.pad(x, (1, 1, 1, 1), mode="circular")  # (C, h+2, w+2)
        x = self.conv(x)  # (C', 2h+4, 2w+4)
        return x[:, :, 2:-2, 2:-2]  # (C', 2h, 2w)


# Nearest ×2 upsampling followed by a 3×3 convolution reads, for each output pixel, only 2×2 input
# pixels: it equals a stride-2 4×4 transposed convolution whose taps are sums of the 3×3 taps
# (per axis k0 = w2, k1 = w1 + w2, k2 = w0 + w1, k3 = w0). Folding the taps that way gives the
# resize-convolution's look (no checkerboard) at the transposed convolution's cost (4 taps, not 9).
_FOLD = torch.tensor([[0.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 1.0, 0.0], [1.0, 0.0, 0.0]])


class CircularResizeConv(nn.Module):
    """×2 nearest upsampling + circular 3×3 convolution (Odena et al. 2016), run as a folded
    transposed convolution on a torus."""

    def __init__(self, *, in_channels: int, out_channels: int, bias: bool) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, padding=1, padding_mode="circular", bias=bias)

    def folded_weight(self) -> torch.Tensor:
        fold = _FOLD.to(self.conv.weight)
        # (Cout, Cin, 3, 3) → (Cin, Cout, 4, 4), the layout of conv_transpose2d
        return torch.einsum("ka,oiab,lb->iokl", fold, self.conv.weight, fold)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = nn.functional.pad(x, (1, 1, 1, 1), mode="circular")  # (C, h+2, w+2)
        x = nn.functional.conv_transpose2d(x, self.folded_weight(), self.conv.bias, stride=2, padding=1)
        return x[:, :, 2:-2, 2:-2]  # (C', 2h, 2w)


def make_up(kind: str, *, in_channels: int, out_channels: int, bias: bool) -> nn.Module:
    if kind == "nearest":
        return CircularResizeConv(in_channels=in_channels, out_channels=out_channels, bias=bias)
    return CircularUp(in_channels=in_channels, out_channels=out_channels, bias=bias)


class UpBlock(nn.Module):
    """×2 circular upsampling → BatchNorm → ReLU."""

    def __init__(self, *, in_channels: int, out_channels: int, kind: str = "transposed") -> None:
        super().__init__()
        self.up = make_up(kind, in_channels=in_channels, out_channels=out_channels, bias=False)
        self.norm = nn.BatchNorm2d(out_channels)
        self.act = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.norm(self.up(x)))


class TrunkBlock(nn.Module):
    """Residual pair of circular 3×3 convolutions at dilation ``d`` on the noise grid: it widens
    the generator's view (large plumes, light networks) at the cost of the coarsest resolution."""

    def __init__(self, *, channels: int, dilation: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(
                channels,
                channels,
                3,
                padding=dilation,
                dilation=dilation,
                padding_mode="circular",
                bias=False,
            ),
            nn.BatchNorm2d(channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(
                channels,
                channels,
                3,
                padding=dilation,
                dilation=dilation,
                padding_mode="circular",
                bias=False,
            ),
            nn.BatchNorm2d(channels),
        )
        self.act = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(x + self.body(x))


class WaveNumbers(nn.Module):
    """MLP from the global noise to the wave vectors of the periodic planes (PSGAN's K(Z_g))."""

    def __init__(self, *, global_dim: int, periodic_dim: int, hidden: int) -> None:
        super().__init__()
        self.periodic_dim = periodic_dim
        self.net = nn.Sequential(
            nn.Linear(global_dim, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, periodic_dim * 2)
        )

    def forward(self, global_: torch.Tensor) -> torch.Tensor:
        # (B, global_dim) → (B, P, 2) radians per cell, kept within (-π, π) (Nyquist)
        return math.pi * torch.tanh(self.net(global_)).view(-1, self.periodic_dim, 2)


class SpatialGenerator(nn.Module):
    """Noise grid (B, noise_dim, h, w) → image (B, out_channels, h·scale, w·scale) in [-1, 1]."""

    def __init__(self, *, config: SpatialGANConfig) -> None:
        super().__init__()
        self.config = config
        self.waves = WaveNumbers(
            global_dim=config.global_dim, periodic_dim=config.periodic_dim, hidden=config.wave_hidden
        )
        blocks: list[nn.Module] = []
        channels = config.noise_dim
        if config.trunk_blocks:
            width = config.generator_widths[0]
            trunk: list[nn.Module] = [
                nn.Conv2d(channels, width, 3, padding=1, padding_mode="circular", bias=False),
                nn.BatchNorm2d(width),
                nn.ReLU(inplace=True),
            ]
            trunk += [TrunkBlock(channels=width, dilation=2**i) for i in range(config.trunk_blocks)]
            blocks.append(nn.Sequential(*trunk))  # (width, h, w)
            channels = width
        for width in config.generator_widths:
            blocks.append(
                UpBlock(in_channels=channels, out_channels=width, kind=config.upsample)
            )  # (width, 2h, 2w)
            channels = width
        self.blocks = nn.Sequential(*blocks)
        self.to_image = make_up(
            config.upsample, in_channels=channels, out_channels=config.out_channels, bias=True
        )

    def assemble(self, noise: NoiseSample, *, tileable: bool = True) -> torch.Tensor:
        """Stack local, global and periodic parts into the (B, noise_dim, h, w) grid."""
        batch, _, height, width = noise.local.shape
        global_planes = noise.global_.view(batch, -1, 1, 1).expand(-1, -1, height, width)
        periodic = periodic_planes(
            self.waves(noise.global_), noise.phase, height=height, width=width, tileable=tileable
        )
        return torch.cat([noise.local, global_planes, periodic], dim=1)

    def forward(self, grid: torch.Tensor) -> torch.Tensor:
        x = self.blocks(grid)  # (generator_widths[-1], h·scale/2, w·scale/2)
        return torch.tanh(self.to_image(x))  # (out_channels, h·scale, w·scale)

    def generate(self, noise: NoiseSample, *, tileable: bool = True) -> torch.Tensor:
        return self(self.assemble(noise, tileable=tileable))


class PatchDiscriminator(nn.Module):
    """Image (B, C, H, W) → real/fake logits per patch (B, 1, H/2^n, W/2^n).

    Real and fake crops go through as separate batches, so BatchNorm statistics never mix them.
    """

    def __init__(self, *, config: SpatialGANConfig) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        channels = config.out_channels
        for index, width in enumerate(config.discriminator_widths):
            norm = config.discriminator_norm == "batch" and index > 0
            layers.append(nn.Conv2d(channels, width, 4, stride=2, padding=1, bias=not norm))
            if norm:
                layers.append(nn.BatchNorm2d(width))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
            channels = width  # (width, H/2^i, W/2^i)
        layers.append(nn.Conv2d(channels, 1, 3, padding=1))  # (1, H/2^n, W/2^n)
        self.net = nn.Sequential(*layers)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.net(image)


class MultiScaleDiscriminator(nn.Module):
    """Patch discriminators on the image and on it shrunk by 2, 4 … (pix2pixHD's pyramid): the
    coarse ones judge structure larger than one discriminator's 38 px view. Returns one logit map
    per scale (finest first)."""

    def __init__(self, *, config: SpatialGANConfig) -> None:
        super().__init__()
        self.scales = nn.ModuleList(
            PatchDiscriminator(config=config) for _ in range(config.discriminator_scales)
        )

    def forward(self, image: torch.Tensor) -> list[torch.Tensor]:
        outputs = []
        for index, discriminator in enumerate(self.scales):
            if index:
                image = nn.functional.avg_pool2d(image, 2)
            outputs.append(discriminator(image))
        return outputs


def make_discriminator(config: SpatialGANConfig) -> nn.Module:
    return (
        PatchDiscriminator(config=config)
        if config.discriminator_scales <= 1
        else MultiScaleDiscriminator(config=config)
    )


def init_weights(module: nn.Module) -> None:
    """DCGAN initialisation: N(0, 0.02) convolutions, N(1, 0.02) norm scales."""
    if isinstance(module, nn.Conv2d | nn.ConvTranspose2d):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)
