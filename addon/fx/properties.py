"""Settings of the effects feature: ``Scene.clapper.fx`` (saved with the .blend)."""

from __future__ import annotations

from typing import Any

import bpy

from ..core.properties import PATH_OPTIONS

TEXTURE_SIZES = (512, 1024, 2048, 4096)

_enum_cache: list[tuple[str, str, str, int | str, int]] = []  # Blender needs the items kept alive


def preset_items(self: Any, context: bpy.types.Context | None) -> list[tuple[str, str, str, int | str, int]]:
    """The shipped presets with their thumbnails as enum items (read from files, torch not imported)."""
    from .previews import preset_icon, shipped_presets

    _enum_cache.clear()
    for index, preset in enumerate(shipped_presets()):
        _enum_cache.append((preset.name, preset.label, preset.description, preset_icon(preset.name), index))
    if not _enum_cache:
        _enum_cache.append(("NONE", "No presets", "This build ships no presets", "ERROR", 0))
    return _enum_cache


class ClapperFxProps(bpy.types.PropertyGroup):
    source: bpy.props.EnumProperty(
        name="Source",
        items=[
            ("PRESET", "Preset", "A built-in effect (fire, smoke, caustics …)"),
            ("MODEL", "Trained Model", "A model file made by Train"),
        ],
        default="PRESET",
    )
    preset: bpy.props.EnumProperty(name="Preset", items=preset_items)
    model_path: bpy.props.StringProperty(
        name="Model",
        description="A .pt model file made by Clapper's Train",
        subtype="FILE_PATH",
        options=PATH_OPTIONS,
    )
    seed: bpy.props.IntProperty(name="Seed", default=0, min=0, description="Same seed, same texture")
    size: bpy.props.EnumProperty(
        name="Size",
        items=[(str(s), f"{s} px", f"{s}×{s} tileable") for s in TEXTURE_SIZES],
        default="1024",
    )
    frames: bpy.props.IntProperty(
        name="Frames", default=0, min=0, max=480, description="Frames of a seamless loop (0: a still image)"
    )
    make_material: bpy.props.BoolProperty(
        name="Material on Active Object",
        default=True,
        description="Also build a ready material on the active object",
    )
    hdr: bpy.props.BoolProperty(
        name="HDR Emission",
        default=False,
        description="Also write an HDR emission map (bright cores above 1)",
    )
    train_folder: bpy.props.StringProperty(
        name="Images",
        description="Folder of example images of the texture to learn",
        subtype="DIR_PATH",
        options=PATH_OPTIONS,
    )
    train_minutes: bpy.props.FloatProperty(
        name="Minutes", default=5.0, min=0.1, max=600.0, description="Training time budget"
    )
    train_output: bpy.props.StringProperty(
        name="Save As",
        description="Model file to write",
        subtype="FILE_PATH",
        default="//clapper_fx_model.pt",
        options=PATH_OPTIONS,
    )
    last_report: bpy.props.StringProperty(name="Last Result", default="")


classes = (ClapperFxProps,)
