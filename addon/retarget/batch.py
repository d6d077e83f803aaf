"""``retarget --source MOTION.bvh --target RIG.blend --armature NAME --blend OUT.blend [--bvh-out F]``.

Opens RIG.blend, retargets the motion onto the armature in the worker, bakes ONE new action named
after the source, sets the scene's rate to the source's (source frame i → scene frame frame_start + i),
saves OUT.blend and optionally exports the result as BVH.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

import bpy

from ..core.batch import BatchError, save
from ..core.vocab import vocabulary
from ..core.worker_client import run_blocking

# The engine is imported inside run(): listing the verbs must work where it is not installed
# (``vocabulary`` then gives no preset names and the help says so).


def add_arguments(parser: argparse.ArgumentParser) -> None:
    presets = ", ".join(vocabulary("ai_engine.retarget.contract", "PRESET_NAMES")) or "(engine missing)"
    parser.add_argument("--source", required=True, help="the motion: a .bvh file")
    parser.add_argument("--target", required=True, help="the .blend holding the target armature")
    parser.add_argument("--armature", required=True, help="the target armature object's name")
    parser.add_argument("--blend", required=True, help="the .blend to write")
    parser.add_argument("--bvh-out", default=None, help="also export the retargeted action as BVH here")
    parser.add_argument("--map", default=None, help=f"bone map: {presets} or a JSON file")
    parser.add_argument("--frame-start", type=int, default=None, help="scene frame of the source's frame 0")
    parser.add_argument("--no-foot-lock", action="store_true", help="do not lock feet that stand still")


def run(args: argparse.Namespace) -> dict[str, Any]:
    from ai_engine.errors import BadRig
    from ai_engine.retarget.contract import RETARGET, RetargetRequest
    from ai_engine.retarget.maps import fit_preset, load_preset

    from .read_rig import check_target, rigspec_from_armature
    from .write import apply_retarget, export_bvh, preset_for

    source = os.path.abspath(args.source)
    if not os.path.isfile(source):
        raise BatchError(f"Motion file not found: {source}.")
    rig_blend = os.path.abspath(args.target)
    if not os.path.isfile(rig_blend):
        raise BatchError(f"Target .blend not found: {rig_blend}.")
    bpy.ops.wm.open_mainfile(filepath=rig_blend)
    scene = bpy.context.scene
    target = bpy.data.objects.get(args.armature)
    try:
        if target is None:
            armatures = [o.name for o in bpy.data.objects if o.type == "ARMATURE"]
            raise BadRig(
                f"No object '{args.armature}' in {Path(rig_blend).name}; armatures there: {armatures}."
            )
        check_target(target)
        if args.map:
            preset, _ = fit_preset(load_preset(args.map), [b.name for b in target.data.bones])
        else:
            preset, _ = preset_for(target, "AUTO")
        spec, used = rigspec_from_armature(target, preset)
        spec.validate()
    except BadRig as exc:
        raise BatchError(str(exc)) from exc
    before = {a.name for a in bpy.data.actions}
    warnings: list[str] = []
    result = run_blocking(
        RETARGET,
        RetargetRequest(rig=spec, source=source, foot_lock=not args.no_foot_lock),
        label="retarget",
        echo=not args.json,
        warnings=warnings,
    )
    start = args.frame_start if args.frame_start is not None else scene.frame_start
    done = apply_retarget(scene, target, result, frame_start=start, match_scene_fps=True)
    blend = save(args.blend)
    bvh = export_bvh(target, args.bvh_out, done.frame_start, done.frame_end) if args.bvh_out else None
    return {
        "blend": blend,
        "armature": target.name,
        "action": done.action,
        "frame_start": done.frame_start,
        "frame_end": done.frame_end,
        "fps": round(done.fps, 6),
        "scene_fps": round(scene.render.fps / scene.render.fps_base, 6),
        "map": used,
        "bones": len(result.bones),
        "contacts": list(result.contacts),
        "actions_before": sorted(before),
        "bvh": bvh,
        "source_map": json.dumps(result.source_map),
        "warnings": warnings,
    }


def demo_step(out: Path, video: str) -> dict[str, Any]:
    """``build.py demo``: a real walk (CMU 131_01, shipped in ``samples/``) retargeted onto a freshly
    generated Rigify rig; a procedural walk where that take is not in the install."""
    from ai_engine.retarget.contract import RETARGET, RetargetRequest
    from ai_engine.retarget.sample_motion import write_sample_walk
    from ai_engine.samples import media

    from ..core.batch import open_or_new
    from .read_rig import rigspec_from_armature
    from .sample_rigs import rigify_rig
    from .write import apply_retarget, export_bvh

    motion = media("mocap", "bvh", "cmu", "131_01.bvh") or write_sample_walk(out / "sample_walk.bvh")
    open_or_new(None)
    target = rigify_rig("rig")
    spec, used = rigspec_from_armature(target)
    result = run_blocking(RETARGET, RetargetRequest(rig=spec, source=str(motion)), label="retarget")
    done = apply_retarget(bpy.context.scene, target, result, frame_start=1)
    blend = save(str(out / "retarget.blend"))
    bvh = export_bvh(target, out / "retarget.bvh", done.frame_start, done.frame_end)
    return {
        "blend": blend,
        "action": done.action,
        "frames": f"{done.frame_start}-{done.frame_end}",
        "source": str(motion),
        "map": used,
        "bvh": bvh,
    }
