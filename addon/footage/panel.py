"""Sequencer sidebar, tab "Clapper"."""

from __future__ import annotations

import bpy

from ..core.panel import draw_job_status


class CLAPPER_PT_sequencer_footage(bpy.types.Panel):
    bl_idname = "CLAPPER_PT_sequencer_footage"
    bl_label = "Footage"
    bl_space_type = "SEQUENCE_EDITOR"
    bl_region_type = "UI"
    bl_category = "Clapper"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        running = draw_job_status(layout, context, __package__)
        props = context.scene.clapper.footage
        col = layout.column()
        col.enabled = not running
        col.prop(props, "filepath")
        col.prop(props, "match_scene")
        op = col.operator("clapper.add_footage", icon="FILE_MOVIE")
        op.filepath = props.filepath
        op.match_scene = props.match_scene
        if props.last_report:
            col.label(text=props.last_report, icon="INFO")


classes = (CLAPPER_PT_sequencer_footage,)
