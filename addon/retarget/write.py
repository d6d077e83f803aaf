"""Apply a retarget job's result: bake the action, match the scene's rate and range; export BVH."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import bpy

from ai_engine.retarget.animation import BoneAnimation
from ai_engine.retarget.contract import RetargetResult
from ai_engine.retarget.maps import BoneMap, choose_map, fit_preset, load_preset

from .action import bake_action


@dataclass(frozen=True)
class AppliedRetarget:
    """What ``apply_retarget`` made: the action (and its slot), its scene frames, the source rate."""

    action: str
    slot: str | None
    frame_start: int
    frame_end: int
    fps: float
    keys: int


def preset_for(target: bpy.types.Object, preset_name: str) -> tuple[BoneMap, str]:
    """The bone map preset for ``target``: a named one (prefix adapted) or AUTO (fitting preset / names + topology)."""
    bones = list(target.data.bones)
    names = [b.name for b in bones]
    if preset_name and preset_name != "AUTO":
        preset, _score = fit_preset(load_preset(preset_name), names)
        return preset, preset_name
    index = {n: i for i, n in enumerate(names)}
    parents = [index[b.parent.name] if b.parent else -1 for b in bones]
    heads = [tuple(b.head_local) for b in bones]
    tails = [tuple(b.tail_local) for b in bones]
    import numpy as np

    return choose_map(names, parents, np.array(heads).reshape(-1, 3), np.array(tails).reshape(-1, 3))


def set_scene_rate(scene: bpy.types.Scene, fps: float) -> None:
    """Scene rate = the source's, exactly (fps / fps_base), as Blender's BVH importer does it."""
    whole = max(1, int(round(fps)))
    scene.render.fps = whole
    scene.render.fps_base = whole / fps


def apply_retarget(
    scene: bpy.types.Scene,
    target: bpy.types.Object,
    result: RetargetResult,
    *,
    frame_start: int,
    match_scene_fps: bool = True,
    action_name: str | None = None,
) -> AppliedRetarget:
    """Bake the job's BoneAnimation into one new action on ``target``.

    Source frame i lands on scene frame ``frame_start + i``. The scene's range grows to fit (never
    shrinks) and, with ``match_scene_fps``, its rate becomes the source's.

    """
    anim = BoneAnimation.load(result.animation)
    name = action_name or anim.source_name or "Retarget"
    baked = bake_action(target, anim, name=name, frame_start=frame_start)
    if match_scene_fps:
        set_scene_rate(scene, anim.fps)
    if scene.frame_end < baked.frame_end:
        scene.frame_end = baked.frame_end
    return AppliedRetarget(baked.action, baked.slot, baked.frame_start, baked.frame_end, anim.fps, baked.keys)


def export_bvh(target: bpy.types.Object, path: str | Path, frame_start: int, frame_end: int) -> str:
    """Write the target's evaluated animation (constraints included) as BVH: its deform bones only
    (all bones when none deforms), parented to their nearest deforming ancestor, in world space.

    Returns:
        the path written.
    """
    import numpy as np

    from ai_engine.retarget.bvh_write import write_bvh

    bones = [b for b in target.data.bones if b.use_deform] or list(target.data.bones)
    keep = {b.name for b in bones}
    index = {b.name: i for i, b in enumerate(bones)}

    def deform_parent(bone: bpy.types.Bone) -> int:
        parent = bone.parent
        while parent is not None and parent.name not in keep:
            parent = parent.parent
        return index[parent.name] if parent is not None else -1

    # Parents before children, as BVH nests them.
    order: list[int] = []
    placed: set[int] = set()

    def place(i: int) -> None:
        if i in placed:
            return
        parent = deform_parent(bones[i])
        if parent >= 0:
            place(parent)
        placed.add(i)
        order.append(i)

    for i in range(len(bones)):
        place(i)
    bones = [bones[i] for i in order]
    index = {b.name: i for i, b in enumerate(bones)}
    parents = [deform_parent(b) for b in bones]
    scene = bpy.context.scene
    current = scene.frame_current
    mw = np.array(target.matrix_world)
    rest = np.array([np.array(b.matrix_local) for b in bones])
    rest_world = mw @ rest
    rest_rot = rest_world[:, :3, :3] / np.linalg.norm(rest_world[:, :3, :3], axis=1, keepdims=True)
    frames = frame_end - frame_start + 1
    heads = np.empty((frames, len(bones), 3))
    deltas = np.empty((frames, len(bones), 3, 3))
    pose_bones = [target.pose.bones[b.name] for b in bones]
    try:
        for t in range(frames):
            scene.frame_set(frame_start + t)
            world = np.array(target.matrix_world) @ np.array([np.array(pb.matrix) for pb in pose_bones])
            rot = world[:, :3, :3] / np.linalg.norm(world[:, :3, :3], axis=1, keepdims=True)
            heads[t] = world[:, :3, 3]
            deltas[t] = rot @ np.swapaxes(rest_rot, -1, -2)
    finally:
        scene.frame_set(current)
    tails = np.array([b.tail_local for b in bones]) @ mw[:3, :3].T + mw[:3, 3]
    fps = scene.render.fps / scene.render.fps_base
    written = write_bvh(
        path, [b.name for b in bones], parents, rest_world[:, :3, 3], tails, heads, deltas, fps
    )
    return str(written)
