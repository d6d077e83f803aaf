"""CMX 3600 EDL (``.edl``), written by ``otio-cmx3600-adapter`` (never by hand).

EDL timecode needs a standard frame rate: a video of any other rate is written at the nearest one,
frame counts kept as they are (so the shots keep their frames, not their seconds).
"""

from __future__ import annotations

from pathlib import Path

from ...errors import ExportError
from ..cutlist import CutList
from . import ExportFormat
from .otio import build_timeline, shots_of, timeline_rate

_EDL_RATES = (24000 / 1001, 24.0, 25.0, 30000 / 1001, 30.0, 48.0, 50.0, 60000 / 1001, 60.0)


def edl_rate(fps: float) -> float:
    """The standard rate an EDL of a ``fps`` video is written at."""
    return min(_EDL_RATES, key=lambda r: abs(r - timeline_rate(fps)))


class EdlFormat(ExportFormat):
    name = "edl"
    suffix = ".edl"
    label = "EDL"
    description = "CMX 3600 edit decision list (.edl)"

    def write(self, cut_list: CutList, path: Path) -> None:
        import opentimelineio as otio

        timeline = build_timeline(cut_list, rate=edl_rate(cut_list.fps))
        try:
            otio.adapters.write_to_file(timeline, str(path), adapter_name="cmx_3600")
        except otio.exceptions.OTIOError as exc:
            raise ExportError(
                f"The EDL writer refused this cut list ({exc}). Export OTIO or CSV instead."
            ) from exc

    def read_shots(self, path: Path, fps: float) -> list[tuple[int, int]]:
        import opentimelineio as otio

        return shots_of(otio.adapters.read_from_file(str(path), adapter_name="cmx_3600", rate=edl_rate(fps)))
