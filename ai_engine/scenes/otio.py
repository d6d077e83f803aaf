"""Shots and scenes as an OpenTimelineIO timeline (own writer; the cuts writer stays untouched).

Layout: track "V1" holds one nested ``Stack`` per scene ("Scene N"), each with one track of that
scene's shots as clips of the source video; the V1 track also carries a marker "Scene N" at every
scene's first frame, so tools that flatten nested stacks still see where scenes begin.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import ExportError
from .contract import ScenesResult


def _rate(fps: float) -> float:
    return round(fps, 3) if fps > 0 else 25.0


def build_scene_timeline(result: ScenesResult):  # type: ignore[no-untyped-def]
    import opentimelineio as otio

    rate = _rate(result.fps)
    video = Path(result.video)
    frame = lambda n: otio.opentime.RationalTime(n, rate)  # noqa: E731
    ref = otio.schema.ExternalReference(
        target_url=video.resolve().as_uri() if video.is_absolute() or video.exists() else str(video),
        available_range=otio.opentime.TimeRange(frame(0), frame(result.frame_count)),
    )
    timeline = otio.schema.Timeline(name=video.name)
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    for number, scene in enumerate(result.scenes, start=1):
        name = f"Scene {number}"
        stack = otio.schema.Stack(name=name)
        inner = otio.schema.Track(name=name, kind=otio.schema.TrackKind.Video)
        for index in scene.shots:
            shot = result.shots[index]
            inner.append(
                otio.schema.Clip(
                    name=f"{video.stem} shot {index + 1:03d}",
                    media_reference=ref.clone(),
                    source_range=otio.opentime.TimeRange(
                        frame(shot.first), frame(shot.last - shot.first + 1)
                    ),
                    metadata={"clapper": {"shot": index, "scene": number - 1}},
                )
            )
        stack.append(inner)
        stack.metadata["clapper"] = {"scene": number - 1, "first": scene.first, "last": scene.last}
        stack.markers.append(
            otio.schema.Marker(name=name, marked_range=otio.opentime.TimeRange(frame(0), frame(0)))
        )
        track.append(stack)
        track.markers.append(
            otio.schema.Marker(name=name, marked_range=otio.opentime.TimeRange(frame(scene.first), frame(0)))
        )
    timeline.metadata["clapper"] = {"video": result.video, "fps": result.fps, "scenes": len(result.scenes)}
    return timeline


def write_scenes_otio(result: ScenesResult, path: str | os.PathLike[str]) -> Path:
    """Raises ExportError when the folder is missing or not writable."""
    import opentimelineio as otio

    out = Path(path)
    if not out.parent.exists():
        raise ExportError(
            f"Cannot write {out}: the folder {out.parent} does not exist. Create it or pick another."
        )
    try:
        otio.adapters.write_to_file(build_scene_timeline(result), str(out), adapter_name="otio_json")
    except OSError as exc:
        raise ExportError(f"Cannot write {out}: {exc}. Pick a writable folder.") from exc
    return out
