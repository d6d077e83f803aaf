"""Cut-list interchange: OpenTimelineIO, CMX 3600 EDL (through OTIO's adapter) and CSV.

Every format describes the same thing: the source video split into consecutive shots, shot ``i``
covering source frames ``[start, end)``. OTIO and the EDL are written by ``opentimelineio`` and
``otio-cmx3600-adapter`` (never by hand); the CSV is one row per shot for spreadsheets.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

from ..errors import ExportError
from .cutlist import CutList

CSV_COLUMNS = (
    "shot",
    "start_frame",
    "end_frame",
    "start_seconds",
    "end_seconds",
    "duration_frames",
    "boundary_kind",
    "transition_start",
    "transition_end",
    "score",
)

# EDL timecode needs a whole frame rate (or an NTSC one); other rates are written at the nearest.
_EDL_RATES = (24000 / 1001, 24.0, 25.0, 30000 / 1001, 30.0, 48.0, 50.0, 60000 / 1001, 60.0)


def edl_rate(fps: float) -> float:
    """The standard rate an EDL of a ``fps`` video is written at (frame counts are kept as is)."""
    return min(_EDL_RATES, key=lambda r: abs(r - _timeline_rate(fps)))


def _timeline_rate(fps: float) -> float:
    return fps if fps > 0 else 25.0


def build_timeline(cut_list: CutList, *, rate: float | None = None, name: str | None = None) -> Any:
    """An ``opentimelineio.schema.Timeline`` with one video track, one clip per shot.

    Arguments:
        rate: time base of the timeline (default: the video's fps).
        name: timeline name (default: the video's file name).
    """
    import opentimelineio as otio

    rate = rate or _timeline_rate(cut_list.fps)
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


def _prepare(path: str | os.PathLike[str]) -> Path:
    out = Path(path)
    if not out.parent.exists():
        raise ExportError(
            f"Cannot write {out}: the folder {out.parent} does not exist. Create it or pick another."
        )
    return out


def write_otio(cut_list: CutList, path: str | os.PathLike[str]) -> Path:
    """Write an ``.otio`` timeline.

    Raises:
        ExportError: the folder is missing or not writable.
    """
    import opentimelineio as otio

    out = _prepare(path)
    try:
        otio.adapters.write_to_file(build_timeline(cut_list), str(out), adapter_name="otio_json")
    except OSError as exc:
        raise ExportError(f"Cannot write {out}: {exc}. Pick a writable folder.") from exc
    return out


def write_edl(cut_list: CutList, path: str | os.PathLike[str]) -> Path:
    """Write a CMX 3600 EDL (through ``otio-cmx3600-adapter``) at the nearest standard rate.

    Raises:
        ExportError: the folder is missing or not writable, or the adapter refused the timeline.
    """
    import opentimelineio as otio

    out = _prepare(path)
    rate = edl_rate(cut_list.fps)
    try:
        otio.adapters.write_to_file(build_timeline(cut_list, rate=rate), str(out), adapter_name="cmx_3600")
    except OSError as exc:
        raise ExportError(f"Cannot write {out}: {exc}. Pick a writable folder.") from exc
    except otio.exceptions.OTIOError as exc:
        raise ExportError(
            f"The EDL writer refused this cut list ({exc}). Export OTIO or CSV instead."
        ) from exc
    return out


def write_csv(cut_list: CutList, path: str | os.PathLike[str]) -> Path:
    """Write one row per shot (see ``CSV_COLUMNS``).

    Raises:
        ExportError: the folder is missing or not writable.
    """
    out = _prepare(path)
    boundary = {c.frame: c for c in cut_list.cuts}
    try:
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            for index, (start, end) in enumerate(cut_list.shots(), start=1):
                cut = boundary.get(start)
                writer.writerow(
                    [
                        index,
                        start,
                        end,
                        f"{cut_list.seconds(start):.4f}",
                        f"{cut_list.seconds(end):.4f}",
                        end - start,
                        cut.kind if cut else "start",
                        cut.start if cut else start,
                        cut.end if cut else start,
                        f"{cut.score:.4f}" if cut else "",
                    ]
                )
    except OSError as exc:
        raise ExportError(f"Cannot write {out}: {exc}. Pick a writable folder.") from exc
    return out


WRITERS = {"otio": write_otio, "edl": write_edl, "csv": write_csv}


def export(cut_list: CutList, path: str | os.PathLike[str], fmt: str | None = None) -> Path:
    """Write ``cut_list`` in ``fmt`` (``otio``, ``edl``, ``csv``; default: from the file suffix).

    Raises:
        ExportError: unknown format, or the file could not be written.
    """
    fmt = (fmt or Path(path).suffix.lstrip(".")).lower()
    writer = WRITERS.get(fmt)
    if writer is None:
        raise ExportError(f"Unknown export format {fmt!r}: use .otio, .edl or .csv.")
    return writer(cut_list, path)
