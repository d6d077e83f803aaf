"""Blender data → the capture job's request: the panel's settings, the target rig and its map."""

from __future__ import annotations

import os
from typing import Any

import bpy

from ai_engine.capture.contract import CaptureOptions, CaptureRequest, CaptureToRigRequest, ResolveRequest
from ai_engine.capture.to_skeleton import with_finger_bones
from ai_engine.contract import BadRequest
from ai_engine.errors import BadRig

from ..core.jobs import JobInputError
from ..retarget.read_rig import check_target, rigspec_from_armature
from ..retarget.write import preset_for
from .write import check_capture_targets, read_contacts


def capture_request(props: Any) -> CaptureToRigRequest:
    """The job request from the panel's settings.

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
    try:
        options = CaptureOptions(
            parts=tuple(parts),
            smoothing=props.smoothing,
            neutral_frame=props.neutral_frame,
            person=props.person,
        )
    except BadRequest as exc:
        raise JobInputError(str(exc)) from exc
    rig = _rig(props, parts) if props.target is not None else None
    request = CaptureToRigRequest(
        capture=CaptureRequest(video=video, options=options), rig=rig, foot_lock=props.foot_lock
    )
    return request


def _rig(props: Any, parts: list[str]) -> Any:
    """The target's RigSpec (None without body capture). Raises JobInputError on a bad rig."""
    try:
        target = check_target(props.target)
        preset = with_finger_bones(preset_for(target, "AUTO")[0], [b.name for b in target.data.bones])
        if "body" not in parts:
            return None
        rig, _ = rigspec_from_armature(target, preset)
        missing = rig.missing_bones()
        if missing:
            raise JobInputError(
                f"'{target.name}' lacks bones the map needs: {', '.join(missing)}. Fix the map in the Retarget panel."
            )
        return rig
    except BadRig as exc:
        raise JobInputError(str(exc)) from exc


def resolve_request(props: Any, frame_start: int) -> ResolveRequest:
    """Re-solve the last capture with the contacts keyed on the armature (frame_start: the scene frame
    of the track's first frame).

    Raises:
        JobInputError: no capture yet, no armature, or no contact keys.
    """
    from ai_engine.capture.track import MotionTrack
    from ai_engine.errors import BadMotionFile

    track = bpy.path.abspath(props.last_track) if props.last_track else ""
    if not track or not os.path.isfile(track):
        raise JobInputError("No capture to re-solve yet: Capture first.")
    if props.target is None or props.target.type != "ARMATURE":
        raise JobInputError("Pick the armature the capture was put on.")
    try:
        frames = MotionTrack.load(track).frame_count
        left, right = read_contacts(props.target, frame_start, frames)
    except (ValueError, BadMotionFile) as exc:
        raise JobInputError(str(exc)) from exc
    return ResolveRequest(
        track=track,
        left_contacts=left,
        right_contacts=right,
        rig=_rig(props, ["body"]),
        foot_lock=props.foot_lock,
        smoothing=props.smoothing,
    )
