"""Loading generated textures into ``bpy.data.images``: stills, their maps, and flipbook sequences."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import bpy

if TYPE_CHECKING:
    from ai_engine.fx.contract import GenerateResult

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


def load_result(result: GenerateResult, *, pack: bool) -> LoadedImages:
    """Load what an ``fx.generate`` result lists.

    Arguments:
        result: the job's result (``files`` for a still, ``frames`` for a loop).
        pack: pack the stills into the .blend (an unsaved file has no folder to keep them beside).
            Flipbooks stay on disk: Blender cannot pack image sequences.
    """
    loaded = LoadedImages()
    for kind, path in result.files.items():
        image = _load(str(path), non_color=kind in NON_COLOR_MAPS, pack=pack)
        image.name = f"{result.name}_{kind}"
        loaded.maps[kind] = image
    if result.frames:
        image = bpy.data.images.load(str(result.frames[0]), check_existing=False)
        image.source = "SEQUENCE"
        image.name = f"{result.name}_loop"
        loaded.sequence = image
        loaded.frames = len(result.frames)
    return loaded
