"""Procedural training images for the built-in presets (fire, smoke, magic, caustics, grunge).

No photo of fire with a licence that allows redistribution was found (see the texture data's
MANIFEST), so the presets learn from images made here: periodic spectral noise (FFT-filtered
white noise, so every image tiles), domain warping, ridges, a photon-mapped caustic pattern and
colour ramps. Each generator is a pure function of a seed: the presets are reproducible with
``python -m ai_engine fx train --procedural NAME``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def spectral_noise(
    rng: np.random.Generator,
    size: int,
    *,
    beta: float,
    stretch: tuple[float, float] = (1.0, 1.0),
    low_cut: float = 1.0,
) -> np.ndarray:
    """Periodic fractal noise with power spectrum ∝ 1/f^beta, zero mean, unit std.

    Arguments:
        stretch: frequency scale along (x, y); ``(1, 0.3)`` makes features 3× taller than wide.
        low_cut: frequencies below this (in cycles per image) are removed.
    """
    fx = np.fft.fftfreq(size)[None, :] * size * stretch[0]
    fy = np.fft.fftfreq(size)[:, None] * size * stretch[1]
    f = np.sqrt(fx**2 + fy**2)
    amplitude = np.where(f >= low_cut, np.maximum(f, 1e-6) ** (-beta / 2), 0.0)
    white = rng.standard_normal((size, size))
    field = np.real(np.fft.ifft2(np.fft.fft2(white) * amplitude))
    return ((field - field.mean()) / (field.std() + 1e-12)).astype(np.float32)


def warp(field: np.ndarray, dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """Sample ``field`` at (x + dx, y + dy), wrapping around (keeps the image periodic)."""
    import cv2

    size = field.shape[0]
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
    return cv2.remap(
        field,
        xs + dx.astype(np.float32),
        ys + dy.astype(np.float32),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_WRAP,
    )


def blur(field: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur on the torus (cv2's blur cannot wrap around), via the FFT."""
    size_y, size_x = field.shape
    fx = np.fft.fftfreq(size_x)[None, :]
    fy = np.fft.fftfreq(size_y)[:, None]
    kernel = np.exp(-2 * (np.pi * sigma) ** 2 * (fx**2 + fy**2))
    return np.real(np.fft.ifft2(np.fft.fft2(field) * kernel)).astype(np.float32)


def ramp(value: np.ndarray, stops: list[tuple[float, tuple[float, float, float]]]) -> np.ndarray:
    """Map values in [0, 1] through a colour ramp → (H, W, 3) float32."""
    positions = [p for p, _ in stops]
    return np.stack(
        [np.interp(value, positions, [c[i] for _, c in stops]) for i in range(3)], axis=-1
    ).astype(np.float32)


def fire(rng: np.random.Generator, size: int) -> np.ndarray:
    """Flame tongues: vertically stretched, warped noise through a black-red-orange-yellow ramp."""
    warp_x = spectral_noise(rng, size, beta=4.0, low_cut=2) * size * 0.03
    base = spectral_noise(rng, size, beta=3.6, stretch=(0.7, 2.2), low_cut=2)
    detail = spectral_noise(rng, size, beta=3.0, stretch=(0.7, 1.6), low_cut=6)
    n = warp(base + 0.35 * detail, warp_x, np.zeros_like(warp_x))
    heat = np.clip(0.42 + 0.28 * n, 0.0, 1.0) ** 1.7
    return ramp(
        heat,
        [
            (0.0, (0, 0, 0)),
            (0.12, (0.25, 0.02, 0.0)),
            (0.35, (0.85, 0.18, 0.02)),
            (0.6, (1.0, 0.55, 0.08)),
            (0.85, (1.0, 0.88, 0.45)),
            (1.0, (1.0, 1.0, 0.9)),
        ],
    )


def smoke(rng: np.random.Generator, size: int) -> np.ndarray:
    """Wisps: fractal noise domain-warped twice, grey-blue density over black."""
    n = spectral_noise(rng, size, beta=3.8, low_cut=1.5)
    for _ in range(2):
        dx = spectral_noise(rng, size, beta=4.0, low_cut=1.5) * size * 0.05
        dy = spectral_noise(rng, size, beta=4.0, low_cut=1.5) * size * 0.05
        n = warp(n, dx, dy)
    n = n + 0.2 * spectral_noise(rng, size, beta=3.0, low_cut=8)
    density = np.clip(0.45 + 0.3 * n, 0.0, 1.0) ** 1.6
    return (density[..., None] * np.array([0.82, 0.85, 0.9], np.float32)).astype(np.float32)


def magic(rng: np.random.Generator, size: int) -> np.ndarray:
    """Energy filaments: sharp ridges of warped noise, violet/cyan glow with white cores, sparks."""

    dx = spectral_noise(rng, size, beta=4.0, low_cut=2) * size * 0.03
    dy = spectral_noise(rng, size, beta=4.0, low_cut=2) * size * 0.03
    r1 = 1.0 - np.abs(warp(spectral_noise(rng, size, beta=3.6, low_cut=2), dx, dy)) / 2.5
    r2 = 1.0 - np.abs(warp(spectral_noise(rng, size, beta=3.4, low_cut=4), dy, dx)) / 2.5
    core = np.clip(r1, 0, 1) ** 24 + 0.6 * np.clip(r2, 0, 1) ** 30
    sparks = (rng.random((size, size)) > 0.9985).astype(np.float32)
    core = core + blur(sparks, 1.2) * 4
    glow = blur(core, size / 100)
    rgb = glow[..., None] * np.array([0.55, 0.2, 1.0], np.float32) * 2.2 + core[..., None] * np.array(
        [0.6, 0.9, 1.0], np.float32
    )
    return np.clip(rgb, 0.0, 1.0).astype(np.float32)


def caustics(rng: np.random.Generator, size: int) -> np.ndarray:
    """Light through a wavy water surface: photons displaced by the surface slope, gathered."""

    height = blur(spectral_noise(rng, size, beta=3.0, low_cut=4), size / 90)  # band-limited: cells ~ size/12
    gx = (np.roll(height, -1, 1) - np.roll(height, 1, 1)) * 0.5
    gy = (np.roll(height, -1, 0) - np.roll(height, 1, 0)) * 0.5
    oversample = 5
    ys, xs = np.mgrid[0 : size * oversample, 0 : size * oversample] / oversample
    gxs = np.repeat(np.repeat(gx, oversample, 0), oversample, 1)
    gys = np.repeat(np.repeat(gy, oversample, 0), oversample, 1)
    laplacian = np.roll(gx, -1, 1) - np.roll(gx, 1, 1) + np.roll(gy, -1, 0) - np.roll(gy, 1, 0)
    depth = 1.2 / float(laplacian.std() * 0.5 + 1e-9)  # curvature × depth ≈ 1: light focuses into lines
    px = np.floor(xs - depth * gxs).astype(np.int64) % size
    py = np.floor(ys - depth * gys).astype(np.int64) % size
    light = (
        np.bincount((py * size + px).ravel(), minlength=size * size).reshape(size, size).astype(np.float32)
    )
    light = blur(light / oversample**2, 1.0)
    light = np.clip(light / np.percentile(light, 99.5), 0, 1) ** 1.3
    base = np.array([0.02, 0.12, 0.22], np.float32)
    return np.clip(base + light[..., None] * np.array([0.55, 0.9, 1.0], np.float32), 0, 1).astype(np.float32)


def grunge(rng: np.random.Generator, size: int) -> np.ndarray:
    """Worn surface: stains, grain, spots and scratches on a brown-grey base."""
    import cv2

    stains = spectral_noise(rng, size, beta=3.4, low_cut=2)
    grain = spectral_noise(rng, size, beta=1.0, low_cut=1)
    value = 0.5 + 0.14 * stains + 0.05 * grain
    spots = (spectral_noise(rng, size, beta=2.6, low_cut=6) > 2.2).astype(np.float32)
    value -= 0.2 * blur(spots, 1.0)
    scratches = np.zeros((size, size), np.float32)
    for _ in range(int(size / 6)):
        x0, y0 = rng.integers(0, size, 2)
        angle, length = rng.uniform(0, np.pi), rng.uniform(0.03, 0.15) * size
        x1, y1 = int(x0 + length * np.cos(angle)), int(y0 + length * np.sin(angle))
        cv2.line(scratches, (int(x0), int(y0)), (x1, y1), float(rng.uniform(0.3, 1.0)), 1, cv2.LINE_AA)
    value += 0.18 * scratches
    value = np.clip(value, 0.0, 1.0)
    tint = np.array([1.0, 0.9, 0.78], np.float32) * (
        0.75 + 0.25 * np.clip(stains[..., None] * 0.5 + 0.5, 0, 1)
    )
    return np.clip(value[..., None] * tint, 0, 1).astype(np.float32)


GENERATORS: dict[str, Callable[[np.random.Generator, int], np.ndarray]] = {
    "fire": fire,
    "smoke": smoke,
    "magic": magic,
    "caustics": caustics,
    "grunge": grunge,
}


def make_images(name: str, *, count: int = 3, size: int = 512, seed: int = 0) -> list[np.ndarray]:
    """``count`` training images (RGB float32 in [0, 1], size²) of the procedural texture ``name``.

    Raises:
        KeyError: for an unknown name (the CLI lists ``GENERATORS``).
    """
    generator = GENERATORS[name]
    return [generator(np.random.default_rng([seed, index]), size) for index in range(count)]
