"""Head rotation from the face onto a rig's neck and head bones (numpy; the add-on only writes keys)."""

from __future__ import annotations

import numpy as np

from ..retarget.quat import matrix_to_quat, quat_to_matrix


def _power(q: np.ndarray, share: float) -> np.ndarray:
    """The rotation ``share`` of the way from identity to unit quaternions q (T, 4)."""
    q = q * np.where(q[:, :1] < 0, -1.0, 1.0)
    angle = 2.0 * np.arccos(np.clip(q[:, 0], -1.0, 1.0))
    axis = q[:, 1:] / np.maximum(np.linalg.norm(q[:, 1:], axis=1, keepdims=True), 1e-12)
    half = share * angle / 2.0
    return np.column_stack([np.cos(half), axis * np.sin(half)[:, None]])


def head_bone_rotations(
    head_rotation: np.ndarray,
    valid: np.ndarray,
    rest_matrices: list[np.ndarray],
    object_rotation: np.ndarray,
    shares: list[float],
) -> np.ndarray:
    """Pose-space (local) quaternions that turn each bone by its share of the head's rotation.

    Arguments:
        head_rotation: (T, 4) wxyz, Blender world axes, relative to the neutral pose (``face_curves``).
        valid: (T,) frames with a face; the others hold the nearest tracked rotation.
        rest_matrices: per bone, its 3×3 rest orientation in armature space (``bone.matrix_local``).
        object_rotation: the armature object's 3×3 world rotation (scale removed).
        shares: per bone, how much of the rotation it takes (e.g. neck 0.4, head 0.6; they compound).

    Returns:
        (T, B, 4) wxyz local rotations, ready for ``rotation_quaternion``.
    """
    frames = head_rotation.shape[0]
    q = np.tile([1.0, 0.0, 0.0, 0.0], (frames, 1))
    tracked = np.flatnonzero(valid)
    if tracked.size:
        nearest = tracked[np.abs(np.arange(frames)[:, None] - tracked[None, :]).argmin(axis=1)]
        q = head_rotation[nearest].astype(np.float64)
    out = np.empty((frames, len(rest_matrices), 4))
    for b, (rest, share) in enumerate(zip(rest_matrices, shares, strict=True)):
        world = quat_to_matrix(_power(q, share))
        basis = object_rotation @ np.asarray(rest, np.float64)  # bone axes in world space
        local = np.einsum("ji,tjk,kl->til", basis, world, basis)
        out[:, b] = matrix_to_quat(local)
    # Sign-continuous over time so interpolation takes the short way.
    for b in range(out.shape[1]):
        for t in range(1, frames):
            if np.dot(out[t, b], out[t - 1, b]) < 0:
                out[t, b] *= -1
    return out
