"""The retargeting solver: ``SkeletonAnimation`` + ``RigSpec`` → ``BoneAnimation``.

Each canonical joint j owns a *segment*: from j to its nearest canonical descendant that both sides
have (or the bone's tail). The solver finds, per frame, the world rotation ``Q_j`` (since rest) of the
target segment such that:

- its direction equals the source segment's direction exactly (a final shortest-arc "swing fix"), so
  proportions, rest-pose differences (T vs A pose) and bone rolls never bend the result;
- its twist follows the source bone's rotation when the source has rotations (BVH, armatures): the
  target rest is aligned onto the source reference pose through body-relative frames (segment
  direction + the body's left/forward), ``Q_j = D_j · A_j`` where D_j is the source bone's rotation
  since its reference; positions-only sources (video) get twist from the joint planes: hips from
  the thighs' line, chest from the shoulders' line, upper arms and thighs from the elbow/knee plane,
  hands from the knuckles (palm plane), the rest by the shortest swing from their parent.

Local pose rotations come from the world ones: ``L_b = R_b⁻¹ · Q_parent⁻¹ · Q_b · R_b`` (R_b the
bone's rest matrix), where the parent is the nearest animated ancestor (following the rig's
Copy-Transforms ``follows``), so unmapped in-between bones simply ride along. Root motion is scaled by
the leg-length ratio. Feet that stand still in the source are locked (``footlock.py``). Everything is
vectorised over frames; the Python loops run over joints only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import BadMotionFile
from ..gaps import fill_gaps
from ..progress import ProgressFn, StopFn, check_stop, never_stop, no_progress
from .animation import BoneAnimation
from .footlock import detect_contacts, lock_feet, root_correction
from .geometry import Body, TargetView, hint_kind, leg_length, point_fk, segment_frame
from .quat import (
    matrix_to_quat,
    normalize,
    quat_between,
    quat_conj,
    quat_continuous,
    quat_mul,
    quat_rotate,
    quat_to_matrix,
)
from .rigspec import RigSpec
from .skeleton import BODY_JOINTS, CANONICAL_CHILD, FINGER_JOINTS, SkeletonAnimation

CANONICAL_PARENT: dict[str, str] = {c: p for p, c in CANONICAL_CHILD.items()}
for _s in "LR":
    CANONICAL_PARENT[f"shoulder.{_s}"] = "chest"
    CANONICAL_PARENT[f"upper_arm.{_s}"] = f"shoulder.{_s}"
    CANONICAL_PARENT[f"thigh.{_s}"] = "hips"
    for _f in ("thumb", "index", "middle", "ring", "pinky"):
        CANONICAL_PARENT[f"{_f}.01.{_s}"] = f"hand.{_s}"
ORDER = [*BODY_JOINTS, *FINGER_JOINTS]


# Limb → (middle joint, end joint, the way the middle joint bends: +1 forward (elbow), -1 back (knee)).
_HINGES: dict[str, tuple[str, str, float]] = {
    "upper_arm": ("forearm", "hand", 1.0),
    "thigh": ("shin", "foot", -1.0),
}


def _hinge_twist(
    q: np.ndarray,
    joint: str,
    hinge: tuple[str, str, float],
    s_dir: np.ndarray,
    t_dir: np.ndarray,
    src_pos: np.ndarray,
    sidx: dict[str, int],
    tgt_body: Body,
) -> np.ndarray:
    """Twist an upper limb from its joint plane (positions-only sources): the elbow/knee bends about
    the same axis on the target as in the source. Blends back to the parent's twist when the limb is
    nearly straight (the plane is then undefined)."""
    side = joint.split(".")[1]
    middle, end, sign = hinge[0] + "." + side, hinge[1] + "." + side, hinge[2]
    if middle not in sidx or end not in sidx:
        return q
    lower = src_pos[:, sidx[end]] - src_pos[:, sidx[middle]]
    normal = np.cross(s_dir, lower)
    bend = np.degrees(np.arctan2(np.linalg.norm(normal, axis=-1), np.sum(s_dir * lower, axis=-1)))
    rest_normal = np.cross(t_dir, sign * tgt_body.forward)
    frame_src = segment_frame(s_dir, normal)
    frame_tgt = segment_frame(t_dir, rest_normal)
    q_hinge = matrix_to_quat(frame_src @ np.swapaxes(frame_tgt, -1, -2))
    weight = np.clip((bend - 5.0) / 15.0, 0.0, 1.0)[:, None]
    q_hinge = np.where(np.sum(q_hinge * q, axis=-1, keepdims=True) < 0, -q_hinge, q_hinge)
    return normalize((1.0 - weight) * q + weight * q_hinge)


def _knuckles(joint: str, sidx: dict[str, int], tgt: TargetView) -> list[str]:
    """A hand's knuckles (finger .01 joints) both sides have, when they include index and pinky."""
    if not joint.startswith("hand."):
        return []
    side = joint.split(".")[1]
    found = []
    for finger in ("index", "middle", "ring", "pinky"):
        k = f"{finger}.01.{side}"
        bone = tgt.rig.joint_bone(k)
        if k in sidx and bone is not None and tgt.rig.has(bone):
            found.append(k)
    return found if {f"index.01.{side}", f"pinky.01.{side}"} <= set(found) else []


def solve(
    skeleton: SkeletonAnimation,
    rig: RigSpec,
    *,
    foot_lock: bool = True,
    progress: ProgressFn = no_progress,
    should_stop: StopFn = never_stop,
) -> BoneAnimation:
    """Retarget a canonical skeleton animation onto a rig.

    Arguments:
        skeleton: the source motion (world axes; see ``skeleton.SkeletonAnimation``).
        rig: the target (bone map included); validated here.
        foot_lock: keep feet that stand still in the source still on the target.
        progress, should_stop: the usual callbacks.
    Returns:
        BoneAnimation with one rotation track per mapped bone and the root bone's location.
    Raises:
        BadRig: missing mapped bones, no hips, non-uniform scale.
        BadMotionFile: the source has no frames or no hips.
        Cancelled: should_stop() returned True.
    """
    rig.validate()
    if skeleton.frame_count == 0:
        raise BadMotionFile("The source motion has zero frames; pick a take with animation.")
    if "hips" not in skeleton.joints:
        raise BadMotionFile("The source motion has no hips joint; map its pelvis to 'hips'.")
    progress(0.0, "preparing")
    tgt = TargetView(rig)
    src = _Source.of(skeleton, rig)
    q_world = _Segments(src, tgt).world_rotations(progress, should_stop)
    progress(0.55, "root motion")
    root_loc_arm, leg_ratio = _root_motion(
        src.world_pos, skeleton.rest_positions, tgt, q_world, src.joints, src.sidx, src.to_arm
    )
    contacts = None
    legs = all(f"{k}.{s}" in q_world for k in ("thigh", "shin") for s in "LR")
    if foot_lock and legs and all(rig.joint_bone(f"foot.{s}") and f"foot.{s}" in src.sidx for s in "LR"):
        check_stop(should_stop)
        progress(0.65, "foot contacts")
        root_loc_arm, contacts = _lock_feet(skeleton, src, tgt, q_world, root_loc_arm, leg_ratio)
    check_stop(should_stop)
    progress(0.8, "local rotations")
    return _to_local(skeleton, tgt, q_world, src.joints, root_loc_arm, contacts, leg_ratio)


@dataclass
class _Source:
    """The source motion in the target's armature space (the object's rotation and uniform scale
    removed), gaps filled, and the joints that take part: mapped on the rig and observed at least once."""

    skeleton: SkeletonAnimation
    obj: np.ndarray  # (4, 4) the target object's world matrix
    scale: float
    obj_rot: np.ndarray  # (3, 3) its rotation
    obj_q: np.ndarray  # (4,) the same as a quaternion
    world_pos: np.ndarray  # (T, J, 3) world positions, gaps filled
    src_pos: np.ndarray  # (T, J, 3) in armature space
    src_tails: np.ndarray | None
    ref_pos: np.ndarray | None  # (J, 3) the reference (rest) pose in armature space
    joints: list[str]  # canonical joints solved, in ORDER
    sidx: dict[str, int]  # observed joint → its index in the skeleton

    @classmethod
    def of(cls, skeleton: SkeletonAnimation, rig: RigSpec) -> _Source:
        obj = rig.object_matrix
        scale = float(np.cbrt(abs(np.linalg.det(obj[:3, :3]))))
        obj_rot = obj[:3, :3] / scale
        observed = skeleton.positions.copy()
        if skeleton.valid is not None:
            observed[~np.asarray(skeleton.valid, dtype=bool)] = np.nan  # gaps are filled, never trusted
        world_pos, _ = fill_gaps(observed, ~np.isnan(observed).any(axis=-1), hold_ends=True)
        seen = np.isfinite(world_pos).all(axis=(0, 2))  # a joint never observed takes no part
        sidx = {j: k for k, j in enumerate(skeleton.joints) if seen[k]}
        if "hips" not in sidx:
            raise BadMotionFile("The source's hips were never observed; nothing can be retargeted.")
        joints = [j for j in ORDER if j in skeleton.joints and j in rig.bone_map and j in sidx]
        translation = obj[:3, 3]

        def to_arm(p: np.ndarray) -> np.ndarray:
            return ((p - translation) @ obj_rot) / scale

        return cls(
            skeleton=skeleton,
            obj=obj,
            scale=scale,
            obj_rot=obj_rot,
            obj_q=matrix_to_quat(obj_rot),
            world_pos=world_pos,
            src_pos=to_arm(world_pos),
            src_tails=to_arm(skeleton.tails) if skeleton.tails is not None else None,
            ref_pos=to_arm(skeleton.rest_positions) if skeleton.rest_positions is not None else None,
            joints=joints,
            sidx=sidx,
        )

    def to_arm(self, p: np.ndarray) -> np.ndarray:
        """World points → the target's armature space."""
        return ((p - self.obj[:3, 3]) @ self.obj_rot) / self.scale

    @property
    def use_rotations(self) -> bool:
        """The source has bone rotations and a reference pose (BVH, armatures): twist follows them."""
        return self.skeleton.rotations is not None and self.ref_pos is not None


class _Segments:
    """The world rotation of each canonical joint's target segment, joint by joint (see the module)."""

    def __init__(self, src: _Source, tgt: TargetView) -> None:
        self.src, self.tgt, self.rig = src, tgt, tgt.rig
        sidx = src.sidx
        # Body axes of the target rest, of the source reference, and per frame (positions-only mode).
        self.tgt_body = Body({j: tgt.joint(j) for j in src.joints if self.rig.joint_bone(j)})
        self.ref_body = Body({j: src.ref_pos[sidx[j]] for j in sidx}) if src.ref_pos is not None else None
        self.cur_body = Body({j: src.src_pos[:, sidx[j]] for j in sidx})
        self.identity = np.tile([1.0, 0.0, 0.0, 0.0], (src.skeleton.frame_count, 1))
        self.q_world: dict[str, np.ndarray] = {}
        self.rot_since_ref: dict[str, np.ndarray] = {}
        self.ref_rot: np.ndarray | None = None
        rotations = src.skeleton.rotations
        if rotations is not None and src.use_rotations:
            obj_q = src.obj_q
            rots = quat_mul(np.broadcast_to(quat_conj(obj_q), (1, 4)), rotations)  # into armature axes
            self.ref_rot = (
                quat_mul(quat_conj(obj_q), src.skeleton.rest_rotations)
                if src.skeleton.rest_rotations is not None
                else np.tile([1.0, 0.0, 0.0, 0.0], (len(sidx), 1))
            )
            for j in src.joints:
                self.rot_since_ref[j] = quat_mul(rots[:, sidx[j]], quat_conj(self.ref_rot[sidx[j]]))

    def world_rotations(self, progress: ProgressFn, should_stop: StopFn) -> dict[str, np.ndarray]:
        joints = self.src.joints
        for n, j in enumerate(joints):
            if n % 6 == 0:
                check_stop(should_stop)
                progress(0.05 + 0.5 * n / len(joints), f"solving {j}")
            self.q_world[j] = normalize(self.rotation(j))
        return self.q_world

    # -- one joint --------------------------------------------------------------------------------
    def rotation(self, j: str) -> np.ndarray:
        """The joint's world rotation: its twist (from the source's rotations or from the joint
        planes), then the swing that makes the target segment point exactly like the source's."""
        src, tgt = self.src, self.tgt
        end = self.seg_end(j)
        t_dir = self.tgt_end(j, end) - tgt.joint(j) if j != "hips" else None
        s_end = self.src_end(j, end, src.src_pos, src.src_tails, None)
        s_dir = s_end - src.src_pos[:, src.sidx[j]] if s_end is not None and t_dir is not None else None
        degenerate = bool(t_dir is None or np.linalg.norm(t_dir) < 1e-6)
        if src.use_rotations:
            q = self.from_source_rotation(j, end, t_dir, s_dir, degenerate)
        else:
            knuckles = _knuckles(j, src.sidx, tgt)
            if knuckles:
                return self.from_palm(j, knuckles)  # an exact frame map: no swing fix needed after it
            q = self.from_positions(j, t_dir, s_dir, degenerate)
        if s_dir is not None and t_dir is not None and not degenerate and j != "hips":
            q = _swing_fix(q, t_dir, s_dir)
        return q

    def from_source_rotation(
        self, j: str, end: str, t_dir: np.ndarray | None, s_dir: np.ndarray | None, degenerate: bool
    ) -> np.ndarray:
        """``Q_j = D_j · A_j``: the source bone's rotation since its reference, after aligning the
        target rest onto the source reference through body-relative frames."""
        src = self.src
        ref_pos, ref_body = src.ref_pos, self.ref_body
        assert ref_pos is not None and ref_body is not None
        kind = hint_kind(j)
        r_end = self.src_end(j, end, ref_pos, None, self.ref_rot)
        r_dir = r_end - ref_pos[src.sidx[j]] if r_end is not None else None
        if t_dir is None or degenerate or r_dir is None or np.linalg.norm(r_dir) < 1e-6 or s_dir is None:
            f_src, f_tgt = (
                segment_frame(ref_body.up, ref_body.left),
                segment_frame(self.tgt_body.up, self.tgt_body.left),
            )
        else:
            f_src = segment_frame(r_dir, ref_body.hint(kind, r_dir))
            f_tgt = segment_frame(t_dir, self.tgt_body.hint(kind, t_dir))
        align = matrix_to_quat(f_src @ f_tgt.T)
        return quat_mul(self.rot_since_ref[j], align)

    def from_positions(
        self, j: str, t_dir: np.ndarray | None, s_dir: np.ndarray | None, degenerate: bool
    ) -> np.ndarray:
        """Twist from the joint planes (positions-only sources): hips from the thighs' line, chest
        from the shoulders', upper limbs from the elbow/knee plane, the rest from their parent."""
        sidx, cur_body, tgt_body = self.src.sidx, self.cur_body, self.tgt_body
        if j == "hips" or degenerate or s_dir is None:
            f_cur = segment_frame(cur_body.up, cur_body.left)
            return matrix_to_quat(f_cur @ segment_frame(tgt_body.up, tgt_body.left).T)
        if t_dir is not None and j == "chest" and {"upper_arm.L", "upper_arm.R"} <= set(sidx):
            f_cur = segment_frame(s_dir, cur_body.left)
            return matrix_to_quat(f_cur @ segment_frame(t_dir, tgt_body.left).T)
        parent = CANONICAL_PARENT.get(j)
        while parent is not None and parent not in self.q_world:
            parent = CANONICAL_PARENT.get(parent)
        q = self.q_world[parent] if parent else self.identity
        hinge = _HINGES.get(j.split(".")[0])
        if hinge and s_dir is not None and t_dir is not None and j.endswith((".L", ".R")):
            q = _hinge_twist(q, j, hinge, s_dir, t_dir, self.src.src_pos, sidx, tgt_body)
        return q

    def from_palm(self, j: str, knuckles: list[str]) -> np.ndarray:
        """A hand with knuckles on both sides: it points at their middle, twisted like the palm
        (the index → pinky line)."""
        src_pos, sidx, tgt = self.src.src_pos, self.src.sidx, self.tgt
        side = j.split(".")[1]
        a, b = f"index.01.{side}", f"pinky.01.{side}"
        toward = np.mean([src_pos[:, sidx[k]] for k in knuckles], axis=0) - src_pos[:, sidx[j]]
        rest_toward = np.mean([tgt.joint(k) for k in knuckles], axis=0) - tgt.joint(j)
        f_cur = segment_frame(toward, src_pos[:, sidx[a]] - src_pos[:, sidx[b]])
        return matrix_to_quat(f_cur @ segment_frame(rest_toward, tgt.joint(a) - tgt.joint(b)).T)

    # -- segment ends -----------------------------------------------------------------------------
    def seg_end(self, j: str) -> str:
        """The canonical joint ending j's segment on both sides, or "" for the bone's tail."""
        c = CANONICAL_CHILD.get(j)
        while c is not None:
            bone = self.rig.joint_bone(c)
            if c in self.src.sidx and bone is not None and self.rig.has(bone):
                return c
            c = CANONICAL_CHILD.get(c)
        return ""

    def src_end(
        self, j: str, end: str, pos: np.ndarray, tails: np.ndarray | None, rot: np.ndarray | None
    ) -> np.ndarray | None:
        """Source segment end: the end joint, else a tip joint, else the bone's tail or Y axis."""
        sidx = self.src.sidx
        if end:
            return pos[..., sidx[end], :]
        tip = CANONICAL_CHILD.get(j)
        if tip in sidx:
            return pos[..., sidx[tip], :]
        if tails is not None:
            return tails[..., sidx[j], :]
        if rot is not None:
            y = (
                np.broadcast_to([0.0, 1.0, 0.0], (*rot.shape[:-2], 3))
                if rot.ndim > 2
                else np.array([0.0, 1.0, 0.0])
            )
            return pos[..., sidx[j], :] + quat_rotate(rot[..., sidx[j], :], y)
        return None

    def tgt_end(self, j: str, end: str) -> np.ndarray:
        return self.tgt.joint(end) if end else self.tgt.tail(j)


def _swing_fix(q: np.ndarray, t_dir: np.ndarray, s_dir: np.ndarray) -> np.ndarray:
    """The shortest arc after ``q`` that makes the target segment point exactly along the source's."""
    valid = np.linalg.norm(s_dir, axis=-1) > 1e-9
    fix = quat_between(quat_rotate(q, np.broadcast_to(t_dir, s_dir.shape)), s_dir)
    fix[~valid] = (1.0, 0.0, 0.0, 0.0)
    return quat_mul(fix, q)


def _lock_feet(
    skeleton: SkeletonAnimation,
    src: _Source,
    tgt: TargetView,
    q_world: dict[str, np.ndarray],
    root_loc_arm: np.ndarray,
    leg_ratio: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Feet that stand still in the source stay still: the root is corrected, then the legs locked
    (``q_world`` is updated in place). Returns the corrected root location and the contacts."""
    sidx = src.sidx
    contacts = (
        skeleton.contacts
        if skeleton.contacts is not None
        else detect_contacts(src.world_pos, sidx, skeleton.fps)
    )
    src_ankles = {s: src.src_pos[:, sidx[f"foot.{s}"]] for s in "LR" if f"foot.{s}" in sidx}
    up = src.obj_rot.T @ np.array([0.0, 0.0, 1.0])
    if len(src_ankles) == 2:
        root_loc_arm = root_loc_arm + root_correction(
            tgt, q_world, root_loc_arm, contacts, point_fk, src_ankles, leg_ratio, up
        )
    lock_feet(tgt, q_world, root_loc_arm, contacts, skeleton.fps, point_fk, src_ankles, leg_ratio, up)
    return root_loc_arm, contacts


def _root_motion(
    world_pos: np.ndarray,
    world_ref: np.ndarray | None,
    tgt: TargetView,
    q_world: dict[str, np.ndarray],
    joints: list[str],
    sidx: dict[str, int],
    to_arm: Callable[[np.ndarray], np.ndarray],
) -> tuple[np.ndarray, float]:
    """Armature-space translation of the root bone so the hips follow the source, scaled by leg length.

    Heights and the ground are judged in world space (Z up) — the target armature itself may be Y-up
    under a rotated object (FBX imports).
    """
    rig = tgt.rig
    obj = rig.object_matrix
    q_bone = {rig.bone_map[j]: q for j, q in q_world.items()}

    def tgt_world(j: str) -> np.ndarray:
        return obj[:3, :3] @ tgt.joint(j) + obj[:3, 3]

    src_points = {j: world_pos[:, sidx[j]] for j in sidx}
    tgt_points = {j: tgt_world(j) for j in joints if rig.joint_bone(j)}
    ref_points = {j: world_ref[sidx[j]] for j in sidx} if world_ref is not None else src_points
    ratio = leg_length(tgt_points) / leg_length(ref_points)
    if not np.isfinite(ratio) or ratio <= 0:
        ratio = 1.0
    feet = [j for j in ("foot.L", "foot.R", "toe.L", "toe.R") if j in sidx and rig.joint_bone(j)]
    hips = world_pos[:, sidx["hips"]]
    want = np.empty_like(hips)
    want[:, :2] = tgt_world("hips")[:2] + ratio * (hips[:, :2] - hips[0, :2])
    if feet:
        lowest = np.min(np.stack([world_pos[:, sidx[j], 2] for j in feet], axis=1), axis=1)
        src_ground = float(np.percentile(lowest, 2))
        tgt_ground = min(float(tgt_world(j)[2]) for j in feet)
        want[:, 2] = tgt_ground + ratio * (hips[:, 2] - src_ground)
    else:
        want[:, 2] = tgt_world("hips")[2] + ratio * (hips[:, 2] - hips[0, 2])
    zero = np.zeros_like(hips)
    placed = point_fk(tgt, rig.joint_bone("hips"), tgt.joint("hips"), q_bone, zero)
    return to_arm(want) - placed, ratio


def _to_local(
    skeleton: SkeletonAnimation,
    tgt: TargetView,
    q_world: dict[str, np.ndarray],
    joints: list[str],
    root_loc_arm: np.ndarray,
    contacts: np.ndarray | None,
    leg_ratio: float,
) -> BoneAnimation:
    rig = tgt.rig
    q_bone = {rig.bone_map[j]: q_world[j] for j in joints}
    bones = list(q_bone)
    frames = skeleton.frame_count
    out = np.empty((frames, len(bones), 4))
    for k, b in enumerate(bones):
        parent = tgt.animated_parent(b)
        rel = quat_mul(quat_conj(q_bone[parent]), q_bone[b]) if parent in q_bone else q_bone[b]
        rest = tgt.rest_q[rig.index(b)]
        out[:, k] = quat_mul(quat_mul(quat_conj(rest), rel), rest)
    out = quat_continuous(normalize(out), axis=0)
    root = rig.root_bone
    root_loc = np.zeros((frames, 3))
    if root is not None:
        parent = tgt.animated_parent(root)
        loc = root_loc_arm
        if parent in q_bone:
            loc = quat_rotate(quat_conj(q_bone[parent]), loc)
        root_loc = loc @ quat_to_matrix(tgt.rest_q[rig.index(root)])
    return BoneAnimation(
        bones=bones,
        rotations=out,
        root_bone=root,
        root_location=root_loc,
        fps=skeleton.fps,
        source_name=skeleton.source_name,
        properties=dict(rig.properties),
        contacts=contacts,
        meta={"leg_ratio": leg_ratio, "joints": joints},
    )


__all__ = ["CANONICAL_PARENT", "leg_length", "point_fk", "solve"]
