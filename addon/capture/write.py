"""Apply a capture job's result: body (and fingers) as an action on the armature, face curves as an
action on the mesh's shape keys, or head rotation onto neck/head bones when no body was captured.

Everything is checked before anything is written (see ``check_capture_targets``), so a failed or
cancelled job — or a bad target — leaves the rig, its shape keys and actions untouched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bpy
import numpy as np

from ai_engine.capture.track import MotionTrack

from .write_face import bake_face, head_bones


def check_capture_targets(armature: bpy.types.Object | None, mesh: bpy.types.Object | None) -> None:
    """Raise ``ValueError`` (with what to do) when a chosen target cannot take the result."""
    if armature is not None and armature.type != "ARMATURE":
        raise ValueError(f"'{armature.name}' is not an armature: pick the character's armature.")
    if mesh is not None and mesh.type != "MESH":
        raise ValueError(f"'{mesh.name}' is not a mesh: pick the mesh that has the face shape keys.")
    for obj in (armature, mesh):
        if obj is not None and (obj.library is not None or obj.data.library is not None):
            raise ValueError(f"'{obj.name}' is linked from a library: make a library override first.")


def health_line(report: dict[str, Any]) -> str:
    """One line for the panel: frames tracked, gaps, swaps fixed, per part."""
    parts = []
    body = report.get("body")
    if isinstance(body, dict):
        parts.append(
            f"body {body['tracked_frames']}/{report['frames']} tracked, {body['interpolated_frames']} filled, "
            f"{len(body['gaps_left_empty'])} gaps left, {body['swaps_fixed']} swaps fixed"
        )
    face = report.get("face")
    if isinstance(face, dict):
        parts.append(f"face {face['tracked_frames']}/{report['frames']}")
    hands = report.get("hands")
    if isinstance(hands, dict):
        parts.append(f"hands L {hands['left']['tracked_frames']} R {hands['right']['tracked_frames']}")
    return "; ".join(parts)


def apply_capture(
    scene: bpy.types.Scene,
    result: dict[str, Any],
    *,
    armature: bpy.types.Object | None,
    mesh: bpy.types.Object | None,
    head_from_face: bool = True,
    bone_map: dict[str, str] | None = None,
    frame_start: int | None = None,
) -> dict[str, Any]:
    """Write the capture into the scene. Returns what was made (action names, missing shape keys)."""
    from ai_engine.capture.head import head_bone_rotations
    from ai_engine.retarget.animation import BoneAnimation

    from ..retarget.action import bake_action
    from ..retarget.write import apply_retarget, set_scene_rate

    check_capture_targets(armature, mesh)
    track = MotionTrack.load(result["track"])
    start = scene.frame_start if frame_start is None else frame_start
    name = result.get("source_name") or Path(result["track"]).stem
    made: dict[str, Any] = {"frame_start": start, "frame_end": start + track.frame_count - 1}
    if armature is not None and result.get("animation"):
        done = apply_retarget(scene, armature, result, frame_start=start, action_name=f"{name} Body")
        made["body_action"] = done["action"]
    elif armature is not None and head_from_face and track.face_valid.any() and bone_map:
        bones = head_bones(armature, bone_map)
        if bones:
            rest = [np.array(armature.data.bones[b].matrix_local.to_3x3()) for b, _ in bones]
            world = np.array(armature.matrix_world.to_3x3().normalized())
            rotations = head_bone_rotations(
                track.head_rotation, track.face_valid, rest, world, [share for _, share in bones]
            )
            anim = BoneAnimation(
                bones=[b for b, _ in bones],
                rotations=rotations,
                root_bone=None,
                root_location=np.zeros((track.frame_count, 3)),
                fps=track.fps,
                source_name=name,
            )
            made["head_action"] = bake_action(armature, anim, name=f"{name} Head", frame_start=start).action
            set_scene_rate(scene, track.fps)
    if mesh is not None and track.face_valid.any() and track.face_blendshapes.shape[1] == 52:
        face = bake_face(
            mesh, track.face_blendshapes, track.face_valid, name=f"{name} Face", frame_start=start
        )
        made["face_action"] = face.action
        made["shape_keys_driven"] = sum(len(v) for v in face.driven.values())
        made["missing_shape_keys"] = face.missing
        if face.action is not None:
            set_scene_rate(scene, track.fps)
    if scene.frame_end < made["frame_end"]:
        scene.frame_end = made["frame_end"]
    return made
