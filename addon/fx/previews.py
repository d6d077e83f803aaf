"""Preset thumbnails as Blender preview icons (``bpy.utils.previews``), loaded once, freed on unregister."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import bpy
import bpy.utils.previews

if TYPE_CHECKING:
    from ai_engine.fx.contract import Preset

_collection: Any = None


def shipped_presets() -> tuple[Preset, ...]:
    """The engine's preset catalogue (pure file reading: torch is not imported in Blender's UI);
    () when the engine cannot be imported (the panel then says so)."""
    try:
        from ai_engine.fx.catalog import list_presets
    except ImportError:
        return ()
    return list_presets()


def preset_icon(name: str) -> int | str:
    """The icon id of a preset's thumbnail ('TEXTURE' when it has none or in background mode)."""
    global _collection
    if bpy.app.background:
        return "TEXTURE"
    if _collection is None:
        _collection = bpy.utils.previews.new()
    if name not in _collection:
        thumbnail = next((p.thumbnail for p in shipped_presets() if p.name == name), None)
        if thumbnail is None:
            return "TEXTURE"
        _collection.load(name, str(thumbnail), "IMAGE")
    return int(_collection[name].icon_id)


def release() -> None:
    """Free the preview icons (called on unregister)."""
    global _collection
    if _collection is not None:
        bpy.utils.previews.remove(_collection)
        _collection = None
