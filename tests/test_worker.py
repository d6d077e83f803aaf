"""The engine worker in its own process: progress, cancel, crash isolation, errors (no bpy)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from addon.core.worker_client import JobCancelled, JobFailed, WorkerProcess, run_blocking
from ai_engine.engine_contract import (
    DIAGNOSTICS,
    PROBE,
    DiagnosticsRequest,
    DiagnosticsResult,
    ProbeRequest,
    ProbeResult,
)
from ai_engine.worker import JobContext, run_job


def wait_until(worker: WorkerProcess, condition, timeout: float = 120.0):  # type: ignore[no-untyped-def]
    """Poll the worker (as the modal timer does) until ``condition(state)`` or the job ends."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = worker.poll()
        if condition(state) or state.finished:
            return state
        time.sleep(0.02)  # the poll interval of a UI timer, not a wait for a result
    raise AssertionError("worker did not reach the expected state in time")


def test_progress_streams_and_result_arrives() -> None:
    worker = WorkerProcess(DIAGNOSTICS, DiagnosticsRequest(steps=20, step_seconds=0.02, libraries=("numpy",)))
    try:
        fractions: list[float] = []
        state = wait_until(worker, lambda s: fractions.append(s.fraction) or False)
        assert state.finished and state.error is None, state.error
        result = worker.outcome()
        assert isinstance(result, DiagnosticsResult)  # read back through the contract
        assert result.steps == 20
        assert result.pid == worker.pid  # it really ran in the child
        assert result.libraries["numpy"].startswith(("1.26", "2."))
        assert max(fractions) == 1.0 and any(0.0 < f < 1.0 for f in fractions)
    finally:
        worker.close()


def test_cancel_stops_the_job_and_yields_no_result() -> None:
    worker = WorkerProcess(DIAGNOSTICS, DiagnosticsRequest(steps=100000, step_seconds=0.01))
    try:
        wait_until(worker, lambda s: s.fraction > 0)
        worker.cancel()
        state = wait_until(worker, lambda s: s.finished, timeout=30)
        assert state.cancelled and state.result is None
        with pytest.raises(JobCancelled):
            worker.outcome()
    finally:
        worker.close()


@pytest.mark.parametrize("crash", ["abort", "segv", "exit"])
def test_a_crashing_worker_becomes_a_readable_error(crash: str) -> None:
    worker = WorkerProcess(DIAGNOSTICS, DiagnosticsRequest(steps=10, step_seconds=0.01, crash=crash))
    try:
        state = wait_until(worker, lambda s: s.finished)
        assert state.error is not None and state.error["type"] == "WorkerCrashed"
        assert "stopped unexpectedly" in state.error["message"]
        assert "Nothing was changed" in state.error["message"]
        with pytest.raises(JobFailed) as failure:
            worker.outcome()
        assert failure.value.kind == "WorkerCrashed"
    finally:
        worker.close()


def test_killed_worker_is_reported() -> None:
    worker = WorkerProcess(DIAGNOSTICS, DiagnosticsRequest(steps=100000, step_seconds=0.01))
    try:
        wait_until(worker, lambda s: s.fraction > 0)
        worker._proc.kill()
        state = wait_until(worker, lambda s: s.finished)
        assert state.error is not None and "SIGKILL" in state.error["message"]
    finally:
        worker.close()


def test_engine_errors_keep_their_type_and_advice(tmp_path: Path) -> None:
    with pytest.raises(JobFailed) as failure:
        run_blocking(PROBE, ProbeRequest(video=str(tmp_path / "missing.mp4")), label="probe", echo=False)
    assert failure.value.kind == "VideoOpenError"
    assert "Check the path" in failure.value.message


def test_only_registered_jobs_can_be_started() -> None:
    for name in ("os:system", "ai_engine.jobs" + ":probe", "engine.no_such_job"):
        with pytest.raises(JobFailed) as failure:
            run_blocking(name, {"command": "true"}, label="evil", echo=False)
        assert "Unknown job" in failure.value.message


def test_a_request_that_breaks_its_contract_is_refused_by_the_worker() -> None:
    with pytest.raises(JobFailed) as failure:
        run_blocking("engine.diagnostics", {"steps": "many"}, label="bad", echo=False)
    assert failure.value.kind == "BadRequest"
    assert "DiagnosticsRequest.steps must be a whole number" in failure.value.message


def test_run_job_in_process_collects_warnings(data_dir: Path, tmp_path: Path) -> None:
    ctx = JobContext(
        workdir=tmp_path, progress=lambda f, m: None, should_stop=lambda: False, warn=lambda m: None
    )
    ctx.warn = ctx.warnings.append
    clip = data_dir / "cuts" / "pyscenedetect" / "goldeneye-vfr-drop3.mp4"
    result = run_job(PROBE, ProbeRequest(video=str(clip)), ctx)
    assert isinstance(result, ProbeResult)
    assert result.info.variable_frame_rate is True
    assert any("variable frame rate" in w for w in ctx.warnings)


def test_worker_ignores_an_ai_engine_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blender started from a folder holding another `ai_engine` (a source checkout beside an installed
    zip) still runs the engine on its sys.path: `python -m` alone would import the folder's copy."""
    decoy = tmp_path / "ai_engine"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("raise ImportError('the decoy engine in the current folder')\n")
    monkeypatch.chdir(tmp_path)
    result = run_blocking(
        DIAGNOSTICS, DiagnosticsRequest(steps=1, step_seconds=0.0, libraries=("numpy",)), label="decoy"
    )
    assert result.steps == 1
