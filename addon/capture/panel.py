"""3D Viewport sidebar, tab "Clapper": the Capture panel."""

from __future__ import annotations

import bpy

from ..core.panel import draw_job_status


class CLAPPER_PT_capture(bpy.types.Panel):
    bl_idname = "CLAPPER_PT_capture"
    bl_label = "Capture"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Clapper"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        running = draw_job_status(layout, context, __package__)
        props = context.scene.clapper.capture
        col = layout.column()
        col.enabled = not running
        col.prop(props, "video")
        col.prop(props, "target")
        row = col.row(align=True)
        row.prop(props, "face_mesh")
        row.operator("clapper.capture_check_shape_keys", text="", icon="SHAPEKEY_DATA")
        row = col.row(align=True)
        row.prop(props, "use_body", toggle=True)
        row.prop(props, "use_hands", toggle=True)
        row.prop(props, "use_face", toggle=True)
        col.prop(props, "smoothing", slider=True)
        col.prop(props, "neutral_frame")
        col.prop(props, "person")
        row = col.row()
        row.prop(props, "foot_lock")
        row.prop(props, "head_from_face")
        if props.missing_shape_keys:
            box = col.box()
            box.alert = True
            names = props.missing_shape_keys.split(", ")
            box.label(text=f"{len(names)} ARKit shape keys missing:", icon="ERROR")
            for start in range(0, min(len(names), 12), 3):
                box.label(text=", ".join(names[start : start + 3]))
            box.operator("clapper.capture_create_shape_keys", icon="ADD")
        col.operator("clapper.capture", icon="OUTLINER_OB_ARMATURE")
        if props.last_track and props.target is not None:
            col.operator("clapper.capture_resolve", icon="CON_FLOOR")
        if props.last_report:
            col.label(text=props.last_report, icon="INFO")
        if props.last_health:
            col.label(text=props.last_health, icon="CHECKMARK")
        if props.last_overlay:
            col.operator("clapper.capture_open_overlay", icon="IMAGE_DATA")


classes = (CLAPPER_PT_capture,)
