"""Plain forward kinematics of a RigSpec under a BoneAnimation (no constraints), as Blender poses bones.

Used to check the solver without Blender and to export BVH: a bone's armature-space pose matrix is
``parent_pose · parent_rest⁻¹ · rest · T(location) · R(rotation)``.
"""

from __future__ import annotations

import numpy as np

from .animation import BoneAnimation
from .quat import quat_to_matrix
from .rigspec import RigSpec


def pose_matrices(rig: RigSpec, anim: BoneAnimation) -> np.ndarray:
    """(T, N, 4, 4) armature-space pose matrices of every bone of ``rig``.

    Arguments:
        rig: the armature; anim: local rotations/location (bones not in ``anim`` stay at rest).
    Returns:
        pose matrices; heads are ``[..., :3, 3]``, bone axes the rotation columns.
    """
    frames, n = anim.frame_count, len(rig.bones)
    rest = np.tile(np.eye(4), (n, 1, 1))
    rest[:, :3, :3] = rig.rest_matrices
    rest[:, :3, 3] = rig.heads
    col = {b: k for k, b in enumerate(anim.bones)}
    out = np.empty((frames, n, 4, 4))
    done = np.zeros(n, dtype=bool)
    order: list[int] = []

    def visit(i: int) -> None:
        if done[i]:
            return
        p = rig.parents[i]
        if p is not None and rig.has(p):
            visit(rig.index(p))
        done[i] = True
        order.append(i)

    for i in range(n):
        visit(i)
    for i in order:
        basis = np.tile(np.eye(4), (frames, 1, 1))
        name = rig.bones[i]
        if name in col:
            basis[:, :3, :3] = quat_to_matrix(anim.rotations[:, col[name]])
        if name == anim.root_bone:
            basis[:, :3, 3] = anim.root_location
        p = rig.parents[i]
        if p is not None and rig.has(p):
            pi = rig.index(p)
            local = np.linalg.inv(rest[pi]) @ rest[i]
            out[:, i] = out[:, pi] @ local @ basis
        else:
            out[:, i] = rest[i] @ basis
    return out
