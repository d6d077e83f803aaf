"""Maps derived from a generated colour image: height, normal, roughness, alpha, HDR emission.

All derivatives wrap around the image edges, so the maps of a tileable texture tile too.
Images are (H, W, 3) float32 sRGB in [0, 1]; maps are (H, W) or (H, W, 3) float32.
"""

from __future__ import annotations

import numpy as np


def luminance(rgb: np.ndarray) -> np.ndarray:
    """Rec. 709 luma of an (H, W, 3) image → (H, W)."""
    return (rgb[..., 0] * 0.2126 + rgb[..., 1] * 0.7152 + rgb[..., 2] * 0.0722).astype(np.float32)


def srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4).astype(np.float32)


def normal_map(height: np.ndarray, *, strength: float = 4.0) -> np.ndarray:
    """Tangent-space normal map (OpenGL convention: green points up, as Blender expects).

    Arguments:
        height: (H, W) in [0, 1].
        strength: slope multiplier; larger = bumpier.

    Returns:
        (H, W, 3) in [0, 1], encoding n * 0.5 + 0.5.
    """
    d_dx = (np.roll(height, -1, axis=1) - np.roll(height, 1, axis=1)) * 0.5 * strength
    d_drow = (np.roll(height, -1, axis=0) - np.roll(height, 1, axis=0)) * 0.5 * strength
    normal = np.stack([-d_dx, d_drow, np.ones_like(height)], axis=-1)  # rows grow downwards: +y = -row
    normal /= np.linalg.norm(normal, axis=-1, keepdims=True)
    return (normal * 0.5 + 0.5).astype(np.float32)


def roughness_map(height: np.ndarray) -> np.ndarray:
    """Roughness from height: crevices (low) rough and dull, raised parts smoother (worn).

    Returns:
        (H, W) in [0.25, 0.95].
    """
    spread = float(height.max() - height.min()) or 1.0
    normalised = (height - height.min()) / spread
    return np.clip(0.95 - 0.55 * normalised, 0.25, 0.95).astype(np.float32)


def alpha_map(rgb: np.ndarray, *, low: float = 0.03, high: float = 0.6) -> np.ndarray:
    """Opacity of an emissive effect over black (fire, smoke, magic): smoothstep of the brightest channel."""
    value = np.clip((rgb.max(axis=-1) - low) / (high - low), 0.0, 1.0)
    return (value * value * (3 - 2 * value)).astype(np.float32)


def hdr_emission(rgb: np.ndarray, *, peak: float = 8.0) -> np.ndarray:
    """Linear HDR emission whose brightest parts reach ``peak`` (for bloom and lighting).

    The boost grows with luminance, so dark embers stay dim and cores go bright.
    """
    linear = srgb_to_linear(rgb)
    boost = peak ** np.clip(luminance(rgb), 0.0, 1.0) ** 2
    return (linear * boost[..., None]).astype(np.float32)
