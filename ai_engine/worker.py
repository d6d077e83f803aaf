"""``python -m ai_engine.worker``: runs one engine job in its own process.

Blender starts this module with its own interpreter (``sys.executable``), so a crash in a native
library (a segfault in a decoder, an abort in a model runtime) kills this process and not Blender.

Protocol: JSON, one object per line, UTF-8.

parent → worker (stdin)::

    {"op": "start", "job": "engine.probe", "request": {...}, "workdir": "/tmp/..."}
    {"op": "cancel"}

worker → parent (the protocol stream; everything else the job or a library prints goes to stderr)::

    {"event": "ready", "pid": 1234}
    {"event": "progress", "fraction": 0.25, "message": "frame 100 of 400"}
    {"event": "warning", "message": "..."}
    {"event": "result", "result": {...}}          # JSON-able; large arrays are files in workdir
    {"event": "error", "error": {"type": "VideoOpenError", "message": "...", "traceback": "..."}}
    {"event": "cancelled", "message": "..."}

A job is a function ``f(request, ctx: JobContext) -> result`` registered under a short name
(``"cuts.detect"``) with ``@implements(SPEC)`` (``registry.py``); ``request`` and ``result`` are the
frozen dataclasses its ``JobSpec`` names, sent as their ``to_dict()`` form. Only registered jobs
run. Closing stdin counts as cancel: a worker whose parent died stops at its next check.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .contract import Contract, JobSpec
from .errors import Cancelled, EngineError, error_payload


@dataclass
class JobContext:
    """What a job gets besides its request: progress, cancel, warnings and a scratch folder."""

    workdir: Path
    progress: Callable[[float, str], None]
    should_stop: Callable[[], bool]
    warn: Callable[[str], None]
    warnings: list[str] = field(default_factory=list)


class _Channel:
    """The protocol stream, written from the job thread and the progress throttle alike."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._last_progress = 0.0

    def send(self, event: str, **fields: Any) -> None:
        line = json.dumps({"event": event, **fields}, default=_json_default)
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()

    def progress(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        # At most ~20 updates a second: the parent polls on a timer, more is noise.
        if now - self._last_progress < 0.05 and 0.0 < fraction < 1.0:
            return
        self._last_progress = now
        self.send("progress", fraction=float(fraction), message=str(message))


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def _protocol_stream() -> IO[str]:
    """Keep the real stdout for the protocol and send fd 1 (prints, native logs) to stderr."""
    sys.stdout.flush()
    protocol_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(protocol_fd, "w", encoding="utf-8", buffering=1)


def decode_request(spec: JobSpec[Any, Any], raw: Any) -> Contract:
    """The request object of ``spec`` from its JSON form (``BadRequest`` names what does not fit)."""
    return spec.request.from_dict(raw)


def encode_result(spec: JobSpec[Any, Any], result: Any) -> dict[str, Any]:
    if not isinstance(result, spec.result):
        raise TypeError(f"Job {spec.name} returned {type(result).__name__}, not {spec.result.__name__}.")
    return result.to_dict()


def run_job(spec: JobSpec[Any, Any] | str, request: Any, ctx: JobContext) -> Any:
    """Run a job in this process (the CLI and tests use this; the worker wraps it).

    The request goes through its JSON form and back, exactly as it would cross to the worker, so a
    field that cannot cross fails here too.
    """
    from .registry import lookup

    job = lookup(spec if isinstance(spec, str) else spec.name)
    raw = request.to_dict() if isinstance(request, Contract) else request
    ctx.workdir.mkdir(parents=True, exist_ok=True)
    result = job.run(decode_request(job.spec, json.loads(json.dumps(raw, default=_json_default))), ctx)
    sent = json.loads(json.dumps(encode_result(job.spec, result), default=_json_default))
    return job.spec.result.from_dict(sent)


def main() -> int:
    channel = _Channel(_protocol_stream())
    stop = threading.Event()
    started = threading.Event()
    start_message: dict[str, Any] = {}

    def read_commands() -> None:
        for raw in sys.stdin:
            try:
                message = json.loads(raw)
            except ValueError:
                continue
            if message.get("op") == "start" and not started.is_set():
                start_message.update(message)
                started.set()
            elif message.get("op") == "cancel":
                stop.set()
        stop.set()  # parent closed the pipe (or died): stop at the next check
        started.set()

    threading.Thread(target=read_commands, name="clapper-commands", daemon=True).start()
    channel.send("ready", pid=os.getpid())
    started.wait()
    if not start_message:
        return 0

    def warn(message: str) -> None:
        ctx.warnings.append(message)
        channel.send("warning", message=message)

    ctx = JobContext(
        workdir=Path(start_message.get("workdir") or os.getcwd()),
        progress=channel.progress,
        should_stop=stop.is_set,
        warn=warn,
    )
    try:
        from .settings import apply_threads

        apply_threads()
        from .registry import lookup

        job = lookup(str(start_message.get("job", "")))
        ctx.workdir.mkdir(parents=True, exist_ok=True)
        result = encode_result(
            job.spec, job.run(decode_request(job.spec, start_message.get("request") or {}), ctx)
        )
    except Cancelled as exc:
        channel.send("cancelled", message=str(exc))
        return 0
    except EngineError as exc:
        channel.send("error", error=error_payload(exc))
        return 1
    except MemoryError:
        channel.send(
            "error",
            error={
                "type": "MemoryError",
                "message": "Ran out of memory. Try a smaller size or fewer frames.",
            },
        )
        return 1
    except Exception as exc:
        payload = error_payload(exc)
        payload["message"] = (
            f"Internal error ({type(exc).__name__}: {exc}). Please report it with the traceback."
        )
        payload["traceback"] = traceback.format_exc()
        channel.send("error", error=payload)
        return 1
    channel.send("progress", fraction=1.0, message="done")
    channel.send("result", result=result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
