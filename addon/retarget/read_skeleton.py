"""``SkeletonAnimation`` from an animated armature in the scene (a BVH imported by Blender, another
character): samples its evaluated pose frame by frame (constraints and drivers included)."""

from __future__ import annotations

import bpy
import numpy as np

from ai_engine.errors import BadMotionFile
from ai_engine.retarget.maps import choose_map
from ai_engine.retarget.quat import matrix_to_quat
from ai_engine.retarget.skeleton import BODY_JOINTS, FINGER_JOINTS, SkeletonAnimation
from ai_engine.retarget.source import is_upright


def skeleton_from_armature(
    obj: bpy.types.Object,
    scene: bpy.types.Scene,
    frame_start: int | None = None,
    frame_end: int | None = None,
) -> SkeletonAnimation:
    """Sample ``obj``'s pose over its action's frame range (or the given one).

    Raises:
        BadMotionFile: not an armature, no animation, or no recognisable body.
    """
    if obj is None or obj.type != "ARMATURE":
        raise BadMotionFile("The source must be an animated armature; pick one or use a BVH file.")
    action = obj.animation_data.action if obj.animation_data else None
    if frame_start is None or frame_end is None:
        if action is None:
            raise BadMotionFile(f"'{obj.name}' has no action to retarget; animate it or pick a BVH file.")
        first, last = (float(v) for v in action.frame_range)
        frame_start, frame_end = int(round(first)), int(round(last))
    if frame_end < frame_start:
        raise BadMotionFile(f"'{obj.name}' has zero frames of animation; pick an animated source.")
    bones = list(obj.data.bones)
    names = [b.name for b in bones]
    index = {n: i for i, n in enumerate(names)}
    mw = np.array(obj.matrix_world)
    heads = np.array([b.head_local for b in bones]).reshape(-1, 3)
    tails = np.array([b.tail_local for b in bones]).reshape(-1, 3)
    world_heads, world_tails = heads @ mw[:3, :3].T + mw[:3, 3], tails @ mw[:3, :3].T + mw[:3, 3]
    parents = [index[b.parent.name] if b.parent else -1 for b in bones]
    preset, _ = choose_map(names, parents, world_heads, world_tails)
    bone_map = preset.bone_map
    joints = [j for j in (*BODY_JOINTS, *FINGER_JOINTS) if j in bone_map]
    cols = [index[bone_map[j]] for j in joints]
    frames = frame_end - frame_start + 1
    pos = np.empty((frames, len(joints), 3))
    tls = np.empty((frames, len(joints), 3))
    rot = np.empty((frames, len(joints), 3, 3))
    pose_bones = [obj.pose.bones[names[c]] for c in cols]
    current = scene.frame_current
    try:
        for t in range(frames):
            scene.frame_set(frame_start + t)
            mw_t = np.array(obj.matrix_world)
            for k, pb in enumerate(pose_bones):
                m = mw_t @ np.array(pb.matrix)
                pos[t, k] = m[:3, 3]
                tls[t, k] = mw_t[:3, :3] @ np.array(pb.tail) + mw_t[:3, 3]
                rot[t, k] = m[:3, :3]
    finally:
        scene.frame_set(current)
    scale = np.linalg.norm(rot, axis=2, keepdims=True)
    rest = np.array([np.array(obj.data.bones[names[c]].matrix_local.to_3x3()) for c in cols])
    rest_world = mw[:3, :3] @ rest
    rest_rot = matrix_to_quat(rest_world / np.linalg.norm(rest_world, axis=1, keepdims=True))
    rest_pos = world_heads[cols]
    idx = {j: k for k, j in enumerate(joints)}
    upright = is_upright(rest_pos, world_tails[cols], idx)
    if not upright:  # a rest pose that is not a standing body: frame 0 is the reference
        rest_pos, rest_rot = pos[0].copy(), matrix_to_quat(rot[0] / np.maximum(scale[0], 1e-12))
    return SkeletonAnimation(
        joints=joints,
        fps=scene.render.fps / scene.render.fps_base,
        positions=pos,
        rotations=matrix_to_quat(rot / np.maximum(scale, 1e-12)),
        source_name=action.name if action is not None else obj.name,
        meta={
            "bone_map": dict(bone_map),
            "reference": "rest" if upright else "frame 0",
            "frame_start": frame_start,
        },
        rest_positions=rest_pos,
        rest_rotations=rest_rot,
        tails=tls,
    )
