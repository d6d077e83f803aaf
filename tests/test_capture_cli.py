"""``python -m ai_engine capture VIDEO --out TRACK.npz --json``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from capture_media import CARPHONE, mocap, read_frames, still, write_clip

from ai_engine.__main__ import main
from ai_engine.capture.contract import CaptureResult
from ai_engine.capture.track import MotionTrack


def test_cli_captures_and_prints_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    frames = read_frames(mocap(*CARPHONE), range(20))
    clip = write_clip(tmp_path / "talk.mp4", [frames[i] for i in range(20)])
    out = tmp_path / "take.npz"
    sheet = tmp_path / "sheet.png"
    code = main(
        ["capture", str(clip), "--out", str(out), "--parts", "body,face", "--overlay", str(sheet), "--json"]
    )
    assert code == 0
    summary = CaptureResult.from_dict(json.loads(capsys.readouterr().out.strip().splitlines()[-1]))
    assert summary.track == out and summary.report.frames == 20 and summary.frames == 20
    assert summary.overlay == sheet and summary.report.face is not None
    assert summary.report.face.tracked_frames == 20
    assert MotionTrack.load(out).face_valid.all() and sheet.is_file()


def test_cli_no_person_is_an_error_with_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dogs = still(mocap("dlib_faces", "dogs.jpg"), (320, 240))
    clip = write_clip(tmp_path / "dogs.mp4", [dogs] * 8)
    out = tmp_path / "none.npz"
    assert main(["capture", str(clip), "--out", str(out), "--json"]) == 1
    payload = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert payload["error"]["type"] == "NoPersonFound"
    assert not out.exists()


def test_cli_refuses_unknown_parts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["capture", "x.mp4", "--out", str(tmp_path / "t.npz"), "--parts", "tail"]) == 2
    assert "Unknown parts ['tail']" in capsys.readouterr().err
