"""Apply a retarget job's result: bake the action, match the scene's rate and range; export BVH."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bpy

from ai_engine.retarget.animation import BoneAnimation
from ai_engine.retarget.maps import choose_map, fit_preset, load_preset

from .action import bake_action


def preset_for(target: bpy.types.Object, preset_name: str) -> tuple[dict[str, Any], str]:
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
    result: dict[str, Any],
    *,
    frame_start: int,
    match_scene_fps: bool = True,
    action_name: str | None = None,
) -> dict[str, Any]:
    """Bake the job's BoneAnimation into one new action on ``target``.

    Source frame i lands on scene frame ``frame_start + i``. The scene's range grows to fit (never
    shrinks) and, with ``match_scene_fps``, its rate becomes the source's.

    Returns:
        ``{"action", "slot", "frame_start", "frame_end", "fps", "keys"}``.
    """
    anim = BoneAnimation.load(result["animation"])
    name = action_name or anim.source_name or "Retarget"
    baked = bake_action(target, anim, name=name, frame_start=frame_start)
    if match_scene_fps:
        set_scene_rate(scene, anim.fps)
    if scene.frame_end < baked.frame_end:
        scene.frame_end = baked.frame_end
    return {
        "action": baked.action,
        "slot": baked.slot,
        "frame_start": baked.frame_start,
        "frame_end": baked.frame_end,
        "fps": anim.fps,
        "keys": baked.keys,
    }


def export_bvh(target: bpy.types.Object, path: str | Path, frame_start: int, frame_end: int) -> str:
    """Write the target's current animation as BVH with Blender's own exporter (evaluated pose)."""
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    ctx = bpy.context
    with ctx.temp_override(active_object=target, object=target, selected_objects=[target]):
        bpy.ops.export_anim.bvh(
            filepath=str(path), frame_start=frame_start, frame_end=frame_end, root_transform_only=False
        )
    return str(path)
