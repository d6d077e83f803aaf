"""Loading generated textures into ``bpy.data.images``: stills, their maps, and flipbook sequences."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import bpy

NON_COLOR_MAPS = ("normal", "roughness")


@dataclass
class LoadedImages:
    """The images of one generation: ``maps`` by kind (color, normal, roughness, emission);
    ``sequence`` the first frame of a flipbook (its ``source`` is 'SEQUENCE') and ``frames`` its length."""

    maps: dict[str, bpy.types.Image] = field(default_factory=dict)
    sequence: bpy.types.Image | None = None
    frames: int = 0


def _load(path: str, *, non_color: bool, pack: bool) -> bpy.types.Image:
    image = bpy.data.images.load(path, check_existing=False)
    if non_color:
        image.colorspace_settings.name = "Non-Color"
    if pack:
        image.pack()
    return image


def load_result(result: dict[str, Any], *, pack: bool) -> LoadedImages:
    """Load what an ``ai_engine.fx.jobs:generate`` result lists.

    Arguments:
        result: the job's result (``files`` for a still, ``frames`` for a loop).
        pack: pack the stills into the .blend (an unsaved file has no folder to keep them beside).
            Flipbooks stay on disk: Blender cannot pack image sequences.
    """
    loaded = LoadedImages()
    for kind, path in result.get("files", {}).items():
        image = _load(path, non_color=kind in NON_COLOR_MAPS, pack=pack)
        image.name = f"{result['name']}_{kind}"
        loaded.maps[kind] = image
    frames = result.get("frames") or []
    if frames:
        image = bpy.data.images.load(frames[0], check_existing=False)
        image.source = "SEQUENCE"
        image.name = f"{result['name']}_loop"
        loaded.sequence = image
        loaded.frames = len(frames)
    return loaded


def relative_if_possible(path: str) -> str:
    """``//``-relative when the .blend is saved and the file sits below its folder."""
    if not bpy.data.filepath:
        return path
    try:
        return (
            bpy.path.relpath(path) if os.path.commonpath([path, os.path.dirname(bpy.data.filepath)]) else path
        )
    except ValueError:  # another drive on Windows
        return path
