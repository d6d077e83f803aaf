"""Sequencer sidebar, tab "Clapper": the Cuts panel (detect, review, apply, export)."""

from __future__ import annotations

from typing import Any

import bpy

from ..core.panel import draw_job_status
from ..core.vocab import vocabulary
from .properties import KIND_ICONS
from .read import movie_strips


class CLAPPER_UL_cuts(bpy.types.UIList):
    """One row per detected cut: timeline frame, kind, score; click the arrow to jump there."""

    bl_idname = "CLAPPER_UL_cuts"

    def draw_item(  # type: ignore[override]
        self,
        context: bpy.types.Context,
        layout: bpy.types.UILayout,
        data: Any,
        item: Any,
        icon: int,
        active_data: Any,
        active_property: str,
        index: int = 0,
        flt_flag: int = 0,
    ) -> None:
        row = layout.row(align=True)
        row.active = not item.applied
        op = row.operator("clapper.jump_to_cut", text="", icon="TIME", emboss=False)
        op.index = index
        row.label(text=f"{item.timeline_frame}", icon=KIND_ICONS.get(item.kind, "DOT"))
        span = f" {item.start}–{item.end}" if item.end > item.start else ""
        row.label(text=f"{item.kind}{span}")
        row.label(text=f"{item.score:.2f}")
        row.label(text=item.strip)


class CLAPPER_PT_sequencer_cuts(bpy.types.Panel):
    bl_idname = "CLAPPER_PT_sequencer_cuts"
    bl_label = "Cuts"
    bl_space_type = "SEQUENCE_EDITOR"
    bl_region_type = "UI"
    bl_category = "Clapper"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        running = draw_job_status(layout, context, __package__)
        scene = getattr(context, "sequencer_scene", None) or context.scene
        props = scene.clapper.cuts
        col = layout.column()
        col.enabled = not running
        row = col.row(align=True)
        row.prop(props, "detector", expand=True)
        col.prop(props, "min_shot")
        col.operator("clapper.detect_cuts", icon="VIEWZOOM")
        if not len(props.cuts) and not len(props.sources):
            chosen = len(movie_strips(scene.sequence_editor))
            if chosen:
                col.label(
                    text=f"Detect Cuts reads the {chosen} selected movie strip{'s' * (chosen > 1)}.",
                    icon="INFO",
                )
            else:
                col.label(text="Select movie strips, then Detect Cuts.", icon="INFO")
            return
        col.prop(props, "show_markers")
        col.template_list("CLAPPER_UL_cuts", "", props, "cuts", props, "active_cut", rows=5)
        for source in props.sources:
            if source.curve_image is not None:
                box = col.box()
                box.label(text=f"Score curve · {source.strip}", icon="GRAPH")
                preview = source.curve_image.preview_ensure()
                box.template_icon(icon_value=preview.icon_id, scale=10.0)
        col.operator("clapper.apply_cuts", icon="SEQ_SEQUENCER")
        row = col.row(align=True)
        for fmt in vocabulary("ai_engine.cuts.contract", "EXPORT_FORMATS"):
            op = row.operator("clapper.export_cuts", text=fmt.upper(), icon="EXPORT")
            op.format = fmt
        col.operator("clapper.clear_cuts", icon="X")
        if props.last_report:
            col.label(text=props.last_report, icon="INFO")


classes = (CLAPPER_UL_cuts, CLAPPER_PT_sequencer_cuts)
