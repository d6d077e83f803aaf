"""The engine worker as seen from Blender: a child process speaking JSON lines.

No bpy here, so the process handling is testable on its own and shared by the modal operator
(UI), the blocking path (background mode, batch verbs) and the tests.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the engine is imported only when a job runs, never at registration
    from ai_engine.contract import JobSpec


class JobFailed(Exception):
    """The engine reported an error, or the worker died. ``kind`` is the engine error type."""

    def __init__(self, kind: str, message: str, payload: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.payload = payload or {}


class JobCancelled(Exception):
    """The job stopped because the user asked it to; nothing was applied."""


@dataclass
class JobState:
    fraction: float = 0.0
    message: str = "starting"
    warnings: list[str] = field(default_factory=list)
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    cancelled: bool = False
    finished: bool = False


def _signal_name(returncode: int) -> str:
    if returncode < 0:
        try:
            return signal.Signals(-returncode).name
        except ValueError:
            return f"signal {-returncode}"
    return f"exit code {returncode}"


def worker_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The child sees the same ``sys.path`` as this interpreter (extension wheels included)."""
    env = dict(os.environ)
    env.update(extra or {})
    paths = [p or os.getcwd() for p in sys.path]  # "" is the current folder (python -c, the REPL)
    paths = [p for p in paths if os.path.isdir(p)]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def worker_command() -> list[str]:
    """Blender's own interpreter (``sys.executable``) running the worker module."""
    executable = sys.executable
    if not executable or not os.path.exists(executable):
        raise JobFailed(
            "WorkerUnavailable",
            "Blender's Python interpreter was not found, so the engine cannot start. Reinstall Blender "
            "or run the job from the command line (python -m addon ...).",
        )
    # -P: `-m` would put the current folder first on sys.path, so Blender started from a folder that
    # holds an `ai_engine` (a source checkout) ran that one instead of the installed engine (seen in
    # the GUI test: the checkout has no exported TransNetV2 ONNX, so Detect Cuts asked for PyTorch).
    return [executable, "-P", "-m", "ai_engine.worker"]


class WorkerProcess:
    """One job in one worker process. Poll it; cancel it; it never blocks the caller."""

    def __init__(
        self,
        job: JobSpec[Any, Any] | str,
        request: Any,
        *,
        workdir: str | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.spec = job if not isinstance(job, str) else None
        self.job = job if isinstance(job, str) else job.name
        self.state = JobState()
        self._owns_workdir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="clapper-job-"))
        self._stderr = tempfile.TemporaryFile(mode="w+b")
        self._events: queue.Queue[dict[str, Any]] = queue.Queue()
        self._cancel_sent_at: float | None = None
        self._proc = subprocess.Popen(
            worker_command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=worker_environment(env),
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        self._reader = threading.Thread(target=self._read, name="clapper-worker-reader", daemon=True)
        self._reader.start()
        payload = request.to_dict() if hasattr(request, "to_dict") else dict(request)
        self._send({"op": "start", "job": self.job, "request": payload, "workdir": str(self.workdir)})

    # ----------------------------------------------------------------------------------- plumbing

    def _send(self, message: dict[str, Any]) -> None:
        try:
            assert self._proc.stdin is not None
            self._proc.stdin.write(json.dumps(message) + "\n")
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass  # the worker is gone; poll() reports why

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            line = line.strip()
            if not line:
                continue
            try:
                self._events.put(json.loads(line))
            except ValueError:
                continue

    def stderr_tail(self, lines: int = 12) -> str:
        try:
            self._stderr.flush()
            self._stderr.seek(0)
            text = self._stderr.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""
        return "\n".join(text.strip().splitlines()[-lines:])

    # ----------------------------------------------------------------------------------- API

    @property
    def pid(self) -> int:
        return self._proc.pid

    def poll(self) -> JobState:
        """Drain the events that arrived; detect a worker that died without answering."""
        while True:
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                break
            self._handle(event)
        if not self.state.finished and self._proc.poll() is not None:
            self._reader.join(timeout=2)
            while not self._events.empty():
                self._handle(self._events.get_nowait())
            if not self.state.finished:
                self.state.finished = True
                if self._cancel_sent_at is not None:
                    self.state.cancelled = True
                elif "No module named 'ai_engine'" in self.stderr_tail():
                    self.state.error = {
                        "type": "WorkerUnavailable",
                        "message": (
                            "Clapper's engine (ai_engine) is not installed beside the add-on, so no job can "
                            "run. Reinstall the extension zip (Preferences › Get Extensions › Install from "
                            "Disk); in a dev checkout, run `python3 build.py setup`."
                        ),
                    }
                else:
                    tail = self.stderr_tail()
                    self.state.error = {
                        "type": "WorkerCrashed",
                        "message": (
                            f"The engine worker stopped unexpectedly ({_signal_name(self._proc.returncode)}) "
                            "while running the job. Nothing was changed in your file. Try again; if it "
                            "keeps happening, report it with the details below."
                            + (f"\n{tail}" if tail else "")
                        ),
                    }
        if self._cancel_sent_at is not None and not self.state.finished:
            if time.monotonic() - self._cancel_sent_at > 5.0:
                self.kill()
        return self.state

    def _handle(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        if kind == "progress":
            self.state.fraction = float(event.get("fraction", 0.0))
            self.state.message = str(event.get("message", ""))
        elif kind == "warning":
            self.state.warnings.append(str(event.get("message", "")))
        elif kind == "result":
            self.state.result = dict(event.get("result") or {})
            self.state.finished = True
        elif kind == "error":
            self.state.error = dict(event.get("error") or {})
            self.state.finished = True
        elif kind == "cancelled":
            self.state.cancelled = True
            self.state.finished = True

    def cancel(self) -> None:
        """Ask the job to stop; it is killed if it does not stop within 5 s."""
        if self._cancel_sent_at is None:
            self._cancel_sent_at = time.monotonic()
            self._send({"op": "cancel"})

    def kill(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait(timeout=10)

    def close(self) -> None:
        """End the process (if still running) and release its pipes and files."""
        if self._proc.poll() is None:
            self._send({"op": "cancel"})
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()
        for stream in (self._proc.stdin, self._proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        self._stderr.close()

    def outcome(self) -> Any:
        """The result of a finished job (its contract's result type), or the matching exception."""
        if self.state.cancelled:
            raise JobCancelled("Cancelled; nothing was changed.")
        if self.state.error is not None:
            error = self.state.error
            raise JobFailed(str(error.get("type", "Error")), str(error.get("message", "failed")), error)
        if self.state.result is None:
            raise JobFailed("WorkerCrashed", "The engine worker ended without a result.")
        result_type = getattr(self.spec, "result", dict)
        if result_type is dict:
            return self.state.result
        try:
            return result_type.from_dict(self.state.result)
        except Exception as exc:  # the engine and the add-on disagree on the contract
            raise JobFailed(
                "ContractMismatch",
                f"The engine answered {self.job} with a result this add-on cannot read ({exc}). The add-on and "
                "the engine come from different versions: reinstall the extension zip.",
            ) from exc


def run_blocking(
    job: JobSpec[Any, Any] | str,
    request: Any,
    *,
    label: str,
    workdir: str | None = None,
    echo: bool = True,
    poll_interval: float = 0.05,
    env: dict[str, str] | None = None,
    warnings: list[str] | None = None,
) -> Any:
    """Run a job in a worker and wait, printing progress lines (background mode, batch verbs).

    Returns the job's result object; the job's warnings are appended to ``warnings`` when given.
    Ctrl+C cancels the worker and raises ``JobCancelled``.
    """
    worker = WorkerProcess(job, request, workdir=workdir, env=env)
    last_printed = (-1, "")
    try:
        while True:
            state = worker.poll()
            percent = int(state.fraction * 100) if state.fraction >= 0 else -1
            if (
                echo
                and (percent, state.message) != last_printed
                and (percent >= last_printed[0] + 5 or state.finished)
            ):
                print(f"clapper: {label}: {max(percent, 0):3d}% {state.message}", flush=True)
                last_printed = (percent, state.message)
            if state.finished:
                break
            time.sleep(poll_interval)  # a blocking job: the caller asked to wait
        for warning in state.warnings:
            if echo:
                print(f"clapper: warning: {warning}", flush=True)
        if warnings is not None:
            warnings.extend(state.warnings)
        return worker.outcome()
    except KeyboardInterrupt:
        worker.cancel()
        raise JobCancelled("Cancelled with Ctrl+C; nothing was changed.") from None
    finally:
        worker.close()
