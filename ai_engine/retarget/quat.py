"""Vectorised rotation maths (numpy): quaternions wxyz, 3×3 matrices, BVH Euler angles.

Every function takes arrays with any leading shape (frames, bones …) and works on the last axis (or the
last two for matrices), so the solver never loops over frames in Python.
"""

from __future__ import annotations

import numpy as np

_EPS = 1e-12


def normalize(v: np.ndarray, axis: int = -1) -> np.ndarray:
    """Unit vectors along ``axis``; zero vectors stay zero (no NaN)."""
    n = np.linalg.norm(v, axis=axis, keepdims=True)
    return v / np.maximum(n, _EPS)


def quat_mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamilton product a⊗b (apply b, then a) of wxyz quaternions."""
    aw, ax, ay, az = np.moveaxis(a, -1, 0)
    bw, bx, by, bz = np.moveaxis(b, -1, 0)
    return np.stack(
        (
            aw * bw - ax * bx - ay * by - az * bz,
            aw * bx + ax * bw + ay * bz - az * by,
            aw * by - ax * bz + ay * bw + az * bx,
            aw * bz + ax * by - ay * bx + az * bw,
        ),
        axis=-1,
    )


def quat_conj(q: np.ndarray) -> np.ndarray:
    """Inverse of a unit quaternion."""
    return q * np.array([1.0, -1.0, -1.0, -1.0])


def quat_rotate(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rotate vectors ``v`` (…×3) by unit quaternions ``q`` (…×4)."""
    w = q[..., :1]
    u = q[..., 1:]
    t = 2.0 * np.cross(u, v)
    return v + w * t + np.cross(u, t)


def quat_to_matrix(q: np.ndarray) -> np.ndarray:
    """(…, 4) wxyz → (…, 3, 3) rotation matrices."""
    q = normalize(q)
    w, x, y, z = np.moveaxis(q, -1, 0)
    m = np.empty((*q.shape[:-1], 3, 3))
    m[..., 0, 0] = 1 - 2 * (y * y + z * z)
    m[..., 0, 1] = 2 * (x * y - w * z)
    m[..., 0, 2] = 2 * (x * z + w * y)
    m[..., 1, 0] = 2 * (x * y + w * z)
    m[..., 1, 1] = 1 - 2 * (x * x + z * z)
    m[..., 1, 2] = 2 * (y * z - w * x)
    m[..., 2, 0] = 2 * (x * z - w * y)
    m[..., 2, 1] = 2 * (y * z + w * x)
    m[..., 2, 2] = 1 - 2 * (x * x + y * y)
    return m


def matrix_to_quat(m: np.ndarray) -> np.ndarray:
    """(…, 3, 3) rotation matrices → (…, 4) wxyz unit quaternions with w ≥ 0 (robust branch choice)."""
    m = np.asarray(m, dtype=np.float64)
    shape = m.shape[:-2]
    m = m.reshape(-1, 3, 3)
    q = np.empty((m.shape[0], 4))
    tr = m[:, 0, 0] + m[:, 1, 1] + m[:, 2, 2]
    diag = np.stack((m[:, 0, 0], m[:, 1, 1], m[:, 2, 2]), axis=1)
    case = np.where(tr > diag.max(axis=1), 3, diag.argmax(axis=1))
    # w largest
    s = case == 3
    r = np.sqrt(np.maximum(1.0 + tr[s], _EPS)) * 2.0
    q[s, 0] = 0.25 * r
    q[s, 1] = (m[s, 2, 1] - m[s, 1, 2]) / r
    q[s, 2] = (m[s, 0, 2] - m[s, 2, 0]) / r
    q[s, 3] = (m[s, 1, 0] - m[s, 0, 1]) / r
    for i, j, k in ((0, 1, 2), (1, 2, 0), (2, 0, 1)):
        s = case == i
        r = np.sqrt(np.maximum(1.0 + m[s, i, i] - m[s, j, j] - m[s, k, k], _EPS)) * 2.0
        q[s, 0] = (m[s, k, j] - m[s, j, k]) / r
        q[s, 1 + i] = 0.25 * r
        q[s, 1 + j] = (m[s, j, i] + m[s, i, j]) / r
        q[s, 1 + k] = (m[s, k, i] + m[s, i, k]) / r
    q = normalize(q)
    q[q[:, 0] < 0] *= -1.0
    return q.reshape(*shape, 4)


def quat_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The shortest-arc rotation taking directions ``a`` onto ``b`` (…×3 each) as wxyz quaternions.

    Antiparallel pairs rotate 180° about an axis perpendicular to ``a``; zero vectors give identity.
    """
    a = normalize(a)
    b = normalize(b)
    d = np.sum(a * b, axis=-1, keepdims=True)
    axis = np.cross(a, b)
    q = np.concatenate((1.0 + d, axis), axis=-1)
    opposite = (d[..., 0] < -1.0 + 1e-9) & (np.linalg.norm(a, axis=-1) > 0.5)
    if np.any(opposite):
        ao = a[opposite]
        perp = np.cross(ao, np.array([1.0, 0.0, 0.0]))
        weak = np.linalg.norm(perp, axis=-1) < 1e-6
        perp[weak] = np.cross(ao[weak], np.array([0.0, 1.0, 0.0]))
        q[opposite] = np.concatenate((np.zeros((len(ao), 1)), normalize(perp)), axis=-1)
    zero = (np.linalg.norm(a, axis=-1) < 0.5) | (np.linalg.norm(b, axis=-1) < 0.5)
    q[zero] = (1.0, 0.0, 0.0, 0.0)
    return normalize(q)


def quat_continuous(q: np.ndarray, axis: int = 0) -> np.ndarray:
    """Flip signs along the time ``axis`` so consecutive quaternions lie in the same hemisphere.

    Blender interpolates quaternion f-curves component-wise; a sign flip between two keys would swing
    the bone through a wild in-between pose.
    """
    q = np.moveaxis(np.array(q, dtype=np.float64), axis, 0)
    if len(q) > 1:
        dots = np.sum(q[1:] * q[:-1], axis=-1)
        flips = np.cumprod(np.where(dots < 0, -1.0, 1.0), axis=0)
        q[1:] *= flips[..., None]
    return np.moveaxis(q, 0, axis)


def axis_rotation_matrices(axis: int, angles: np.ndarray) -> np.ndarray:
    """Rotation matrices (…×3×3) about the X, Y or Z ``axis`` by ``angles`` radians."""
    c, s = np.cos(angles), np.sin(angles)
    m = np.zeros((*np.shape(angles), 3, 3))
    i, j = [(1, 2), (2, 0), (0, 1)][axis]
    m[..., axis, axis] = 1.0
    m[..., i, i] = c
    m[..., j, j] = c
    m[..., i, j] = -s
    m[..., j, i] = s
    return m


def euler_to_matrix(angles: np.ndarray, order: str) -> np.ndarray:
    """BVH Euler angles → matrices: ``order`` is the channel order as written in the file, e.g. "ZXY".

    A BVH joint with channels ``Zrotation Xrotation Yrotation`` means M = Rz · Rx · Ry (the first
    channel is the outermost rotation), which is what Blender's importer builds with Euler order "YXZ".
    ``angles`` (…×3) are radians in X, Y, Z slots.
    """
    m = np.broadcast_to(np.eye(3), (*angles.shape[:-1], 3, 3)).copy()
    for letter in order:
        axis = "XYZ".index(letter)
        m = m @ axis_rotation_matrices(axis, angles[..., axis])
    return m


def angle_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle in degrees between direction vectors (…×3)."""
    d = np.sum(normalize(a) * normalize(b), axis=-1)
    return np.degrees(np.arccos(np.clip(d, -1.0, 1.0)))


def matrix_to_euler(m: np.ndarray, order: str = "XYZ") -> np.ndarray:
    """Rotation matrices → Euler angles (…×3, radians, X Y Z slots) in a Blender rotation mode.

    ``order`` is Blender's rotation mode ("XYZ" applies X first: M = Rz · Ry · Rx). Angles are
    unwrapped along the first axis so f-curves do not jump by 2π.
    """
    i, j, k = ("XYZ".index(c) for c in order)
    parity = 1.0 if (j - i) % 3 == 1 else -1.0  # even permutation of XYZ
    # M = R_k(c) R_j(b) R_i(a): read the angles from the permuted matrix.
    cb = np.sqrt(m[..., i, i] ** 2 + m[..., j, i] ** 2)
    singular = cb < 1e-9
    a = np.arctan2(parity * m[..., k, j], m[..., k, k])
    b = np.arctan2(-parity * m[..., k, i], cb)
    c = np.arctan2(parity * m[..., j, i], m[..., i, i])
    a = np.where(singular, np.arctan2(-parity * m[..., j, k], m[..., j, j]), a)
    c = np.where(singular, 0.0, c)
    out = np.empty((*m.shape[:-2], 3))
    out[..., i], out[..., j], out[..., k] = a, b, c
    if out.ndim >= 2 and len(out) > 1:
        out = np.unwrap(out, axis=0)
    return out
