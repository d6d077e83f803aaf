"""Put a probed video into the Sequencer: a movie strip, its sound strip, scene rate and range."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bpy

from ..core.compat import NO_SOUND_WARNING, sound_supported
from ..core.compat import strips as editor_strips

if TYPE_CHECKING:
    from ai_engine.video import VideoInfo


@dataclass
class AddedFootage:
    movie: str
    sound: str | None
    channel: int
    frame_start: int
    frame_end: int
    scene_fps: float
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
    scene: bpy.types.Scene, info: VideoInfo, *, frame_start: int, match_scene: bool
) -> AddedFootage:
    """Add ``info`` (what the engine probed) as movie (+ sound) strips at ``frame_start``."""
    path = info.path
    if match_scene:
        fps, base = scene_rate(float(info.nominal_fps if info.variable_frame_rate else info.fps))
        scene.render.fps, scene.render.fps_base = fps, base
    editor = scene.sequence_editor or scene.sequence_editor_create()
    name = Path(path).stem
    # Blender decides the movie's length in timeline frames; a scratch strip tells us, so the
    # channel search uses the real extent.
    with_sound = info.has_audio and sound_supported()
    needed = 2 if with_sound else 1
    movie = editor_strips(editor).new_movie(name=name, filepath=path, channel=128, frame_start=frame_start)
    try:
        length = movie.frame_final_duration
        channel = free_channel(editor, frame_start, length, needed)
        movie.channel = channel
    except Exception:
        editor_strips(editor).remove(movie)
        raise
    sound_name = None
    if with_sound:
        sound = editor_strips(editor).new_sound(
            name=f"{name} audio", filepath=path, channel=channel + 1, frame_start=frame_start
        )
        sound_name = sound.name
    frame_end = frame_start + length - 1
    if match_scene:
        scene.frame_start = frame_start
        scene.frame_end = frame_end
    return AddedFootage(
        movie.name,
        sound_name,
        channel,
        frame_start,
        frame_end,
        scene.render.fps / scene.render.fps_base,
        () if with_sound or not info.has_audio else (NO_SOUND_WARNING,),
    )
