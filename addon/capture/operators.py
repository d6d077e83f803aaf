"""3D Viewport › Clapper › Capture: a video onto the character (body, fingers, face).

Registering these operators imports no engine module: the readers and writers (which need the
engine) are imported when an operator runs.
"""

from __future__ import annotations

import os
from typing import Any

import bpy

from ..core.jobs import EngineJobOperator, JobInputError


class _CaptureJob(EngineJobOperator):
    """What the capture operators share: when they run, and how their result lands on the rig."""

    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return context.scene is not None and context.mode == "OBJECT"

    def apply_result(self, context: bpy.types.Context, result: Any) -> None:
        from ..retarget.write import preset_for
        from .write import apply_capture

        props = context.scene.clapper.capture
        bone_map: dict[str, str] = {}
        if props.target is not None and props.target.type == "ARMATURE":
            bone_map = dict(preset_for(props.target, "AUTO")[0].bone_map)
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
        props.last_report = (
            f"{', '.join(made.actions()) or 'no action'}: frames {made.frame_start}–{made.frame_end}"
        )
        captured = result.capture
        props.last_health = captured.report.line()
        props.last_overlay = str(captured.overlay or "")
        props.last_track = str(captured.track)
        props.missing_shape_keys = ", ".join(made.missing_shape_keys)
        self.report({"INFO"}, f"{props.last_report} ({props.last_health})")  # type: ignore[attr-defined]


class CLAPPER_OT_capture(_CaptureJob, bpy.types.Operator):
    """Capture the video's performance onto the armature and face mesh (Esc cancels; nothing changes then)"""

    bl_idname = "clapper.capture"
    bl_label = "Capture"
    bl_options = {"REGISTER", "UNDO"}
    job_label = "Capturing"

    def build_job(self, context: bpy.types.Context) -> tuple[Any, Any]:
        from ai_engine.capture.contract import CAPTURE_TO_RIG

        from .read import capture_request

        return CAPTURE_TO_RIG, capture_request(context.scene.clapper.capture)


class CLAPPER_OT_capture_resolve(_CaptureJob, bpy.types.Operator):
    """Solve the last capture again with the foot contacts as keyed on the armature (clapper_contact_L/R),
    and bake it as a new body action (Esc cancels; nothing changes then)"""

    bl_idname = "clapper.capture_resolve"
    bl_label = "Re-solve With Contacts"
    bl_options = {"REGISTER", "UNDO"}
    job_label = "Re-solving"

    def build_job(self, context: bpy.types.Context) -> tuple[Any, Any]:
        from ai_engine.capture.contract import RESOLVE

        from .read import resolve_request

        return RESOLVE, resolve_request(context.scene.clapper.capture, context.scene.frame_start)


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
        from .write_face import create_missing_shape_keys, missing_shape_keys

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
        from .write_face import missing_shape_keys

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
    CLAPPER_OT_capture_resolve,
    CLAPPER_OT_capture_create_shape_keys,
    CLAPPER_OT_capture_check_shape_keys,
    CLAPPER_OT_capture_open_overlay,
)
