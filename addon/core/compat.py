"""Differences between Blender 4.2–4.5 and 5.0 that the add-on meets, in one place."""

from __future__ import annotations

from typing import Any


def strips(editor: Any) -> Any:
    """The top-level strips of a SequenceEditor (5.0: ``strips``; 4.x: ``sequences``)."""
    return editor.strips if hasattr(editor, "strips") else editor.sequences


def all_strips(editor: Any) -> Any:
    """Every strip, inside meta strips too (5.0: ``strips_all``; 4.x: ``sequences_all``)."""
    return editor.strips_all if hasattr(editor, "strips_all") else editor.sequences_all


def eevee_engine() -> str:
    """The EEVEE render engine's identifier (5.0: BLENDER_EEVEE; 4.2–4.5: BLENDER_EEVEE_NEXT)."""
    import bpy

    return "BLENDER_EEVEE" if bpy.app.version >= (5, 0, 0) else "BLENDER_EEVEE_NEXT"
