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
  the thighs' line, chest from the shoulders' line, limbs by the shortest swing from their parent.

Local pose rotations come from the world ones: ``L_b = R_b⁻¹ · Q_parent⁻¹ · Q_b · R_b`` (R_b the
bone's rest matrix), where the parent is the nearest animated ancestor (following the rig's
Copy-Transforms ``follows``), so unmapped in-between bones simply ride along. Root motion is scaled by
the leg-length ratio. Feet that stand still in the source are locked (``footlock.py``). Everything is
vectorised over frames; the Python loops run over joints only.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..errors import BadMotionFile, BadRig
from ..progress import ProgressFn, StopFn, check_stop, never_stop, no_progress
from .animation import BoneAnimation
from .footlock import detect_contacts, lock_feet, root_correction
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
TORSO = ("hips", "spine", "chest", "neck", "head")
ORDER = [*BODY_JOINTS, *FINGER_JOINTS]


def _hint_kind(joint: str) -> str:
    base = joint.split(".")[0]
    if base in TORSO or base in ("foot", "toe", "toe_tip"):
        return "left"
    return "forward"


class _Body:
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


def _frame(primary: np.ndarray, hint: np.ndarray) -> np.ndarray:
    """Rotation matrices whose Y axis is ``primary`` and X axis lies toward ``hint``."""
    y = normalize(primary)
    x = normalize(hint - np.sum(hint * y, axis=-1, keepdims=True) * y)
    z = np.cross(x, y)
    return np.stack((x, y, z), axis=-1)


def _fill_gaps(pos: np.ndarray) -> np.ndarray:
    """Linear interpolation over NaN gaps per joint (held at the ends); all-NaN joints stay NaN."""
    out = pos.copy()
    t = np.arange(len(pos))
    for j in range(pos.shape[1]):
        bad = np.isnan(pos[:, j]).any(axis=1)
        if bad.any() and (~bad).any():
            for c in range(3):
                out[bad, j, c] = np.interp(t[bad], t[~bad], pos[~bad, j, c])
    return out


class _Target:
    """Target rest geometry and hierarchy queries on the RigSpec."""

    def __init__(self, rig: RigSpec) -> None:
        self.rig = rig
        self.animated = set(rig.bone_map.values())
        self.rest_q = matrix_to_quat(rig.rest_matrices)

    def joint(self, j: str) -> np.ndarray:
        return self.rig.heads[self.rig.index(self.rig.joint_bone(j))]

    def tail(self, j: str) -> np.ndarray:
        return self.rig.tails[self.rig.index(self.rig.joint_bone(j))]

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
    tgt = _Target(rig)
    frames = skeleton.frame_count
    # Source into the target's armature space (the object's rotation/uniform scale removed).
    obj = rig.object_matrix
    scale = float(np.cbrt(abs(np.linalg.det(obj[:3, :3]))))
    obj_rot = obj[:3, :3] / scale
    obj_q = matrix_to_quat(obj_rot)

    def to_arm(p: np.ndarray) -> np.ndarray:
        return ((p - obj[:3, 3]) @ obj_rot) / scale

    world_pos = _fill_gaps(skeleton.positions)
    src_pos = to_arm(world_pos)
    src_tails = to_arm(skeleton.tails) if skeleton.tails is not None else None
    has_ref = skeleton.rest_positions is not None
    use_rot = skeleton.rotations is not None and has_ref
    ref_pos = to_arm(skeleton.rest_positions) if has_ref else None
    joints = [j for j in ORDER if j in skeleton.joints and j in rig.bone_map]
    sidx = {j: skeleton.joints.index(j) for j in skeleton.joints}

    def seg_end(j: str) -> str:
        """The canonical joint ending j's segment on both sides, or "" for the bone's tail."""
        c = CANONICAL_CHILD.get(j)
        while c is not None:
            bone = rig.joint_bone(c)
            if c in sidx and bone is not None and rig.has(bone):
                return c
            c = CANONICAL_CHILD.get(c)
        return ""

    def src_end(
        j: str, end: str, pos: np.ndarray, tails: np.ndarray | None, rot: np.ndarray | None
    ) -> np.ndarray | None:
        """Source segment end: the end joint, else a tip joint, else the bone's tail or Y axis."""
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

    def tgt_end(j: str, end: str) -> np.ndarray:
        return tgt.joint(end) if end else tgt.tail(j)

    # Body axes of the target rest, of the source reference, and per frame (positions-only mode).
    tgt_body = _Body({j: tgt.joint(j) for j in joints if rig.joint_bone(j)})
    ref_body = _Body({j: ref_pos[sidx[j]] for j in sidx}) if has_ref else None
    cur_body = _Body({j: src_pos[:, sidx[j]] for j in sidx})
    q_world: dict[str, np.ndarray] = {}
    identity = np.tile([1.0, 0.0, 0.0, 0.0], (frames, 1))
    rot_since_ref: dict[str, np.ndarray] = {}
    if use_rot:
        rots = quat_mul(np.broadcast_to(quat_conj(obj_q), (1, 4)), skeleton.rotations)  # into armature axes
        ref_rot = (
            quat_mul(quat_conj(obj_q), skeleton.rest_rotations)
            if skeleton.rest_rotations is not None
            else np.tile([1.0, 0.0, 0.0, 0.0], (len(sidx), 1))
        )
        for j in joints:
            rot_since_ref[j] = quat_mul(rots[:, sidx[j]], quat_conj(ref_rot[sidx[j]]))
    for n, j in enumerate(joints):
        if n % 6 == 0:
            check_stop(should_stop)
            progress(0.05 + 0.5 * n / len(joints), f"solving {j}")
        end = seg_end(j)
        kind = _hint_kind(j)
        t_dir = tgt_end(j, end) - tgt.joint(j) if j != "hips" else None
        s_end = src_end(j, end, src_pos, src_tails, None)
        s_dir = s_end - src_pos[:, sidx[j]] if s_end is not None and t_dir is not None else None
        degenerate = t_dir is None or np.linalg.norm(t_dir) < 1e-6
        if use_rot:
            assert ref_pos is not None and ref_body is not None
            r_end = src_end(j, end, ref_pos, None, ref_rot)
            r_dir = r_end - ref_pos[sidx[j]] if r_end is not None else None
            if degenerate or r_dir is None or np.linalg.norm(r_dir) < 1e-6 or s_dir is None:
                f_src, f_tgt = _frame(ref_body.up, ref_body.left), _frame(tgt_body.up, tgt_body.left)
            else:
                f_src = _frame(r_dir, ref_body.hint(kind, r_dir))
                f_tgt = _frame(t_dir, tgt_body.hint(kind, t_dir))
            align = matrix_to_quat(f_src @ f_tgt.T)
            q = quat_mul(rot_since_ref[j], align)
        elif j == "hips" or degenerate or s_dir is None:
            f_cur = _frame(cur_body.up, cur_body.left)
            q = matrix_to_quat(f_cur @ _frame(tgt_body.up, tgt_body.left).T)
        elif j == "chest" and {"upper_arm.L", "upper_arm.R"} <= set(sidx):
            f_cur = _frame(s_dir, cur_body.left)
            q = matrix_to_quat(f_cur @ _frame(t_dir, tgt_body.left).T)
        else:
            parent = CANONICAL_PARENT.get(j)
            while parent is not None and parent not in q_world:
                parent = CANONICAL_PARENT.get(parent)
            q = q_world[parent] if parent else identity
        if s_dir is not None and not degenerate and j != "hips":
            valid = np.linalg.norm(s_dir, axis=-1) > 1e-9
            fix = quat_between(quat_rotate(q, np.broadcast_to(t_dir, s_dir.shape)), s_dir)
            fix[~valid] = (1.0, 0.0, 0.0, 0.0)
            q = quat_mul(fix, q)
        q_world[j] = normalize(q)
    progress(0.55, "root motion")
    root_loc_arm, leg_ratio = _root_motion(
        world_pos, skeleton.rest_positions, tgt, q_world, joints, sidx, to_arm
    )
    contacts = None
    legs = all(f"{k}.{s}" in q_world for k in ("thigh", "shin") for s in "LR")
    if foot_lock and legs and all(rig.joint_bone(f"foot.{s}") and f"foot.{s}" in sidx for s in "LR"):
        check_stop(should_stop)
        progress(0.65, "foot contacts")
        contacts = (
            skeleton.contacts
            if skeleton.contacts is not None
            else detect_contacts(world_pos, sidx, skeleton.fps)
        )
        src_ankles = {s: src_pos[:, sidx[f"foot.{s}"]] for s in "LR" if f"foot.{s}" in sidx}
        up = obj_rot.T @ np.array([0.0, 0.0, 1.0])
        if len(src_ankles) == 2:
            root_loc_arm = root_loc_arm + root_correction(
                tgt, q_world, root_loc_arm, contacts, point_fk, src_ankles, leg_ratio, up
            )
        lock_feet(tgt, q_world, root_loc_arm, contacts, skeleton.fps, point_fk, src_ankles, leg_ratio, up)
    check_stop(should_stop)
    progress(0.8, "local rotations")
    return _to_local(skeleton, tgt, q_world, joints, root_loc_arm, contacts, leg_ratio)


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
    tgt: _Target, bone: str, point: np.ndarray, q_bone: dict[str, np.ndarray], root_loc: np.ndarray
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


def _root_motion(
    world_pos: np.ndarray,
    world_ref: np.ndarray | None,
    tgt: _Target,
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
    tgt: _Target,
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


__all__ = ["CANONICAL_PARENT", "BadRig", "leg_length", "point_fk", "solve"]
