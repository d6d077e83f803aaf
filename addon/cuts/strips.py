"""Detected cuts → the Sequencer: timeline frames, preview markers, and splitting strips.

Mapping: a movie strip's content (``frame_duration`` timeline frames, whatever the trims) holds
the clip's ``frame_count`` pictures starting at ``frame_start``. When the clip plays at its own
rate in a scene of another fps, Blender stretches that content by scene_fps / clip_fps, so mapping
through the content length maps source frames to the timeline by time; when the strip shows one
picture per timeline frame the factor is 1. A variable-rate clip is laid out by timestamp at its
nominal rate (goldeneye-vfr-drop3: 160 pictures over 239 frames), and the same proportion puts its
cuts 60 and 140 on timeline offsets 90 and 210, the pictures they start. Moving a strip moves ``frame_start``; trimming only
moves the handles, so a cut inside a trimmed-away part is skipped.

Splitting: the pieces of one strip share its file, channel, container and ``frame_start`` (a soft
split keeps the content in place), so a cut frame is applied to the piece that contains it
strictly inside — a frame that is already a piece boundary is skipped, which is why running Apply
twice never cuts twice. The strip's sound (same file, same start, same container) is split at the
same timeline frames.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import bpy

from ..core.compat import all_strips
from ..footage.write import SOURCE_PROPERTY

MARKER_PREFIX = "✂ "


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


def timeline_frame(strip: Any, source_frame: int, frame_count: int) -> int:
    """The first timeline frame that shows ``source_frame`` of the strip's clip."""
    scale = strip.frame_duration / frame_count if frame_count > 0 else 1.0
    return int(math.ceil(strip.frame_start + source_frame * scale - 1e-6))


def container_of(strip: Any) -> Any:
    """The meta strip holding ``strip`` (None at the top level)."""
    return strip.parent_meta() if hasattr(strip, "parent_meta") else None


def _same_chain(a: Any, b: Any) -> bool:
    return (
        a.type == b.type
        and a.channel == b.channel
        and abs(a.frame_start - b.frame_start) < 0.5
        and strip_media(a) == strip_media(b)
        and container_of(a) == container_of(b)
    )


def chain_of(editor: Any, strip: Any) -> list[Any]:
    """Every piece that came from the same strip (earlier splits included)."""
    return [s for s in all_strips(editor) if _same_chain(s, strip)]


def sound_partners(editor: Any, movie: Any) -> list[Any]:
    """Sound strips carrying the movie's own audio (the file itself, or a copy of one of its further
    audio tracks that names it in ``SOURCE_PROPERTY``): same start, same container."""
    media = strip_media(movie)
    container = container_of(movie)
    return [
        s
        for s in all_strips(editor)
        if s.type == "SOUND"
        and (strip_media(s) == media or media_path(s.get(SOURCE_PROPERTY, "")) == media)
        and abs(s.frame_start - movie.frame_start) < 0.5
        and container_of(s) == container
    ]


def split_chain(pieces: list[Any], frames: Iterable[int]) -> list[int]:
    """Split the chain at every frame strictly inside a piece; returns the frames actually cut."""
    done: list[int] = []
    for frame in sorted(set(frames), reverse=True):
        for piece in pieces:
            if piece.frame_final_start < frame < piece.frame_final_end:
                new = piece.split(frame=frame, split_method="SOFT")
                if new is not None:
                    pieces.append(new)
                    done.append(frame)
                break
    return sorted(done)


@dataclass
class AppliedCuts:
    movie: str
    cut_frames: list[int] = field(default_factory=list)  # timeline frames newly cut in the movie
    sound_cuts: int = 0
    skipped: int = 0  # outside the visible part, or already cut


def apply_cuts(editor: Any, movie: Any, timeline_frames: Iterable[int]) -> AppliedCuts:
    """Split ``movie`` (all its pieces) and its sound strips at ``timeline_frames``."""
    frames = sorted(set(int(f) for f in timeline_frames))
    name = movie.name
    pieces = chain_of(editor, movie)
    sound_chains = []
    seen: set[str] = set()
    for sound in sound_partners(editor, movie):
        if sound.name not in seen:
            chain = [s for s in sound_partners(editor, movie) if _same_chain(s, sound)]
            seen.update(s.name for s in chain)
            sound_chains.append(chain)
    result = AppliedCuts(movie=name)
    result.cut_frames = split_chain(pieces, frames)
    for chain in sound_chains:
        result.sound_cuts += len(split_chain(chain, result.cut_frames))
    result.skipped = len(frames) - len(result.cut_frames)
    return result


def clear_markers(scene: bpy.types.Scene) -> None:
    for marker in [m for m in scene.timeline_markers if m.name.startswith(MARKER_PREFIX)]:
        scene.timeline_markers.remove(marker)


def set_markers(scene: bpy.types.Scene, cuts: Iterable[tuple[int, str]]) -> int:
    """Replace Clapper's preview markers with one per ``(timeline_frame, label)``."""
    clear_markers(scene)
    count = 0
    for frame, label in cuts:
        scene.timeline_markers.new(name=f"{MARKER_PREFIX}{label}", frame=int(frame))
        count += 1
    return count


def refresh_preview(scene: bpy.types.Scene) -> None:
    """Markers for every detected, not yet applied cut (when ``show_markers`` is on)."""
    props = scene.clapper.cuts
    if props.show_markers:
        set_markers(scene, [(c.timeline_frame, f"{c.kind} {c.strip}") for c in props.cuts if not c.applied])
    else:
        clear_markers(scene)
