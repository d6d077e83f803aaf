"""Quality figures of generated textures: sliced Wasserstein distance, seam ratio, loop ratio.

SWD follows Karras et al. 2018 ("Progressive Growing of GANs", sliced_wasserstein.py): 7×7
neighbourhoods of every Laplacian-pyramid level of 64×64 crops, descriptors normalised per channel
(here by the *real* set's statistics, so both sets are measured in the same units), 4 repeats of
512 random directions, distances ×1e3, averaged over levels.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

PATCH = 7


def _pyr_down(image: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.pyrDown(image, borderType=cv2.BORDER_DEFAULT)


def _pyr_up(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    import cv2

    return cv2.pyrUp(image, dstsize=(shape[1], shape[0]), borderType=cv2.BORDER_DEFAULT)


def laplacian_pyramid(image: np.ndarray, *, min_side: int = 16) -> list[np.ndarray]:
    """Band-pass levels (finest first) down to ``min_side``, the last level the Gaussian residual."""
    levels, current = [], image.astype(np.float32)
    while current.shape[0] > min_side:
        smaller = _pyr_down(current)
        levels.append(current - _pyr_up(smaller, (current.shape[0], current.shape[1])))
        current = smaller
    levels.append(current)
    return levels


def random_crops(
    images: Sequence[np.ndarray], *, count: int, size: int, rng: np.random.Generator
) -> np.ndarray:
    """``count`` random size² crops from (H, W, 3) images, drawn uniformly over images → (count, size, size, 3)."""
    crops = np.empty((count, size, size, images[0].shape[2]), np.float32)
    for i in range(count):
        image = images[int(rng.integers(len(images)))]
        top = int(rng.integers(0, image.shape[0] - size + 1))
        left = int(rng.integers(0, image.shape[1] - size + 1))
        crops[i] = image[top : top + size, left : left + size]
    return crops


def _descriptors(crops: np.ndarray, *, per_level: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Per pyramid level: (per_level, 7·7·3) random neighbourhoods from all crops."""
    pyramids = [laplacian_pyramid(crop) for crop in crops]
    result = []
    half = PATCH // 2
    for level in range(len(pyramids[0])):
        stack = np.stack([p[level] for p in pyramids])  # (N, h, w, 3)
        n, h, w, c = stack.shape
        which = rng.integers(0, n, per_level)
        ys = rng.integers(half, h - half, per_level)
        xs = rng.integers(half, w - half, per_level)
        offsets = np.arange(-half, half + 1)
        rows = ys[:, None, None] + offsets[None, :, None]
        cols = xs[:, None, None] + offsets[None, None, :]
        patches = stack[which[:, None, None], rows, cols]  # (per_level, 7, 7, 3)
        result.append(patches.reshape(per_level, PATCH * PATCH, c))
    return result


def sliced_wasserstein(
    real: np.ndarray, fake: np.ndarray, *, repeats: int = 4, directions: int = 512, rng: np.random.Generator
) -> float:
    """SWD between two (N, D) descriptor sets of equal N."""
    results = []
    for _ in range(repeats):
        dirs = rng.standard_normal((real.shape[1], directions)).astype(np.float32)
        dirs /= np.linalg.norm(dirs, axis=0, keepdims=True)
        projected_real = np.sort(real @ dirs, axis=0)
        projected_fake = np.sort(fake @ dirs, axis=0)
        results.append(float(np.mean(np.abs(projected_real - projected_fake))))
    return float(np.mean(results))


def swd(
    real_crops: np.ndarray, fake_crops: np.ndarray, *, patches_per_level: int = 32768, seed: int = 0
) -> dict[str, object]:
    """SWD ×1e3 per pyramid level and averaged, between two stacks of (N, 64, 64, 3) crops in [0, 1].

    Returns:
        ``{"levels": [finest … coarsest], "mean": float}``.
    """
    rng = np.random.default_rng(seed)
    real_levels = _descriptors(real_crops, per_level=patches_per_level, rng=rng)
    fake_levels = _descriptors(fake_crops, per_level=patches_per_level, rng=rng)
    distances = []
    for real, fake in zip(real_levels, fake_levels, strict=True):
        mean = real.mean(axis=(0, 1), keepdims=True)
        std = real.std(axis=(0, 1), keepdims=True) + 1e-8
        a = ((real - mean) / std).reshape(len(real), -1)
        b = ((fake - mean) / std).reshape(len(fake), -1)
        distances.append(1e3 * sliced_wasserstein(a, b, rng=rng))
    return {"levels": [round(d, 1) for d in distances], "mean": round(float(np.mean(distances)), 1)}


def seam_ratio(image: np.ndarray) -> float:
    """Mean |gradient| across the wrap-around seams ÷ mean |gradient| inside (1.0 = invisible seam).

    Arguments:
        image: (H, W) or (H, W, C).
    """
    data = image.astype(np.float32)
    inside_x = np.abs(np.diff(data, axis=1)).mean()
    inside_y = np.abs(np.diff(data, axis=0)).mean()
    seam_x = np.abs(data[:, 0] - data[:, -1]).mean()
    seam_y = np.abs(data[0] - data[-1]).mean()
    return float((seam_x + seam_y) / (inside_x + inside_y + 1e-12))


def loop_ratio(frames: Sequence[np.ndarray]) -> float:
    """Mean |last − first| ÷ median of mean |frame[t+1] − frame[t]| (1.0 = no pop at the wrap)."""
    steps = [
        float(np.abs(b.astype(np.float32) - a.astype(np.float32)).mean())
        for a, b in itertools.pairwise(frames)
    ]
    wrap = float(np.abs(frames[0].astype(np.float32) - frames[-1].astype(np.float32)).mean())
    return wrap / (float(np.median(steps)) + 1e-12)
