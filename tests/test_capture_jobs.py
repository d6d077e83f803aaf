"""The worker job: request in, small JSON-able result out, the track and QA overlay as files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from capture_media import CARPHONE, mocap, read_frames, still, write_clip

from ai_engine.capture.contract import CAPTURE, CaptureOptions, CaptureRequest, CaptureResult
from ai_engine.capture.track import MotionTrack
from ai_engine.contract import BadRequest
from ai_engine.errors import NoPersonFound
from ai_engine.worker import JobContext, run_job


def _ctx(workdir: Path, events: list) -> JobContext:  # type: ignore[type-arg]
    return JobContext(
        workdir=workdir,
        progress=lambda f, m: events.append(("progress", f)),
        should_stop=lambda: False,
        warn=lambda m: events.append(("warning", m)),
    )


def test_capture_job_writes_the_track_and_overlay(tmp_path: Path) -> None:
    frames = read_frames(mocap(*CARPHONE), range(30))
    clip = write_clip(tmp_path / "talk.mp4", [frames[i] for i in range(30)])
    events: list = []  # type: ignore[type-arg]
    request = CaptureRequest(video=str(clip), options=CaptureOptions(parts=("face", "body"), smoothing=0.3))
    result = run_job(CAPTURE, request, _ctx(tmp_path, events))
    assert isinstance(result, CaptureResult)
    assert CaptureResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result  # crosses the boundary
    track = MotionTrack.load(result.track)
    assert track.frame_count == 30 == result.frames and track.face_valid.all()
    assert result.overlay is not None and result.overlay.is_file() and result.overlay.stat().st_size > 1000
    assert result.report.body is not None and result.report.body.tracked_frames == 30
    assert result.report.parts == ("body", "face") and result.source_name == "talk"
    assert any(kind == "progress" for kind, _ in events)


def test_no_person_job_fails_and_writes_nothing(tmp_path: Path) -> None:
    dogs = still(mocap("dlib_faces", "dogs.jpg"), (320, 240))
    clip = write_clip(tmp_path / "dogs.mp4", [dogs] * 10)
    work = tmp_path / "work"
    with pytest.raises(NoPersonFound):
        run_job(CAPTURE, CaptureRequest(video=str(clip)), _ctx(work, []))
    assert not list(work.glob("*.npz")) and not list(work.glob("*.png"))


def test_request_options_are_read_and_checked() -> None:
    request = CaptureRequest.from_dict(
        {"video": "a.mp4", "options": {"parts": ["face"], "smoothing": 0.8, "neutral_frame": -1}}
    )
    options = request.options
    assert options.parts == ("face",) and options.smoothing == 0.8 and options.neutral_frame is None
    assert CaptureOptions.from_dict({"neutral_frame": 12}).neutral_frame == 12
    assert CaptureOptions(parts=("hands", "body")).parts == ("body", "hands")  # one order everywhere
    with pytest.raises(BadRequest, match="Unknown parts"):
        CaptureOptions.from_dict({"parts": ["body", "tail"]})
    with pytest.raises(BadRequest, match="No part chosen"):
        CaptureOptions(parts=())
    with pytest.raises(BadRequest, match="smoothing"):
        CaptureOptions(smoothing=2.0)
    with pytest.raises(BadRequest, match="smoothng"):
        CaptureOptions.from_dict({"smoothng": 0.5})
    with pytest.raises(BadRequest, match="No video"):
        CaptureRequest(video="")


def test_cancel_through_the_worker_process_stops_tracking_and_writes_no_track(tmp_path: Path) -> None:
    import time

    from addon.core.worker_client import JobCancelled, WorkerProcess

    frames = read_frames(mocap(*CARPHONE), range(120))
    clip = write_clip(tmp_path / "talk.mp4", [frames[i] for i in range(120)])
    work = tmp_path / "work"
    worker = WorkerProcess(CAPTURE, CaptureRequest(video=str(clip)), workdir=str(work))
    try:
        deadline = time.monotonic() + 120
        while worker.poll().fraction <= 0.05 and not worker.state.finished and time.monotonic() < deadline:
            time.sleep(0.02)  # the UI timer's poll interval
        assert not worker.state.finished, "the capture ended before it could be cancelled"
        worker.cancel()
        while not worker.poll().finished and time.monotonic() < deadline:
            time.sleep(0.02)
        assert worker.state.cancelled
        with pytest.raises(JobCancelled):
            worker.outcome()
    finally:
        worker.close()
    assert not list(work.glob("*.npz"))
