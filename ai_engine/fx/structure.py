"""How large an example's structures are, and the training crop that follows from it.

The correlation length is where the example's (luminance) autocorrelation first falls to 1/e of
its peak, averaged over directions: a few pixels for gravel or grain, tens of pixels for plumes of
smoke or a network of caustics. Training crops span about four correlation lengths, so the
discriminators see whole structures and the space between them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import BadImageSet

MIN_CROP, MAX_CROP, STEP = 64, 256, 16
FLAT = 1.0 / 255.0  # luminance std below one 8-bit level: nothing to learn


def luminance(image: np.ndarray) -> np.ndarray:
    return (image[..., :3] @ np.array([0.2126, 0.7152, 0.0722], np.float32)).astype(np.float32)


def correlation_length(image: np.ndarray) -> float:
    """Radius (px) at which the autocorrelation of ``image`` (H, W, 3) first drops below 1/e.

    Raises:
        BadImageSet: a flat image (no structure at all).
    """
    grey = luminance(image)
    grey = grey - grey.mean()
    if grey.std() < FLAT:
        raise BadImageSet("The example is a flat colour (no texture to learn); use a photo of the texture.")
    height, width = grey.shape
    padded = np.zeros((2 * height, 2 * width), np.float32)  # zero padding: linear, not circular
    padded[:height, :width] = grey
    spectrum = np.fft.rfft2(padded)
    auto = np.fft.irfft2(spectrum * np.conj(spectrum), s=padded.shape)
    ys = np.fft.fftfreq(2 * height) * 2 * height
    xs = np.fft.fftfreq(2 * width) * 2 * width
    dy, dx = np.meshgrid(ys, xs, indexing="ij")
    count = np.clip((height - np.abs(dy)) * (width - np.abs(dx)), 1, None)  # pixel pairs per lag
    auto = auto / count
    auto = auto / auto[0, 0]
    radius = np.hypot(dy, dx)
    limit = min(height, width) // 2
    bins = np.round(radius).astype(int)
    inside = bins < limit
    profile = np.bincount(bins[inside], weights=auto[inside], minlength=limit) / np.maximum(
        np.bincount(bins[inside], minlength=limit), 1
    )
    below = np.nonzero(profile < np.exp(-1.0))[0]
    return float(below[0]) if below.size else float(limit)


def check_not_flat(images: Sequence[np.ndarray], names: Sequence[str]) -> None:
    """Raises BadImageSet for an example that is one flat colour (nothing to learn)."""
    for image, name in zip(images, names, strict=True):
        if luminance(image).std() < FLAT and image.std(axis=(0, 1)).max() < FLAT:
            raise BadImageSet(f"{name} is a flat colour (no texture to learn); use a photo of the texture.")


def choose_crop(images: Sequence[np.ndarray]) -> tuple[int, float]:
    """The training crop for these examples and their (largest) correlation length.

    About four correlation lengths, a multiple of 16 in [64, 256], and never larger than the
    smallest example.

    Raises:
        BadImageSet: a flat example, or one smaller than 64 px.
    """
    smallest = min(min(image.shape[:2]) for image in images)
    if smallest < MIN_CROP:
        raise BadImageSet(
            f"An example is only {smallest} px on its short side; use examples at least {MIN_CROP} px "
            "on each side."
        )
    length = max(correlation_length(image) for image in images)
    wanted = int(np.ceil(4 * length / STEP) * STEP)
    fits = smallest - smallest % STEP
    return int(np.clip(wanted, MIN_CROP, min(MAX_CROP, fits))), round(length, 1)
