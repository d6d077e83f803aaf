"""Put a probed video into the Sequencer: a movie strip, its sound strip, scene rate and range."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bpy

from ..core.compat import NO_SOUND_WARNING, sound_supported
from ..core.compat import strips as editor_strips

if TYPE_CHECKING:
    from ai_engine.video import VideoInfo


SOURCE_PROPERTY = "clapper_source"
"""Custom property on a sound strip made from a copied audio track: the movie file it belongs to
(so cutting the movie cuts that sound too)."""


def audio_folder(blend_path: str | None = None) -> str:
    """Where the engine copies audio tracks 2, 3 …: ``clapper_audio/`` beside the saved .blend
    (the copies travel with the project), else Blender's per-user data folder."""
    blend = blend_path if blend_path is not None else bpy.data.filepath
    if blend:
        return os.path.join(os.path.dirname(os.path.abspath(blend)), "clapper_audio")
    return bpy.utils.user_resource(
        "DATAFILES", path=os.path.join("clapper", "audio")
    )  # the engine creates it


@dataclass
class AddedFootage:
    movie: str
    sound: str | None  # the first audio track's strip
    channel: int
    frame_start: int
    frame_end: int
    scene_fps: float
    sounds: tuple[str, ...] = ()  # every audio track's strip, in track order
    warnings: tuple[str, ...] = ()


def scene_rate(fps: float) -> tuple[int, float]:
    """Blender's (fps, fps_base) for a clip rate: 29.97 → (30, 1.001), 25 → (25, 1.0)."""
    if fps <= 0:
        return 24, 1.0
    nearest = round(fps)
    for base in (1.0, 1.001):
        if abs(nearest / base - fps) < 0.0005 * fps:
            return int(nearest), base
    rational = Fraction(fps).limit_denominator(1001)
    return int(rational.numerator), float(rational.denominator)


def _channel_is_free(strips: Any, channel: int, start: int, end: int) -> bool:
    for strip in strips:
        if strip.channel != channel:
            continue
        if strip.frame_final_start < end and strip.frame_final_end > start:
            return False
    return True


def free_channel(sequence_editor: Any, start: int, length: int, needed: int) -> int:
    """The lowest channel C such that channels C..C+needed-1 are empty over [start, start+length)."""
    strips = list(editor_strips(sequence_editor))
    channel = 1
    while channel + needed - 1 <= 128:
        if all(_channel_is_free(strips, channel + k, start, start + length) for k in range(needed)):
            return channel
        channel += 1
    raise RuntimeError(
        "No free channel for the footage: the sequencer's 128 channels are full at this frame."
    )


def add_footage(
    scene: bpy.types.Scene,
    info: VideoInfo,
    *,
    frame_start: int,
    match_scene: bool,
    audio_files: Sequence[str] = (),
) -> AddedFootage:
    """Add ``info`` (what the engine probed) as a movie strip and one sound strip per audio track.

    Blender plays a file's first audio stream only: that track's strip reads the video itself, the
    others read ``audio_files`` (the engine's copies of tracks 2, 3 …, from the probe job).
    """
    path = info.path
    if match_scene:
        fps, base = scene_rate(float(info.nominal_fps if info.variable_frame_rate else info.fps))
        scene.render.fps, scene.render.fps_base = fps, base
    editor = scene.sequence_editor or scene.sequence_editor_create()
    name = Path(path).stem
    # Blender decides the movie's length in timeline frames; a scratch strip tells us, so the
    # channel search uses the real extent.
    with_sound = sound_supported()
    sources = ([path] if info.has_audio else []) + list(audio_files) if with_sound else []
    needed = 1 + len(sources)
    movie = editor_strips(editor).new_movie(name=name, filepath=path, channel=128, frame_start=frame_start)
    try:
        length = movie.frame_final_duration
        channel = free_channel(editor, frame_start, length, needed)
        movie.channel = channel
    except Exception:
        editor_strips(editor).remove(movie)
        raise
    sounds = []
    for number, source in enumerate(sources):
        sound = editor_strips(editor).new_sound(
            name=f"{name} audio" if number == 0 else f"{name} audio {number + 1}",
            filepath=source,
            channel=channel + 1 + number,
            frame_start=frame_start,
        )
        if source != path:
            sound[SOURCE_PROPERTY] = path
        sounds.append(sound.name)
    frame_end = frame_start + length - 1
    if match_scene:
        scene.frame_start = frame_start
        scene.frame_end = frame_end
    return AddedFootage(
        movie.name,
        sounds[0] if sounds else None,
        channel,
        frame_start,
        frame_end,
        scene.render.fps / scene.render.fps_base,
        tuple(sounds),
        () if with_sound or not (info.has_audio or audio_files) else (NO_SOUND_WARNING,),
    )
