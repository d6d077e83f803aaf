"""The worker job: request in, small JSON-able result out, the track and QA overlay as files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from capture_media import CARPHONE, mocap, read_frames, still, write_clip

from ai_engine.capture.jobs import options_from_request
from ai_engine.capture.track import MotionTrack
from ai_engine.errors import NoPersonFound
from ai_engine.worker import JobContext, run_job

JOB = "capture.capture"


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
    result = run_job(
        JOB, {"video": str(clip), "parts": "body,face", "smoothing": 0.3}, _ctx(tmp_path, events)
    )
    json.dumps(result)  # the result crosses the process boundary
    track = MotionTrack.load(result["track"])
    assert track.frame_count == 30 and track.face_valid.all()
    assert Path(result["overlay"]).is_file() and Path(result["overlay"]).stat().st_size > 1000
    assert result["report"]["body"]["tracked_frames"] == 30
    assert any(kind == "progress" for kind, _ in events)


def test_no_person_job_fails_and_writes_nothing(tmp_path: Path) -> None:
    dogs = still(mocap("dlib_faces", "dogs.jpg"), (320, 240))
    clip = write_clip(tmp_path / "dogs.mp4", [dogs] * 10)
    work = tmp_path / "work"
    with pytest.raises(NoPersonFound):
        run_job(JOB, {"video": str(clip)}, _ctx(work, []))
    assert not list(work.glob("*.npz")) and not list(work.glob("*.png"))


def test_request_options_are_read_and_checked() -> None:
    options = options_from_request({"parts": ["face"], "smoothing": 0.8, "neutral_frame": -1})
    assert options.parts == ("face",) and options.smoothing == 0.8 and options.neutral_frame is None
    assert options_from_request({"neutral_frame": 12}).neutral_frame == 12
    with pytest.raises(ValueError, match="Unknown parts"):
        options_from_request({"parts": "body,tail"})


def test_cancel_through_the_worker_process_stops_tracking_and_writes_no_track(tmp_path: Path) -> None:
    import time

    from addon.core.worker_client import JobCancelled, WorkerProcess

    frames = read_frames(mocap(*CARPHONE), range(120))
    clip = write_clip(tmp_path / "talk.mp4", [frames[i] for i in range(120)])
    work = tmp_path / "work"
    worker = WorkerProcess(JOB, {"video": str(clip)}, workdir=str(work))
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
