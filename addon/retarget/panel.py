"""3D Viewport sidebar, tab "Clapper": the Retarget panel and its bone-map list."""

from __future__ import annotations

import bpy

from ..core.panel import draw_job_status


class CLAPPER_UL_bone_map(bpy.types.UIList):
    """One row per canonical joint: the target bone it drives (red when the armature lacks it)."""

    def draw_item(self, context, layout, data, item, icon, active_data, active_propname, index=0):  # type: ignore[no-untyped-def]
        target = context.scene.clapper.retarget.target
        split = layout.split(factor=0.35, align=True)
        missing = target is not None and target.type == "ARMATURE" and item.bone not in target.data.bones
        split.label(text=item.joint, icon="ERROR" if missing else "NONE")
        if target is not None and target.type == "ARMATURE":
            split.alert = missing
            split.prop_search(item, "bone", target.data, "bones", text="")
        else:
            split.prop(item, "bone", text="")


class CLAPPER_PT_retarget(bpy.types.Panel):
    bl_idname = "CLAPPER_PT_retarget"
    bl_label = "Retarget"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Clapper"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        running = draw_job_status(layout, context, __package__)
        props = context.scene.clapper.retarget
        col = layout.column()
        col.enabled = not running
        col.row().prop(props, "source_kind", expand=True)
        if props.source_kind == "FILE":
            col.prop(props, "source_path")
        else:
            col.prop(props, "source_armature")
        col.prop(props, "target")
        row = col.row(align=True)
        row.prop(props, "map_preset", text="Map")
        row.operator("clapper.retarget_fill_map", text="", icon="FILE_REFRESH")
        row.operator("clapper.retarget_save_map", text="", icon="FILE_TICK")
        if len(props.bone_map):
            col.template_list("CLAPPER_UL_bone_map", "", props, "bone_map", props, "bone_map_index", rows=5)
        if props.missing_bones:
            box = col.box()
            box.alert = True
            box.label(text="Missing bones:", icon="ERROR")
            for name in props.missing_bones.split(", ")[:12]:
                box.label(text=name)
        col.prop(props, "foot_lock")
        col.prop(props, "match_scene_fps")
        col.operator("clapper.retarget", icon="ARMATURE_DATA")
        if props.last_report:
            col.label(text=props.last_report, icon="INFO")
            col.operator("clapper.retarget_export_bvh", icon="EXPORT")


classes = (CLAPPER_UL_bone_map, CLAPPER_PT_retarget)
