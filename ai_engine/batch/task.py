"""Run one batch task in this process: the same code on a Ray worker and in a local pool worker.

``python -m ai_engine.batch.task --serve`` is a local pool worker: it reads one ``TaskSpec`` (JSON)
per line on stdin and answers one ``TaskResult`` per line on its protocol stream (the real stdout;
whatever jobs print goes to stderr), until stdin closes. A worker that dies mid-task (a crash in a
native library, a kill) is noticed by the pool from the closed stream and the task is retried.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from ..contract import BadRequest, Contract
from ..errors import EngineError
from .contract import Status, TaskResult, TaskSpec

ATTEMPTS_DIR = ".attempts"
LOGS_DIR = ".logs"


class CommandCrashed(RuntimeError):
    """A task's command died from a signal (killed, segfault): retried like a crashed worker."""


THREAD_VARIABLES = ("CLAPPER_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def thread_env(cpus: int) -> dict[str, str]:
    """The environment a worker process must START with to use ``cpus`` threads: OpenBLAS (numpy)
    and OpenMP read theirs once, when they load, which in a Ray worker is before any task runs —
    setting them in the task is too late (measured: two 1-CPU Ray tasks on 2 cores each took twice
    their time alone, their BLAS threads spinning against each other)."""
    return dict.fromkeys(THREAD_VARIABLES, str(cpus))


def set_threads(cpus: int) -> None:
    """The engine's thread pools (torch, OpenCV) follow the task's CPUs."""
    os.environ.update(thread_env(cpus))
    from ..settings import apply_threads

    apply_threads()


def count_attempt(spec: TaskSpec) -> int:
    """Record one more start of ``spec`` (``DIR/.attempts/KEY``, shared by every node that sees DIR)."""
    folder = Path(spec.out_dir).parent / ATTEMPTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / spec.key
    try:
        count = int(path.read_text() or "0") + 1
    except (OSError, ValueError):
        count = 1
    path.write_text(str(count))
    return count


def fingerprint(path: str) -> str:
    """Size and modification time of an input file ("" for a name that is not a file, e.g. a preset)."""
    try:
        st = os.stat(path)
    except OSError:
        return ""
    return f"{st.st_size}:{st.st_mtime_ns}"


def _outputs(folder: Path) -> tuple[str, ...]:
    return tuple(sorted(str(p) for p in folder.rglob("*") if p.is_file()))


def _encode(value: Any) -> dict[str, Any]:
    from ..worker import _json_default

    raw = value.to_dict() if isinstance(value, Contract) else dict(value)
    return json.loads(json.dumps(raw, default=_json_default))


def _run_job(spec: TaskSpec, out: Path) -> tuple[dict[str, Any], list[str]]:
    from ..worker import JobContext, run_job

    warnings: list[str] = []
    ctx = JobContext(
        workdir=out,
        progress=lambda f, m: None,
        should_stop=lambda: False,
        warn=warnings.append,
        warnings=warnings,
    )
    assert spec.job is not None
    result = run_job(spec.job, spec.request, ctx)
    encoded = _encode(result)
    return encoded, list(ctx.warnings)


def _run_command(spec: TaskSpec, out: Path) -> tuple[dict[str, Any], list[str]]:
    """Run the task's command line; its last stdout line is its JSON summary."""
    logs = Path(spec.out_dir).parent / LOGS_DIR
    logs.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CLAPPER_THREADS": os.environ.get("CLAPPER_THREADS", "1")}
    with open(logs / f"{spec.key}.log", "w", encoding="utf-8") as log:
        done = subprocess.run(
            list(spec.command),
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env=env,
            cwd=spec.cwd,
            check=False,
        )
    lines = [ln for ln in done.stdout.splitlines() if ln.strip().startswith("{")]
    summary: dict[str, Any] = {}
    if lines:
        try:
            summary = json.loads(lines[-1])
        except ValueError:
            summary = {}
    if done.returncode < 0:
        raise CommandCrashed(f"{spec.command[0]} died from signal {-done.returncode}; see {log.name}")
    if done.returncode != 0:
        found = summary.get("error")
        error: dict[str, Any] = found if isinstance(found, dict) else {}
        message = str(
            error.get("message") or f"exit code {done.returncode}; see {logs / (spec.key + '.log')}"
        )
        raise EngineError(message)
    return summary, []


def run_task(spec: TaskSpec) -> TaskResult:
    """Run ``spec`` into its ``out_dir`` (emptied first). A bad input gives a failed result and leaves
    no folder; only a crash (of this process or of the task's command) raises."""
    set_threads(spec.resources.cpus)
    attempts = count_attempt(spec)
    out = Path(spec.out_dir)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    started = time.perf_counter()
    status: Status = "done"
    error: str | None = None
    error_type: str | None = None
    result: dict[str, Any] = {}
    warnings: list[str] = []
    try:
        if spec.kind == "job":
            result, warnings = _run_job(spec, out)
        else:
            result, warnings = _run_command(spec, out)
    except CommandCrashed:
        shutil.rmtree(out, ignore_errors=True)
        raise
    except (EngineError, BadRequest) as exc:
        status, error, error_type = "failed", str(exc), type(exc).__name__
    except Exception as exc:  # a bug, not a bad input: the traceback goes with it
        status, error_type = "failed", type(exc).__name__
        error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=8)}"
    if status == "failed":
        shutil.rmtree(out, ignore_errors=True)  # a failed task leaves nothing behind
    return TaskResult(
        key=spec.key,
        input=spec.input,
        status=status,
        outputs=_outputs(out) if status == "done" else (),
        seconds=round(time.perf_counter() - started, 3),
        error=error,
        error_type=error_type,
        attempts=attempts,
        fingerprint=fingerprint(spec.input),
        result={**result, "warnings": warnings} if warnings else result,
    )


def serve() -> int:
    """The local pool worker loop (see the module)."""
    from ..worker import _protocol_stream

    stream = _protocol_stream()
    set_threads(int(os.environ.get("CLAPPER_THREADS", "1")))
    stream.write(json.dumps({"ready": os.getpid()}) + "\n")
    stream.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            spec = TaskSpec.from_dict(json.loads(line))
            answer = run_task(spec).to_dict()
        except CommandCrashed as exc:
            answer = {"crashed": str(exc)}
        stream.write(json.dumps(answer) + "\n")
        stream.flush()
    return 0


if __name__ == "__main__":
    if sys.argv[1:] != ["--serve"]:
        print("usage: python -m ai_engine.batch.task --serve (started by the batch pool)", file=sys.stderr)
        sys.exit(2)
    sys.exit(serve())
