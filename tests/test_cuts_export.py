"""Exports: OTIO and EDL are read back with opentimelineio; CSV with the csv module."""

from __future__ import annotations

import csv

import opentimelineio as otio
import pytest

from ai_engine.cuts.cutlist import Cut, CutList
from ai_engine.cuts.export import build_timeline, edl_rate, export, write_csv, write_edl, write_otio
from ai_engine.errors import ExportError


def sample(fps: float = 25.0) -> CutList:
    return CutList(
        video="/clips/street scene.mp4",
        fps=fps,
        frame_count=250,
        detector="auto",
        cuts=[Cut(30, "cut", score=0.9), Cut(120, "dissolve", 110, 130, 0.7), Cut(200, "cut", score=0.8)],
    )


def shot_ranges(timeline) -> list[tuple[int, int]]:
    return [
        (round(c.source_range.start_time.value), round(c.source_range.duration.value))
        for c in timeline.tracks[0].find_clips()
    ]


def test_timeline_has_one_clip_per_shot_covering_the_video() -> None:
    timeline = build_timeline(sample())
    assert shot_ranges(timeline) == [(0, 30), (30, 90), (120, 80), (200, 50)]
    clips = list(timeline.tracks[0].find_clips())
    assert clips[2].metadata["clapper"]["kind"] == "dissolve"
    assert clips[0].media_reference.target_url.endswith("street%20scene.mp4")


def test_otio_file_reads_back(tmp_path) -> None:
    path = write_otio(sample(), tmp_path / "cuts.otio")
    assert shot_ranges(otio.adapters.read_from_file(str(path))) == [(0, 30), (30, 90), (120, 80), (200, 50)]


@pytest.mark.parametrize("fps", [25.0, 29.97, 16.05])
def test_edl_is_written_by_the_cmx_adapter_and_reads_back(tmp_path, fps: float) -> None:
    path = write_edl(sample(fps), tmp_path / "cuts.edl")
    text = path.read_text()
    assert text.startswith("TITLE:") and text.count(" V     C ") == 4
    timeline = otio.adapters.read_from_file(str(path), adapter_name="cmx_3600", rate=edl_rate(fps))
    durations = [round(c.source_range.duration.value) for c in timeline.tracks[0].find_clips()]
    assert durations == [30, 90, 80, 50]


def test_csv_has_a_row_per_shot(tmp_path) -> None:
    path = write_csv(sample(), tmp_path / "cuts.csv")
    rows = list(csv.DictReader(path.open()))
    assert [(r["start_frame"], r["end_frame"], r["boundary_kind"]) for r in rows] == [
        ("0", "30", "start"),
        ("30", "120", "cut"),
        ("120", "200", "dissolve"),
        ("200", "250", "cut"),
    ]
    assert float(rows[1]["start_seconds"]) == pytest.approx(1.2)


def test_bad_targets_say_what_to_do(tmp_path) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        write_otio(sample(), tmp_path / "missing" / "cuts.otio")
    with pytest.raises(ExportError, match="Unknown export format"):
        export(sample(), tmp_path / "cuts.xml")
