"""OpenTimelineIO (``.otio``): one video track, one clip per shot, written by ``opentimelineio``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..cutlist import CutList
from . import ExportFormat


def timeline_rate(fps: float) -> float:
    return fps if fps > 0 else 25.0


def build_timeline(cut_list: CutList, *, rate: float | None = None, name: str | None = None) -> Any:
    """An ``opentimelineio.schema.Timeline`` with one video track, one clip per shot.

    Arguments:
        rate: time base of the timeline (default: the video's fps).
        name: timeline name (default: the video's file name).
    """
    import opentimelineio as otio

    rate = rate or timeline_rate(cut_list.fps)
    video = Path(cut_list.video)
    ref = otio.schema.ExternalReference(
        target_url=video.resolve().as_uri() if video.is_absolute() or video.exists() else str(video),
        available_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(cut_list.frame_count, rate)
        ),
    )
    timeline = otio.schema.Timeline(name=name or video.name)
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    boundary = {c.frame: c for c in cut_list.cuts}
    for index, (start, end) in enumerate(cut_list.shots(), start=1):
        clip = otio.schema.Clip(
            name=f"{video.stem} shot {index:03d}",
            media_reference=ref.clone(),
            source_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(start, rate), otio.opentime.RationalTime(end - start, rate)
            ),
        )
        cut = boundary.get(start)
        if cut is not None:
            clip.metadata["clapper"] = cut.to_dict()
        track.append(clip)
    timeline.metadata["clapper"] = {
        "detector": cut_list.detector,
        "fps": cut_list.fps,
        "video": cut_list.video,
    }
    return timeline


def shots_of(timeline: Any) -> list[tuple[int, int]]:
    """``(start, end_exclusive)`` source frames of the first track's clips."""
    return [
        (
            round(c.source_range.start_time.value),
            round(c.source_range.start_time.value + c.source_range.duration.value),
        )
        for c in timeline.tracks[0].find_clips()
    ]


class OtioFormat(ExportFormat):
    name = "otio"
    suffix = ".otio"
    label = "OTIO"
    description = "OpenTimelineIO timeline (.otio)"

    def write(self, cut_list: CutList, path: Path) -> None:
        import opentimelineio as otio

        otio.adapters.write_to_file(build_timeline(cut_list), str(path), adapter_name="otio_json")

    def read_shots(self, path: Path, fps: float) -> list[tuple[int, int]]:
        import opentimelineio as otio

        return shots_of(otio.adapters.read_from_file(str(path), adapter_name="otio_json"))
