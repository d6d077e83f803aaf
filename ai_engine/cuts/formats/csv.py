"""CSV (``.csv``): one row per shot, for spreadsheets (columns: ``CSV_COLUMNS``)."""

from __future__ import annotations

import csv
from pathlib import Path

from ..cutlist import CutList
from . import ExportFormat

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


class CsvFormat(ExportFormat):
    name = "csv"
    suffix = ".csv"
    label = "CSV"
    description = "One row per shot (.csv)"

    def write(self, cut_list: CutList, path: Path) -> None:
        boundary = {c.frame: c for c in cut_list.cuts}
        with path.open("w", newline="", encoding="utf-8") as handle:
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

    def read_shots(self, path: Path, fps: float) -> list[tuple[int, int]]:
        with path.open(newline="", encoding="utf-8") as handle:
            return [(int(row["start_frame"]), int(row["end_frame"])) for row in csv.DictReader(handle)]
