"""Engine results → the Sequencer: scene colour tags and markers, problems, Make Edit strips."""

from __future__ import annotations

from typing import Any

import bpy

from ..core.compat import all_strips
from ..core.compat import strips as top_strips
from ..cuts.read import media_path
from ..cuts.write import timeline_frame
from .timeline import TimelineProblem

SCENE_MARKER = "Scene "
PROBLEM_MARKER = "⚠ "
COLOR_TAGS = tuple(f"COLOR_0{i}" for i in range(1, 10))


def clear_scene_markers(scene: bpy.types.Scene) -> None:
    for marker in [m for m in scene.timeline_markers if m.name.startswith(SCENE_MARKER)]:
        scene.timeline_markers.remove(marker)


def apply_scenes(scene: bpy.types.Scene, movie_strips: list[Any], result: Any) -> int:
    """Tag every piece of the given movies (and their sound) with its scene's colour; one marker per scene.

    ``result`` is a ``ScenesResult`` of the movies' video. A piece belongs to the scene holding the
    source frame it starts on. Returns the number of strips tagged.
    """
    editor = scene.sequence_editor
    props = scene.clapper.scenes
    props.scenes.clear()
    clear_scene_markers(scene)
    path = media_path(result.video)
    pieces = [s for s in all_strips(editor) if s.type in {"MOVIE", "SOUND"} and _media(s) == path]
    movies = [s for s in pieces if s.type == "MOVIE"]
    anchor = min(movies, key=lambda s: s.frame_start) if movies else None
    tagged = 0
    for number, found in enumerate(result.scenes, start=1):
        item = props.scenes.add()
        item.number = number
        item.color_tag = COLOR_TAGS[(number - 1) % len(COLOR_TAGS)]
        item.shots = len(found.shots)
        if anchor is not None:
            item.frame_start = timeline_frame(anchor, found.first, result.frame_count)
            item.frame_end = timeline_frame(anchor, found.last + 1, result.frame_count) - 1
            scene.timeline_markers.new(name=f"{SCENE_MARKER}{number}", frame=item.frame_start)
    for strip in pieces:
        source = _source_frame(strip, result.frame_count)
        number = next((n for n, s in enumerate(result.scenes) if s.first <= source <= s.last), None)
        if number is not None:
            strip.color_tag = COLOR_TAGS[number % len(COLOR_TAGS)]
            tagged += 1
    props.active_scene = 0
    return tagged


def _media(strip: Any) -> str:
    if strip.type == "MOVIE":
        return media_path(strip.filepath)
    if strip.type == "SOUND" and strip.sound is not None:
        return media_path(strip.sound.filepath)
    return ""


def _source_frame(strip: Any, frame_count: int) -> int:
    """The source frame shown at the strip's first visible frame."""
    scale = frame_count / strip.frame_duration if strip.frame_duration else 1.0
    return int(round((strip.frame_final_start - strip.frame_start) * scale))


def store_problems(
    scene: bpy.types.Scene, problems: list[TimelineProblem], video_problems: list[Any] = ()
) -> None:
    """Fill the panel's list; problems needing a decision (jump cuts, hidden strips) get a marker."""
    props = scene.clapper.scenes
    props.problems.clear()
    for marker in [m for m in scene.timeline_markers if m.name.startswith(PROBLEM_MARKER)]:
        scene.timeline_markers.remove(marker)
    for p in [*problems, *video_problems]:
        item = props.problems.add()
        item.kind, item.frame_start, item.frame_end, item.detail = p.kind, p.first, p.last, p.detail
        item.strip, item.other = getattr(p, "strip", ""), getattr(p, "other", "")
        item.repairable = bool(getattr(p, "repairable", False))
        if not item.repairable:
            scene.timeline_markers.new(name=f"{PROBLEM_MARKER}{p.kind.replace('_', ' ')}", frame=p.first)
    props.active_problem = 0


def problem_from_item(item: Any) -> TimelineProblem:
    return TimelineProblem(item.kind, item.frame_start, item.frame_end, item.detail, item.strip, item.other)


def add_edit(scene: bpy.types.Scene, plan: Any, *, channel: int = 1, sound: bool = True) -> list[Any]:
    """Lay the planned shots end to end from ``scene.frame_start``: picture on ``channel``, its sound above.

    Each shot is a movie strip of the source trimmed to its frames (one picture per timeline frame
    at the source's rate: the scene takes the source fps), so cut points are exact.
    """
    from ..footage.write import scene_rate

    scene.render.fps, scene.render.fps_base = scene_rate(plan.fps)
    editor = scene.sequence_editor or scene.sequence_editor_create()
    at = scene.frame_start
    made = []
    has_audio = sound
    for index, shot in enumerate(plan.shots, start=1):
        length = shot.last - shot.first + 1
        start = at - shot.first
        name = f"Edit {index:02d} · shot {shot.shot + 1}"
        movie = top_strips(editor).new_movie(
            name=name, filepath=plan.video, channel=channel, frame_start=start
        )
        movie.frame_final_start, movie.frame_final_end = at, at + length
        movie.color_tag = COLOR_TAGS[shot.scene % len(COLOR_TAGS)]
        made.append(movie)
        if has_audio:
            try:
                audio = top_strips(editor).new_sound(
                    name=f"{name} audio", filepath=plan.video, channel=channel + 1, frame_start=start
                )
            except RuntimeError:
                has_audio = False  # the clip has no sound
            else:
                audio.frame_final_start, audio.frame_final_end = at, at + length
                audio.color_tag = movie.color_tag
                made.append(audio)
        at += length
    scene.frame_end = max(scene.frame_start, at - 1)
    return made
