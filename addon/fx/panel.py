"""Image editor sidebar, tab "Clapper": Effects (generate) and Effects Training.

The Shader editor shows the same panels (``panels/shader.py``); both draw with the functions here.
"""

from __future__ import annotations

import bpy

from ..core.panel import draw_job_status
from .previews import release


def draw_generate(layout: bpy.types.UILayout, context: bpy.types.Context) -> None:
    running = draw_job_status(layout, context, __package__)
    props = context.scene.clapper.fx
    col = layout.column()
    col.enabled = not running
    col.row().prop(props, "source", expand=True)
    if props.source == "PRESET":
        col.template_icon_view(props, "preset", show_labels=True, scale=5.0)
        col.prop(props, "preset", text="")
    else:
        col.prop(props, "model_path")
    col.prop(props, "seed")
    col.prop(props, "size")
    col.prop(props, "frames")
    col.prop(props, "hdr")
    row = col.row()
    row.prop(props, "make_material")
    if props.make_material and context.active_object is None:
        col.label(text="Select an object for the material", icon="ERROR")
    col.operator("clapper.fx_generate", icon="TEXTURE")
    if props.last_report:
        col.label(text=props.last_report, icon="INFO")


def draw_train(layout: bpy.types.UILayout, context: bpy.types.Context) -> None:
    running = draw_job_status(layout, context, __package__)
    props = context.scene.clapper.fx
    col = layout.column()
    col.enabled = not running
    col.prop(props, "train_folder")
    col.prop(props, "train_minutes")
    col.prop(props, "train_output")
    col.operator("clapper.fx_train", icon="PLAY")
    preview = bpy.data.images.get("Clapper Training Preview")
    if preview is not None and preview.preview is not None:  # filled by the training's refresh timer
        layout.label(text="Live preview")
        layout.template_icon(icon_value=preview.preview.icon_id, scale=8.0)


class CLAPPER_PT_image_fx(bpy.types.Panel):
    bl_idname = "CLAPPER_PT_image_fx"
    bl_label = "Effects"
    bl_space_type = "IMAGE_EDITOR"
    bl_region_type = "UI"
    bl_category = "Clapper"

    def draw(self, context: bpy.types.Context) -> None:
        draw_generate(self.layout, context)


class CLAPPER_PT_image_fx_train(bpy.types.Panel):
    bl_idname = "CLAPPER_PT_image_fx_train"
    bl_label = "Effects Training"
    bl_space_type = "IMAGE_EDITOR"
    bl_region_type = "UI"
    bl_category = "Clapper"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context: bpy.types.Context) -> None:
        draw_train(self.layout, context)


classes = (CLAPPER_PT_image_fx, CLAPPER_PT_image_fx_train)


def register() -> None:
    for cls in classes:
        bpy.utils.register_class(cls)


def unregister() -> None:
    for cls in reversed(classes):
        bpy.utils.unregister_class(cls)
    release()
