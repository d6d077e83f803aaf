"""Blender data → the capture job's request: the panel's settings, the target rig and its map."""

from __future__ import annotations

import os
from typing import Any

import bpy

from ai_engine.capture.to_skeleton import with_finger_bones
from ai_engine.errors import BadRig

from ..core.jobs import JobInputError
from ..retarget.read_rig import check_target, rigspec_from_armature
from ..retarget.write import preset_for
from .write import check_capture_targets


def capture_request(props: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The job request from the panel's settings, and the bone map used (for head rotation).

    Raises:
        JobInputError: no video, no part chosen, nothing to put the result on, or a bad rig.
    """
    video = bpy.path.abspath(props.video) if props.video else ""
    if not video or not os.path.isfile(video):
        raise JobInputError(f"Video not found: {video or '(none)'}. Pick the performance video.")
    parts = props.parts()
    if not parts:
        raise JobInputError("Tick at least one of Body, Hands, Face.")
    if props.target is None and props.face_mesh is None:
        raise JobInputError("Pick the armature and/or the face mesh to put the capture on.")
    try:
        check_capture_targets(props.target, props.face_mesh)
    except ValueError as exc:
        raise JobInputError(str(exc)) from exc
    request: dict[str, Any] = {
        "video": video,
        "parts": parts,
        "smoothing": props.smoothing,
        "neutral_frame": props.neutral_frame,
        "foot_lock": props.foot_lock,
    }
    bone_map: dict[str, str] = {}
    if props.target is not None:
        try:
            target = check_target(props.target)
            preset = with_finger_bones(preset_for(target, "AUTO")[0], [b.name for b in target.data.bones])
            bone_map = dict(preset.get("bone_map", {}))  # type: ignore[call-overload]
            if "body" in parts:
                spec, _ = rigspec_from_armature(target, preset)
                missing = spec.missing_bones()
                if missing:
                    raise JobInputError(
                        f"'{target.name}' lacks bones the map needs: {', '.join(missing)}. "
                        "Fix the map in the Retarget panel."
                    )
                request["rig_spec"] = spec.to_dict()
        except BadRig as exc:
            raise JobInputError(str(exc)) from exc
    return request, bone_map
