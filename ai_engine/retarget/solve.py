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

import numpy as np

from ..errors import BadMotionFile
from ..progress import ProgressFn, StopFn, check_stop, never_stop, no_progress
from .animation import BoneAnimation
from .footlock import detect_contacts, lock_feet, root_correction
from .geometry import Body, TargetView, fill_gaps, hint_kind, leg_length, point_fk, segment_frame
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
    frames = skeleton.frame_count
    # Source into the target's armature space (the object's rotation/uniform scale removed).
    obj = rig.object_matrix
    scale = float(np.cbrt(abs(np.linalg.det(obj[:3, :3]))))
    obj_rot = obj[:3, :3] / scale
    obj_q = matrix_to_quat(obj_rot)

    def to_arm(p: np.ndarray) -> np.ndarray:
        return ((p - obj[:3, 3]) @ obj_rot) / scale

    observed = skeleton.positions.copy()
    if skeleton.valid is not None:
        observed[~np.asarray(skeleton.valid, dtype=bool)] = np.nan  # gaps are filled, never trusted
    world_pos = fill_gaps(observed)
    src_pos = to_arm(world_pos)
    src_tails = to_arm(skeleton.tails) if skeleton.tails is not None else None
    ref_pos = to_arm(skeleton.rest_positions) if skeleton.rest_positions is not None else None
    rotations = skeleton.rotations
    use_rot = rotations is not None and ref_pos is not None
    joints = [j for j in ORDER if j in skeleton.joints and j in rig.bone_map]
    seen = np.isfinite(world_pos).all(axis=(0, 2))  # a joint never observed takes no part
    sidx = {j: k for k, j in enumerate(skeleton.joints) if seen[k]}
    joints = [j for j in joints if j in sidx]
    if "hips" not in sidx:
        raise BadMotionFile("The source's hips were never observed; nothing can be retargeted.")

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
    tgt_body = Body({j: tgt.joint(j) for j in joints if rig.joint_bone(j)})
    ref_body = Body({j: ref_pos[sidx[j]] for j in sidx}) if ref_pos is not None else None
    cur_body = Body({j: src_pos[:, sidx[j]] for j in sidx})
    q_world: dict[str, np.ndarray] = {}
    identity = np.tile([1.0, 0.0, 0.0, 0.0], (frames, 1))
    rot_since_ref: dict[str, np.ndarray] = {}
    ref_rot: np.ndarray | None = None
    if rotations is not None and use_rot:
        rots = quat_mul(np.broadcast_to(quat_conj(obj_q), (1, 4)), rotations)  # into armature axes
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
        kind = hint_kind(j)
        t_dir = tgt_end(j, end) - tgt.joint(j) if j != "hips" else None
        s_end = src_end(j, end, src_pos, src_tails, None)
        s_dir = s_end - src_pos[:, sidx[j]] if s_end is not None and t_dir is not None else None
        degenerate = t_dir is None or np.linalg.norm(t_dir) < 1e-6
        if use_rot:
            assert ref_pos is not None and ref_body is not None
            r_end = src_end(j, end, ref_pos, None, ref_rot)
            r_dir = r_end - ref_pos[sidx[j]] if r_end is not None else None
            if t_dir is None or degenerate or r_dir is None or np.linalg.norm(r_dir) < 1e-6 or s_dir is None:
                f_src, f_tgt = (
                    segment_frame(ref_body.up, ref_body.left),
                    segment_frame(tgt_body.up, tgt_body.left),
                )
            else:
                f_src = segment_frame(r_dir, ref_body.hint(kind, r_dir))
                f_tgt = segment_frame(t_dir, tgt_body.hint(kind, t_dir))
            align = matrix_to_quat(f_src @ f_tgt.T)
            q = quat_mul(rot_since_ref[j], align)
        elif j == "hips" or degenerate or s_dir is None:
            f_cur = segment_frame(cur_body.up, cur_body.left)
            q = matrix_to_quat(f_cur @ segment_frame(tgt_body.up, tgt_body.left).T)
        elif t_dir is not None and j == "chest" and {"upper_arm.L", "upper_arm.R"} <= set(sidx):
            f_cur = segment_frame(s_dir, cur_body.left)
            q = matrix_to_quat(f_cur @ segment_frame(t_dir, tgt_body.left).T)
        else:
            parent = CANONICAL_PARENT.get(j)
            while parent is not None and parent not in q_world:
                parent = CANONICAL_PARENT.get(parent)
            q = q_world[parent] if parent else identity
            hinge = _HINGES.get(j.split(".")[0])
            if hinge and s_dir is not None and t_dir is not None and j.endswith((".L", ".R")):
                q = _hinge_twist(q, j, hinge, s_dir, t_dir, src_pos, sidx, tgt_body)
        knuckles = [] if use_rot else _knuckles(j, sidx, tgt)
        if knuckles:
            # A hand with knuckles on both sides: it points at their middle, twisted like the palm
            # (the index → pinky line); this frame map is exact, no swing fix needed after it.
            side = j.split(".")[1]
            a, b = f"index.01.{side}", f"pinky.01.{side}"
            toward = np.mean([src_pos[:, sidx[k]] for k in knuckles], axis=0) - src_pos[:, sidx[j]]
            rest_toward = np.mean([tgt.joint(k) for k in knuckles], axis=0) - tgt.joint(j)
            f_cur = segment_frame(toward, src_pos[:, sidx[a]] - src_pos[:, sidx[b]])
            q = matrix_to_quat(f_cur @ segment_frame(rest_toward, tgt.joint(a) - tgt.joint(b)).T)
            s_dir = None
        if s_dir is not None and t_dir is not None and not degenerate and j != "hips":
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
