"""The spatial noise of a PSGAN-style generator, and closed paths through it for loops.

The noise is a (B, C, h, w) grid, one cell per ``scale``² output pixels, made of three parts
(Bergmann et al. 2017, "Learning Texture Manifolds with the Periodic Spatial GAN"):

- local: i.i.d. Gaussian per cell — the texture's variety;
- global: one Gaussian vector per image, repeated over the grid — which texture of the manifold;
- periodic: sinusoids whose wave vectors an MLP reads from the global part, with a random phase —
  regular structure.

Drawn on a torus (everything periodic in h and w, wave numbers rounded to whole periods), with a
generator that pads circularly the image tiles seamlessly at every size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class NoiseSample:
    """The random draws behind one or more images; frames of a loop mix two such samples.

    Attributes:
        local: (B, local_dim, h, w) standard normal.
        global_: (B, global_dim) standard normal.
        phase: (B, periodic_dim) uniform in [0, 2π).
    """

    local: Any  # torch.Tensor on the PyTorch path, np.ndarray on ONNX Runtime's (fx/onnx_model.py)
    global_: Any
    phase: Any


def draw_noise(
    *,
    batch: int,
    height: int,
    width: int,
    local_dim: int,
    global_dim: int,
    periodic_dim: int,
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
) -> NoiseSample:
    """Draw the noise behind ``batch`` images on an ``height``×``width`` grid of cells."""
    import torch

    local = torch.randn(batch, local_dim, height, width, generator=generator).to(device)
    global_ = torch.randn(batch, global_dim, generator=generator).to(device)
    phase = (torch.rand(batch, periodic_dim, generator=generator) * 2 * math.pi).to(device)
    return NoiseSample(local=local, global_=global_, phase=phase)


def loop_noise(a: NoiseSample, b: NoiseSample, angle: float, *, turns: int = 1) -> NoiseSample:
    """A point on the closed path ``a·cos θ + b·sin θ`` of the local noise (each cell stays standard normal).

    The global part stays ``a``'s — the same fire flickers instead of turning into another one
    (and the overall brightness does not pulse) — and the phase of the periodic part advances by
    ``turns`` whole periods, so at θ = 2π the noise, and the frame, is exactly the one at θ = 0.
    """
    c, s = math.cos(angle), math.sin(angle)
    return NoiseSample(local=a.local * c + b.local * s, global_=a.global_, phase=a.phase + turns * angle)


def periodic_planes(
    wave: torch.Tensor, phase: torch.Tensor, *, height: int, width: int, tileable: bool
) -> torch.Tensor:
    """Sinusoid planes ``sin(kx·x + ky·y + φ)`` on the grid.

    Arguments:
        wave: (B, P, 2) wave vectors in radians per cell (kx, ky).
        phase: (B, P) phases.
        height, width: grid size in cells.
        tileable: round each wave vector to a whole number of periods across the grid, so the
            planes wrap around without a seam.

    Returns:
        (B, P, height, width).
    """
    import torch

    kx, ky = wave[..., 0], wave[..., 1]
    if tileable:
        kx = torch.round(kx * width / (2 * math.pi)) * (2 * math.pi / width)
        ky = torch.round(ky * height / (2 * math.pi)) * (2 * math.pi / height)
    ys = torch.arange(height, dtype=wave.dtype, device=wave.device).view(1, 1, height, 1)
    xs = torch.arange(width, dtype=wave.dtype, device=wave.device).view(1, 1, 1, width)
    return torch.sin(kx[..., None, None] * xs + ky[..., None, None] * ys + phase[..., None, None])
