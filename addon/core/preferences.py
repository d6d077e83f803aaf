"""Add-on preferences: compute device, worker threads, a folder for trained models."""

from __future__ import annotations

import bpy

from . import ADDON_PACKAGE


class CLAPPER_AP_preferences(bpy.types.AddonPreferences):
    bl_idname = ADDON_PACKAGE  # type: ignore[assignment]

    device: bpy.props.EnumProperty(
        name="Device",
        description="Where the engine runs its neural networks",
        items=[
            ("AUTO", "Automatic", "CUDA when an NVIDIA GPU is available, else the CPU"),
            ("CPU", "CPU", "Always the CPU"),
            ("CUDA", "CUDA", "An NVIDIA GPU (falls back to the CPU when none is found)"),
        ],
        default="AUTO",
    )
    threads: bpy.props.IntProperty(
        name="Worker Threads",
        description="CPU threads the engine may use (0 = all cores)",
        default=0,
        min=0,
        max=256,
    )
    model_dir: bpy.props.StringProperty(
        name="Model Folder",
        description="Where trained effects models are kept (empty = Blender's user extension data folder)",
        subtype="DIR_PATH",
        default="",
    )

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        layout.use_property_split = True
        layout.prop(self, "device")
        layout.prop(self, "threads")
        layout.prop(self, "model_dir")
        layout.operator("clapper.check_engine", icon="CHECKMARK")


def get(context: bpy.types.Context | None = None) -> CLAPPER_AP_preferences | None:
    """This add-on's preferences, or None when it was registered without addon_utils (tests)."""
    context = context or bpy.context
    addon = context.preferences.addons.get(ADDON_PACKAGE)
    return addon.preferences if addon is not None else None  # type: ignore[return-value]


def engine_environment(context: bpy.types.Context | None = None) -> dict[str, str]:
    """Environment variables that carry the preferences into the worker (see ai_engine.settings)."""
    prefs = get(context)
    if prefs is None:
        return {}
    return {"CLAPPER_DEVICE": prefs.device.lower(), "CLAPPER_THREADS": str(prefs.threads)}


classes = (CLAPPER_AP_preferences,)
