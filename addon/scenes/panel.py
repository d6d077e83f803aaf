"""Sequencer sidebar, tab "Clapper": the Scenes panel (group, check and repair, make an edit)."""

from __future__ import annotations

from typing import Any

import bpy

from ..core.panel import draw_job_status


class CLAPPER_UL_scenes(bpy.types.UIList):
    bl_idname = "CLAPPER_UL_scenes"

    def draw_item(self, context, layout, data, item, icon, active_data, active_property, index=0, flt_flag=0):  # type: ignore[no-untyped-def,override]
        row = layout.row(align=True)
        op = row.operator("clapper.jump_to_scene", text="", icon="TIME", emboss=False)
        op.index = index
        row.label(
            text=f"Scene {item.number}",
            icon=f"SEQUENCE_{item.color_tag}" if item.color_tag != "NONE" else "DOT",
        )
        row.label(text=f"{item.frame_start}–{item.frame_end}")
        row.label(text=f"{item.shots} shot(s)")


class CLAPPER_UL_problems(bpy.types.UIList):
    bl_idname = "CLAPPER_UL_problems"

    def draw_item(self, context, layout, data, item, icon, active_data, active_property, index=0, flt_flag=0):  # type: ignore[no-untyped-def,override]
        row = layout.row(align=True)
        op = row.operator("clapper.jump_to_problem", text="", icon="TIME", emboss=False)
        op.index = index
        row.label(text=f"{item.frame_start}", icon="ERROR" if item.repairable else "MARKER")
        row.label(text=item.detail)
        if item.repairable:
            fix = row.operator("clapper.repair_problem", text="", icon="TOOL_SETTINGS")
            fix.index = index


class CLAPPER_PT_sequencer_scenes(bpy.types.Panel):
    bl_idname = "CLAPPER_PT_sequencer_scenes"
    bl_label = "Scenes"
    bl_space_type = "SEQUENCE_EDITOR"
    bl_region_type = "UI"
    bl_category = "Clapper"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        running = draw_job_status(layout, context, __package__)
        scene: Any = getattr(context, "sequencer_scene", None) or context.scene
        props = scene.clapper.scenes
        col = layout.column()
        col.enabled = not running
        col.operator("clapper.group_scenes", icon="SEQ_STRIP_META")
        if len(props.scenes):
            col.template_list("CLAPPER_UL_scenes", "", props, "scenes", props, "active_scene", rows=4)
            col.operator("clapper.export_scenes", icon="EXPORT")
        col.separator()
        col.operator("clapper.check_edit", icon="VIEWZOOM")
        if len(props.problems):
            col.template_list("CLAPPER_UL_problems", "", props, "problems", props, "active_problem", rows=4)
            op = col.operator("clapper.repair_problem", text="Repair All", icon="TOOL_SETTINGS")
            op.all = True
        col.separator()
        row = col.row(align=True)
        row.prop(props, "edit_seconds")
        row.prop(props, "min_shot_seconds")
        col.operator("clapper.make_edit", icon="SEQUENCE")
        if props.last_report:
            col.label(text=props.last_report, icon="INFO")


classes = (CLAPPER_UL_scenes, CLAPPER_UL_problems, CLAPPER_PT_sequencer_scenes)
