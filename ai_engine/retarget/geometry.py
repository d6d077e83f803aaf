"""Geometry helpers of the solver: body axes, segment frames, the target's hierarchy and FK of points."""

from __future__ import annotations

import numpy as np

from .quat import matrix_to_quat, normalize, quat_rotate
from .rigspec import RigSpec

TORSO = ("hips", "spine", "chest", "neck", "head")


def hint_kind(joint: str) -> str:
    base = joint.split(".")[0]
    if base in TORSO or base in ("foot", "toe", "toe_tip"):
        return "left"
    return "forward"


class Body:
    """Body-relative axes (up, left, forward) of one pose, from its joint positions."""

    def __init__(self, pos: dict[str, np.ndarray]) -> None:
        hips = pos["hips"]
        top = next((pos[j] for j in ("neck", "chest", "head", "spine") if j in pos), None)
        up = normalize(top - hips) if top is not None else np.array([0.0, 0.0, 1.0])
        pairs = [("thigh.L", "thigh.R"), ("upper_arm.L", "upper_arm.R"), ("shoulder.L", "shoulder.R")]
        side = next((pos[a] - pos[b] for a, b in pairs if a in pos and b in pos), np.array([1.0, 0.0, 0.0]))
        left = normalize(side - np.sum(side * up, axis=-1, keepdims=True) * up)
        self.up, self.left, self.forward = up, left, np.cross(left, up)

    def hint(self, kind: str, primary: np.ndarray) -> np.ndarray:
        first = self.left if kind == "left" else self.forward
        alt = self.forward if kind == "left" else self.up
        weak = np.abs(np.sum(normalize(primary) * first, axis=-1, keepdims=True)) > 0.9
        return np.where(weak, alt, first)


def segment_frame(primary: np.ndarray, hint: np.ndarray) -> np.ndarray:
    """Rotation matrices whose Y axis is ``primary`` and X axis lies toward ``hint``."""
    y = normalize(primary)
    x = normalize(hint - np.sum(hint * y, axis=-1, keepdims=True) * y)
    z = np.cross(x, y)
    return np.stack((x, y, z), axis=-1)


class TargetView:
    """Target rest geometry and hierarchy queries on the RigSpec."""

    def __init__(self, rig: RigSpec) -> None:
        self.rig = rig
        self.animated = set(rig.bone_map.values())
        assert rig.rest_matrices is not None
        self.rest_q = matrix_to_quat(rig.rest_matrices)

    def _joint_index(self, j: str) -> int:
        bone = self.rig.joint_bone(j)
        if bone is None:
            raise KeyError(j)
        return self.rig.index(bone)

    def joint(self, j: str) -> np.ndarray:
        """Rest position of canonical joint ``j`` (head of its joint bone), armature space."""
        return self.rig.heads[self._joint_index(j)]

    def tail(self, j: str) -> np.ndarray:
        """Rest tail of ``j``'s joint bone."""
        return self.rig.tails[self._joint_index(j)]

    def carrier(self, bone: str | None) -> str | None:
        """The nearest animated bone that moves ``bone`` (itself, a follows target or an ancestor)."""
        seen = 0
        while bone is not None and seen < 10000:
            if bone in self.animated:
                return bone
            seen += 1
            bone = self.rig.follows.get(bone) or self.rig.parents[self.rig.index(bone)]
        return None

    def animated_parent(self, bone: str) -> str | None:
        parent = self.rig.follows.get(bone) or self.rig.parents[self.rig.index(bone)]
        return self.carrier(parent)

    def chain(self, bone: str | None) -> list[str]:
        """Animated bones from the top of the hierarchy down to ``bone`` (inclusive)."""
        out: list[str] = []
        while bone is not None:
            out.append(bone)
            bone = self.animated_parent(bone)
        return out[::-1]


def leg_length(points: dict[str, np.ndarray]) -> float:
    """Mean over sides of |hip→knee| + |knee→ankle| (median over frames for (T, 3) inputs)."""
    sums = []
    for s in "LR":
        keys = (f"thigh.{s}", f"shin.{s}", f"foot.{s}")
        if all(k in points for k in keys):
            a, b, c = (points[k] for k in keys)
            sums.append(np.median(np.linalg.norm(b - a, axis=-1) + np.linalg.norm(c - b, axis=-1)))
    return float(np.mean(sums)) if sums else float("nan")


def point_fk(
    tgt: TargetView, bone: str | None, point: np.ndarray, q_bone: dict[str, np.ndarray], root_loc: np.ndarray
) -> np.ndarray:
    """Where a rest-pose ``point`` rigidly attached to ``bone`` goes, per frame (armature space).

    Arguments:
        tgt: the target; bone: any bone (its nearest animated carrier moves the point).
        point: (3,) rest position; q_bone: animated bone → (T, 4) world rotation since rest.
        root_loc: (T, 3) armature-space translation of the root bone (moves everything below it).
    """
    rig = tgt.rig
    chain = tgt.chain(tgt.carrier(bone))
    if not chain:
        return root_loc + point
    pos = root_loc + rig.heads[rig.index(chain[0])]
    for a, b in zip(chain, [*chain[1:], None], strict=True):
        target = point if b is None else rig.heads[rig.index(b)]
        offset = np.broadcast_to(target - rig.heads[rig.index(a)], pos.shape)
        q = q_bone.get(a)
        pos = pos + (quat_rotate(q, offset) if q is not None else offset)
    return pos
