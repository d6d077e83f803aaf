"""3D Viewport › Clapper › Capture: a video onto the character (body, fingers, face)."""

from __future__ import annotations

import os
from typing import Any

import bpy

from ai_engine.capture.to_skeleton import with_finger_bones
from ai_engine.errors import BadRig

from ..apply.capture import apply_capture, check_capture_targets, health_line
from ..apply.face import create_missing_shape_keys, missing_shape_keys
from ..apply.retarget import preset_for
from ..jobs import EngineJobOperator, JobInputError
from ..rigspec_from_armature import check_target, rigspec_from_armature


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


class CLAPPER_OT_capture(EngineJobOperator, bpy.types.Operator):
    """Capture the video's performance onto the armature and face mesh (Esc cancels; nothing changes then)"""

    bl_idname = "clapper.capture"
    bl_label = "Capture"
    bl_options = {"REGISTER", "UNDO"}
    job_label = "Capturing"

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return context.scene is not None and context.mode == "OBJECT"

    def build_job(self, context: bpy.types.Context) -> tuple[str, dict[str, Any]]:
        request, _bone_map = capture_request(context.scene.clapper.capture)
        return "ai_engine.capture.jobs:capture_to_rig", request

    def apply_result(self, context: bpy.types.Context, result: dict[str, Any]) -> None:
        props = context.scene.clapper.capture
        bone_map: dict[str, str] = {}
        if props.target is not None and props.target.type == "ARMATURE":
            bone_map = dict(preset_for(props.target, "AUTO")[0].get("bone_map", {}))
        try:
            made = apply_capture(
                context.scene,
                result,
                armature=props.target,
                mesh=props.face_mesh,
                head_from_face=props.head_from_face,
                bone_map=bone_map,
            )
        except ValueError as exc:
            raise JobInputError(str(exc)) from exc
        actions = [made[k] for k in ("body_action", "head_action", "face_action") if made.get(k)]
        props.last_report = (
            f"{', '.join(actions) or 'no action'}: frames {made['frame_start']}–{made['frame_end']}"
        )
        props.last_health = health_line(result["report"])
        props.last_overlay = result.get("overlay") or ""
        props.last_track = result["track"]
        props.missing_shape_keys = ", ".join(made.get("missing_shape_keys", []))
        for message in result.get("warnings", []):
            self.report({"WARNING"}, message)  # type: ignore[attr-defined]
        self.report({"INFO"}, f"{props.last_report} ({props.last_health})")  # type: ignore[attr-defined]


class CLAPPER_OT_capture_create_shape_keys(bpy.types.Operator):
    """Add an empty shape key for every ARKit expression the face mesh lacks (sculpt them afterwards)"""

    bl_idname = "clapper.capture_create_shape_keys"
    bl_label = "Create Missing Shape Keys"
    bl_options = {"REGISTER", "UNDO"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        props = context.scene.clapper.capture
        mesh = props.face_mesh
        if mesh is None or mesh.type != "MESH":
            self.report({"ERROR"}, "Pick the face mesh first.")
            return {"CANCELLED"}
        created = create_missing_shape_keys(mesh)
        props.missing_shape_keys = ", ".join(missing_shape_keys(mesh))
        self.report({"INFO"}, f"Added {len(created)} shape keys to '{mesh.name}'")
        return {"FINISHED"}


class CLAPPER_OT_capture_check_shape_keys(bpy.types.Operator):
    """List the ARKit expressions the face mesh has no shape key for"""

    bl_idname = "clapper.capture_check_shape_keys"
    bl_label = "Check Shape Keys"

    def execute(self, context: bpy.types.Context) -> set[str]:
        props = context.scene.clapper.capture
        if props.face_mesh is None:
            self.report({"ERROR"}, "Pick the face mesh first.")
            return {"CANCELLED"}
        missing = missing_shape_keys(props.face_mesh)
        props.missing_shape_keys = ", ".join(missing)
        self.report({"WARNING"} if missing else {"INFO"}, f"{len(missing)} of 52 ARKit shape keys missing")
        return {"FINISHED"}


class CLAPPER_OT_capture_open_overlay(bpy.types.Operator):
    """Open the last capture's QA contact sheet (landmarks drawn on the frames) as an image"""

    bl_idname = "clapper.capture_open_overlay"
    bl_label = "Open QA Overlay"

    def execute(self, context: bpy.types.Context) -> set[str]:
        path = context.scene.clapper.capture.last_overlay
        if not path or not os.path.isfile(path):
            self.report({"ERROR"}, "No QA overlay yet: capture a video first.")
            return {"CANCELLED"}
        image = bpy.data.images.load(path, check_existing=True)
        for area in context.screen.areas if context.screen else []:
            if area.type == "IMAGE_EDITOR":
                area.spaces.active.image = image
                break
        self.report({"INFO"}, f"Loaded {image.name}: show it in an Image Editor")
        return {"FINISHED"}


classes = (
    CLAPPER_OT_capture,
    CLAPPER_OT_capture_create_shape_keys,
    CLAPPER_OT_capture_check_shape_keys,
    CLAPPER_OT_capture_open_overlay,
)
