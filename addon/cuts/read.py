"""Blender data → cuts requests: which movie strips, which files, and the typed engine requests.

Nothing here imports the engine at module level (the operators that import this register in a
Blender without it); the contract is imported when a request is built.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

import bpy

from ..core.compat import all_strips
from ..core.jobs import JobInputError

if TYPE_CHECKING:
    from ai_engine.cuts.contract import DetectManyRequest, ExportRequest


def media_path(path: str) -> str:
    """A comparable absolute path for a strip's (possibly relative) file path."""
    return os.path.normcase(os.path.realpath(bpy.path.abspath(path))) if path else ""


def strip_media(strip: Any) -> str:
    if strip.type == "MOVIE":
        return media_path(strip.filepath)
    if strip.type == "SOUND" and strip.sound is not None:
        return media_path(strip.sound.filepath)
    return ""


def movie_strips(editor: Any, *, selected_only: bool = True) -> list[Any]:
    """Movie strips anywhere (inside meta strips too), the selected ones by default."""
    if editor is None:
        return []
    return [s for s in all_strips(editor) if s.type == "MOVIE" and (s.select or not selected_only)]


def detect_request(editor: Any, props: Any) -> tuple[DetectManyRequest, list[tuple[str, str]]]:
    """The request for the selected movie strips, and ``(strip name, media path)`` of each.

    Raises:
        JobInputError: no movie strip selected, or one's file is missing (says what to do).
    """
    from ai_engine.cuts.contract import DetectManyRequest

    strips = movie_strips(editor)
    if not strips:
        raise JobInputError("Select one or more movie strips in the Sequencer, then Detect Cuts.")
    videos: list[str] = []
    for strip in strips:
        path = media_path(strip.filepath)
        if not os.path.exists(path):
            raise JobInputError(
                f"The video of strip '{strip.name}' is missing ({path}). "
                "Relink it (Strip › Movie › Change Path/Files) or deselect the strip."
            )
        if path not in videos:
            videos.append(path)
    request = DetectManyRequest(
        videos=tuple(videos), detector=props.detector, min_shot=props.min_shot or None
    )
    return request, [(s.name, media_path(s.filepath)) for s in strips]


def export_request(source: Any, fmt: str, path: str) -> ExportRequest:
    """Export the cut list stored on ``source`` (a ``ClapperCutSource``) as ``fmt`` to ``path``."""
    from ai_engine.cuts.contract import ExportRequest
    from ai_engine.cuts.cutlist import CutList

    return ExportRequest(targets={fmt: path}, cut_list=CutList.from_dict(json.loads(source.cut_list_json)))
