"""Shader editor sidebar, tab "Clapper": the same Effects panels as the Image editor."""

from __future__ import annotations

import bpy

from .panel import draw_generate, draw_train


class _ShaderEditorPanel:
    bl_space_type = "NODE_EDITOR"
    bl_region_type = "UI"
    bl_category = "Clapper"

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        space = context.space_data
        return space is not None and getattr(space, "tree_type", "") == "ShaderNodeTree"


class CLAPPER_PT_shader_fx(_ShaderEditorPanel, bpy.types.Panel):
    bl_idname = "CLAPPER_PT_shader_fx"
    bl_label = "Effects"

    def draw(self, context: bpy.types.Context) -> None:
        draw_generate(self.layout, context)


class CLAPPER_PT_shader_fx_train(_ShaderEditorPanel, bpy.types.Panel):
    bl_idname = "CLAPPER_PT_shader_fx_train"
    bl_label = "Effects Training"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context: bpy.types.Context) -> None:
        draw_train(self.layout, context)


classes = (CLAPPER_PT_shader_fx, CLAPPER_PT_shader_fx_train)
