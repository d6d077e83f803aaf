"""Exports: every registered format writes a file that reads back to the same shots and cut frames.

OTIO and EDL are read back with opentimelineio (the EDL through the CMX 3600 adapter at the rate it
was written at), CSV with the csv module — each through its format's own ``read_shots``, plus the
format-specific details checked directly.
"""

from __future__ import annotations

import csv

import opentimelineio as otio
import pytest

from ai_engine.cuts import formats
from ai_engine.cuts.contract import EXPORT_FORMATS
from ai_engine.cuts.cutlist import Cut, CutList
from ai_engine.cuts.formats.edl import edl_rate
from ai_engine.cuts.formats.otio import build_timeline
from ai_engine.errors import ExportError

SHOTS = [(0, 30), (30, 120), (120, 200), (200, 250)]


def sample(fps: float = 25.0) -> CutList:
    return CutList(
        video="/clips/street scene.mp4",
        fps=fps,
        frame_count=250,
        detector="auto",
        cuts=[Cut(30, "cut", score=0.9), Cut(120, "dissolve", 110, 130, 0.7), Cut(200, "cut", score=0.8)],
    )


def test_the_vocabulary_is_the_formats_folder() -> None:
    assert EXPORT_FORMATS == ("otio", "csv", "edl")
    assert [formats.get(n).suffix for n in EXPORT_FORMATS] == [".otio", ".csv", ".edl"]


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
@pytest.mark.parametrize("fps", [25.0, 29.97, 16.05])
def test_every_format_reads_back_to_the_same_cut_frames(tmp_path, fmt: str, fps: float) -> None:
    cut_list = sample(fps)
    path = formats.write(cut_list, tmp_path / f"cuts{formats.get(fmt).suffix}", fmt)
    shots = formats.get(fmt).read_shots(path, fps)
    assert shots == SHOTS
    assert [start for start, _ in shots[1:]] == cut_list.frames == [30, 120, 200]


def test_otio_keeps_the_media_and_each_boundary_kind(tmp_path) -> None:
    timeline = build_timeline(sample())
    clips = list(timeline.tracks[0].find_clips())
    assert [c.metadata.get("clapper", {}).get("kind") for c in clips] == [None, "cut", "dissolve", "cut"]
    assert clips[2].metadata["clapper"]["start"] == 110 and clips[2].metadata["clapper"]["end"] == 130
    assert clips[0].media_reference.target_url.endswith("street%20scene.mp4")
    path = formats.export(sample(), tmp_path / "cuts.otio")
    read = otio.adapters.read_from_file(str(path))
    assert read.metadata["clapper"]["detector"] == "auto"
    assert [c.media_reference.available_range.duration.value for c in read.tracks[0].find_clips()] == [
        250
    ] * 4


@pytest.mark.parametrize("fps, rate", [(25.0, 25.0), (29.97, 30000 / 1001), (16.05, 24000 / 1001)])
def test_edl_is_written_by_the_cmx_adapter_at_a_standard_rate(tmp_path, fps: float, rate: float) -> None:
    assert edl_rate(fps) == pytest.approx(rate)
    text = formats.write(sample(fps), tmp_path / "cuts.edl", "edl").read_text()
    assert text.startswith("TITLE:") and text.count(" V     C ") == 4


def test_csv_columns_carry_kinds_spans_and_seconds(tmp_path) -> None:
    path = formats.export(sample(), tmp_path / "cuts.csv")
    rows = list(csv.DictReader(path.open()))
    assert [r["boundary_kind"] for r in rows] == ["start", "cut", "dissolve", "cut"]
    assert (rows[2]["transition_start"], rows[2]["transition_end"]) == ("110", "130")
    assert [float(r["start_seconds"]) for r in rows] == pytest.approx([0.0, 1.2, 4.8, 8.0])
    assert [int(r["duration_frames"]) for r in rows] == [30, 90, 80, 50]


def test_bad_targets_say_what_to_do(tmp_path) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        formats.write(sample(), tmp_path / "missing" / "cuts.otio", "otio")
    with pytest.raises(ExportError, match=r"Unknown export format '\.xml'.*\.otio"):
        formats.export(sample(), tmp_path / "cuts.xml")
    with pytest.raises(ExportError, match="Unknown export format 'fcpxml'"):
        formats.write(sample(), tmp_path / "cuts.xml", "fcpxml")
    assert not list(tmp_path.iterdir())
