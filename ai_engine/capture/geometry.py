"""Small rotation helpers (numpy only): Kabsch fits, camera ↔ Blender axes. (Matrices ↔ quaternions:
``ai_engine.retarget.quat``, one implementation for both features.)"""

from __future__ import annotations

import numpy as np

# MediaPipe/camera axes (x right, y down, z away from the camera) → Blender world (Z up, the filmed
# person facing the camera faces -Y): X = x, Y = z, Z = -y. A proper rotation (det +1).
CAMERA_TO_BLENDER = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]])


def camera_to_blender(points: np.ndarray) -> np.ndarray:
    """Convert (..., 3) points from camera axes to Blender axes."""
    return points @ CAMERA_TO_BLENDER.T


def kabsch(source: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
    """Similarity (R, s, t) minimising ||s R source + t - target|| over (N, 3) point sets."""
    mu_s, mu_t = source.mean(0), target.mean(0)
    a, b = source - mu_s, target - mu_t
    u, sigma, vt = np.linalg.svd(b.T @ a)
    d = np.sign(np.linalg.det(u @ vt))
    fix = np.diag([1.0, 1.0, d])
    rotation = u @ fix @ vt
    var = float((a**2).sum())
    scale = float((sigma * np.diag(fix)).sum() / var) if var > 0 else 1.0
    return rotation, scale, mu_t - scale * rotation @ mu_s
