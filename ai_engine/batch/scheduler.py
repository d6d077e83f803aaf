"""Run a batch's tasks on Ray or on a local process pool; keep ``DIR/manifest.json`` true throughout.

Before any task starts: the output folder must be writable, the inputs must exist and not repeat,
a manifest already in the folder must come from the same command (else it is refused, with both
command lines), and a Ray address must answer. Then each task that is not already done (same input,
unchanged, its outputs present) runs once, the longest expected first (``order.py``); its result is
written into the manifest (atomically: a temporary file renamed over it) the moment it finishes.
A bad input fails alone. A worker that crashes or is killed is retried up to ``retries`` times
(Ray's ``max_retries`` on a cluster, the pool's own bookkeeping locally). Ctrl-C stops the running tasks, removes their half-written folders
and leaves them ``cancelled`` in the manifest; a re-run picks them up.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from ..contract import BadRequest
from .contract import MANIFEST_NAME, BatchCommand, Manifest, Resources, TaskResult, TaskSpec
from .order import longest_first
from .task import ATTEMPTS_DIR, LOGS_DIR, THREAD_VARIABLES, fingerprint, thread_env
from .verbs import BatchError

DEFAULT_RETRIES = 2
ORDERS = ("longest", "given")
LOOPBACK = "127.0.0.1"


@dataclass
class Plan:
    """A batch ready to run: the command (for the manifest), the output folder and one task per input."""

    command: BatchCommand
    out: Path
    tasks: list[TaskSpec]


@dataclass
class Outcome:
    manifest: Manifest
    ran: int = 0
    skipped: int = 0
    cancelled: bool = False
    wall_seconds: float = 0.0
    results: list[TaskResult] = field(default_factory=list)

    @property
    def failed(self) -> list[TaskResult]:
        return [t for t in self.manifest.tasks if t.status == "failed"]


# ------------------------------------------------------------------------------ preparation


def task_keys(inputs: Iterable[str]) -> list[tuple[str, str]]:
    """(absolute input, folder key) per input: the file's stem, made unique with a short hash.

    Raises:
        BatchError: an input given twice.
    """
    seen: dict[str, int] = {}
    items: list[str] = []
    for raw in inputs:
        path = os.path.abspath(raw) if os.path.sep in raw or os.path.exists(raw) else raw
        if path in seen:
            raise BatchError(f"{raw} is given twice: each input runs once; drop the repeat.")
        seen[path] = len(items)
        items.append(path)
    stems: dict[str, int] = {}
    for item in items:
        stem = Path(item).stem or "input"
        stems[stem] = stems.get(stem, 0) + 1
    keys = []
    for item in items:
        stem = Path(item).stem or "input"
        key = stem if stems[stem] == 1 else f"{stem}-{hashlib.sha1(item.encode()).hexdigest()[:6]}"
        keys.append((item, key))
    return keys


def check_inputs(paths: Iterable[str], *, files: bool = True) -> None:
    """Raises BatchError listing the inputs that are not there (``files``: every input is a file;
    otherwise only inputs that look like paths are checked, e.g. fx models beside preset names)."""
    missing = [p for p in paths if (files or os.path.sep in p or Path(p).suffix) and not os.path.isfile(p)]
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise BatchError(f"Input not found: {shown}. Check the paths; nothing was started.")


def check_output(out: Path) -> None:
    """The output folder exists (created) and takes files, before any task starts."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test-{os.getpid()}"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise BatchError(
            f"Cannot write into the output folder {out} ({exc.strerror or exc}); pick a folder you can write "
            "(--out). Nothing was started."
        ) from exc


def load_manifest(out: Path, command: BatchCommand) -> Manifest:
    """The manifest already in ``out`` (or a new, empty one); refuses one from another command."""
    path = out / MANIFEST_NAME
    if not path.exists():
        return Manifest(command=command)
    try:
        found = Manifest.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, BadRequest) as exc:
        raise BatchError(
            f"{path} is not a Clapper batch manifest ({exc}); use another --out folder or remove that file."
        ) from exc
    if found.command != command:
        raise BatchError(
            f"{path} belongs to another batch: `{found.command.describe()}`, not `{command.describe()}`. "
            "Re-run that command to resume it, or use another --out folder for this one."
        )
    return found


def write_manifest(out: Path, manifest: Manifest) -> None:
    """Atomically: readers see the old manifest or the new one, never half of one."""
    path = out / MANIFEST_NAME
    tmp = out / f".{MANIFEST_NAME}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(manifest.to_dict(), indent=1), encoding="utf-8")
    os.replace(tmp, path)


def is_done(entry: TaskResult | None, spec: TaskSpec) -> bool:
    """Done and still true: same input, unchanged since, every output still there."""
    return (
        entry is not None
        and entry.status == "done"
        and entry.input == spec.input
        and entry.fingerprint == fingerprint(spec.input)
        and all(os.path.isfile(p) for p in entry.outputs)
    )


# ----------------------------------------------------------------------------------- progress


class Progress:
    """One terminal line: done, failed, running, ETA (stderr, rewritten in place)."""

    def __init__(self, label: str, total: int, stream: IO[str] | None) -> None:
        self.label, self.total, self.stream = label, total, stream
        self.done = self.failed = self.running = 0
        self.started = time.monotonic()
        self._last = 0.0

    def line(self) -> str:
        finished = self.done + self.failed
        elapsed = time.monotonic() - self.started
        if finished and finished < self.total:
            eta = elapsed / finished * (self.total - finished)
            eta_text = f"ETA {int(eta // 60)}:{int(eta % 60):02d}"
        else:
            eta_text = "ETA --:--" if finished < self.total else f"in {elapsed:.1f} s"
        return (
            f"{self.label}: {self.done}/{self.total} done, {self.failed} failed, {self.running} running, "
            f"{eta_text}"
        )

    def show(self, force: bool = False) -> None:
        if self.stream is None:
            return
        now = time.monotonic()
        if self.stream.isatty():
            if force or now - self._last > 0.5:
                self._last = now
                self.stream.write("\r" + self.line().ljust(78))
                self.stream.flush()
        elif force:  # a log, not a terminal: one line per finished task
            self.stream.write(self.line() + "\n")
            self.stream.flush()

    def close(self) -> None:
        if self.stream is not None and self.stream.isatty():
            self.show(force=True)
            self.stream.write("\n")
            self.stream.flush()


# ------------------------------------------------------------------------------------ running


def run_plan(
    plan: Plan,
    *,
    ray_address: str | None = None,
    workers: int | None = None,
    retries: int = DEFAULT_RETRIES,
    echo: bool = True,
    on_result: Callable[[TaskResult], None] | None = None,
    order: str = "longest",
) -> Outcome:
    """Run ``plan``: ``ray_address`` None → the local pool; ``"local"`` → a Ray instance started here
    with ``workers`` CPUs; else the Ray cluster at that address. ``order``: ``longest`` starts the
    longest expected inputs first (``order.py``), ``given`` keeps the plan's order. Returns the
    final manifest.

    Raises:
        BatchError: before anything starts (see the module).
    """
    check_output(plan.out)
    manifest = load_manifest(plan.out, plan.command)
    entries: dict[str, TaskResult] = {t.key: t for t in manifest.tasks}
    todo = [t for t in plan.tasks if not is_done(entries.get(t.key), t)]
    if order == "longest":
        todo = longest_first(todo, lambda t: t.input)
    skipped = len(plan.tasks) - len(todo)
    workers = max(1, workers or os.cpu_count() or 1)
    backend: _Backend
    if ray_address is None:
        backend = _Pool(workers, retries, plan.out)
    else:
        backend = _Ray(ray_address, workers, retries, todo[0].resources.cpus if todo else 1)
    if ray_address is not None:
        check_ray_address(ray_address)  # an unreachable cluster fails here, before any change
    if todo:
        backend.connect()
    for name in (ATTEMPTS_DIR, LOGS_DIR):
        (plan.out / name).mkdir(exist_ok=True)
    for task in todo:
        (plan.out / ATTEMPTS_DIR / task.key).unlink(missing_ok=True)
    progress = Progress(
        plan.command.describe().split(" --")[0], len(plan.tasks), sys.stderr if echo else None
    )
    progress.done = skipped
    started = time.monotonic()
    outcome = Outcome(manifest=manifest, skipped=skipped)
    lock = threading.Lock()
    keys = [t.key for t in plan.tasks]
    manifest_order = keys + [k for k in entries if k not in set(keys)]

    def ordered() -> tuple[TaskResult, ...]:
        """This batch's inputs in their order, then older entries of the folder."""
        return tuple(entries[k] for k in manifest_order if k in entries)

    def finished(result: TaskResult) -> None:
        with lock:
            entries[result.key] = result
            outcome.manifest = Manifest(command=plan.command, tasks=ordered(), updated=time.time())
            write_manifest(plan.out, outcome.manifest)
            outcome.results.append(result)
            if result.status == "done":
                progress.done += 1
            elif result.status == "failed":
                progress.failed += 1
            progress.show(force=True)
        if on_result is not None:
            on_result(result)

    write_manifest(plan.out, Manifest(command=plan.command, tasks=ordered(), updated=time.time()))
    try:
        backend.run(todo, finished, progress)
    except KeyboardInterrupt:
        outcome.cancelled = True
        backend.cancel()
        finished_keys = {r.key for r in outcome.results}
        for task in todo:
            if task.key not in finished_keys:
                _remove_tree(Path(task.out_dir))
                previous = entries.get(task.key)
                finished(
                    TaskResult(
                        key=task.key,
                        input=task.input,
                        status="cancelled",
                        error="stopped with Ctrl-C before it finished; run the same command again to resume",
                        attempts=previous.attempts if previous else 0,
                        fingerprint=fingerprint(task.input),
                    )
                )
    finally:
        backend.close()
        progress.running = 0
        progress.close()
    outcome.ran = len([r for r in outcome.results if r.status != "cancelled"])
    outcome.wall_seconds = time.monotonic() - started
    return outcome


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


class _Backend:
    def connect(self) -> None: ...

    def run(self, tasks: list[TaskSpec], finished: Callable[[TaskResult], None], progress: Progress) -> None:
        raise NotImplementedError

    def cancel(self) -> None: ...

    def close(self) -> None: ...


def crashed_result(spec: TaskSpec, attempts: int, why: str) -> TaskResult:
    return TaskResult(
        key=spec.key,
        input=spec.input,
        status="failed",
        error=f"The worker running it crashed {attempts} time(s) ({why}); the input may crash a native "
        "library: check it alone with the verb's own command.",
        error_type="WorkerCrashed",
        attempts=attempts,
        fingerprint=fingerprint(spec.input),
    )


# ---------------------------------------------------------------------------------- local pool


class _PoolWorker:
    """One ``python -m ai_engine.batch.task --serve`` process (its own session: Ctrl-C is ours to relay)."""

    def __init__(self, cpus: int, log: Path) -> None:
        env = {**os.environ, **thread_env(cpus)}
        self.log = open(log, "a", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ai_engine.batch.task", "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            env=env,
            start_new_session=True,
        )
        assert self.process.stdout is not None
        ready = self.process.stdout.readline()
        if not ready:
            raise BatchError(f"A batch worker did not start; see {log}.")

    @property
    def pid(self) -> int:
        return self.process.pid

    def run(self, spec: TaskSpec) -> TaskResult | str:
        """The task's result, or why the worker died under it."""
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            self.process.stdin.write(json.dumps(spec.to_dict()) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        except (BrokenPipeError, OSError):
            line = ""
        if not line:
            code = self.process.wait()
            return f"signal {-code}" if code < 0 else f"exit code {code}"
        answer = json.loads(line)
        if "crashed" in answer:
            return str(answer["crashed"])
        return TaskResult.from_dict(answer)

    def stop(self, kill: bool = False) -> None:
        if self.process.poll() is None:
            if kill:
                os.killpg(self.process.pid, signal.SIGKILL)
            else:
                try:
                    assert self.process.stdin is not None
                    self.process.stdin.close()
                except OSError:
                    pass
                try:
                    self.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.log.close()


class _Pool(_Backend):
    """``workers`` worker processes fed from one queue; a dead worker is replaced and its task retried."""

    def __init__(self, workers: int, retries: int, out: Path) -> None:
        self.workers, self.retries, self.out = workers, retries, out
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.live: dict[int, _PoolWorker] = {}
        self.lock = threading.Lock()

    def run(self, tasks: list[TaskSpec], finished: Callable[[TaskResult], None], progress: Progress) -> None:
        if not tasks:
            return
        todo: queue.Queue[tuple[TaskSpec, int]] = queue.Queue()
        for task in tasks:
            todo.put((task, 0))
        remaining = [len(tasks)]
        errors: list[BaseException] = []

        def slot(index: int) -> None:
            worker: _PoolWorker | None = None
            try:
                while not self.stop.is_set():
                    try:
                        spec, crashes = todo.get(timeout=0.1)
                    except queue.Empty:
                        with self.lock:
                            if remaining[0] == 0:
                                return
                        continue
                    if worker is None:
                        worker = _PoolWorker(
                            spec.resources.cpus, self.out / LOGS_DIR / f"pool-worker-{index}.log"
                        )
                        with self.lock:
                            self.live[index] = worker
                    with self.lock:
                        progress.running += 1
                    answer = worker.run(spec)
                    with self.lock:
                        progress.running -= 1
                    if self.stop.is_set():
                        return
                    if isinstance(answer, str):  # the worker died under the task
                        worker.stop(kill=True)
                        worker = None
                        with self.lock:
                            self.live.pop(index, None)
                        if crashes < self.retries:
                            todo.put((spec, crashes + 1))
                            continue
                        answer = crashed_result(spec, crashes + 1, answer)
                    finished(answer)
                    with self.lock:
                        remaining[0] -= 1
            except BaseException as exc:
                errors.append(exc)
                self.stop.set()
            finally:
                if worker is not None:
                    worker.stop()

        threads = [
            threading.Thread(target=slot, args=(i,), daemon=True)
            for i in range(min(self.workers, len(tasks)))
        ]
        self.threads = threads
        for thread in threads:
            thread.start()
        while any(t.is_alive() for t in threads):
            for thread in threads:
                thread.join(timeout=0.2)
            progress.show()
        if errors:
            raise errors[0]

    def cancel(self) -> None:
        self.stop.set()
        with self.lock:
            workers = list(self.live.values())
        for worker in workers:
            if worker.process.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
        for thread in self.threads:  # no result lands after this: the manifest is final
            thread.join()


# ------------------------------------------------------------------------------------------ Ray


def check_ray_address(address: str, timeout: float = 3.0) -> None:
    """Refuse, before Ray is touched, an address where nothing answers (Ray itself waits a minute)."""
    if address in ("local", "auto"):
        return
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise BatchError(
            f"--ray {address!r} is not HOST:PORT (the head node's GCS port, e.g. 127.0.0.1:6379) or 'local'."
        )
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except OSError as exc:
        raise BatchError(
            f"No Ray cluster answers at {address} ({exc.strerror or exc}). Start one (`ray start --head "
            f"--port {port}`) or use --ray local; nothing was started."
        ) from exc


def _ray_task(spec: dict[str, Any]) -> dict[str, Any]:
    """The Ray task: one TaskSpec in, one TaskResult out (both in their JSON form)."""
    from .task import run_task

    return run_task(TaskSpec.from_dict(spec)).to_dict()


class _Ray(_Backend):
    """One Ray task per input, with the task's CPUs/GPU/memory; Ray retries crashed workers."""

    def __init__(self, address: str, workers: int, retries: int, cpus: int = 1) -> None:
        self.address, self.workers, self.retries = address, workers, retries
        self.cpus = cpus  # the tasks' usual CPUs: a local instance's workers are born with them
        self.refs: dict[Any, TaskSpec] = {}
        self.ray: Any = None

    def connect(self) -> None:
        check_ray_address(self.address)
        if self.address == "local" and "ray" not in sys.modules:
            # A private instance stays on loopback: Ray otherwise replaces 127.0.0.1 by the machine's
            # network address (it expects other nodes to join); this switch makes it keep 127.0.0.1.
            os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        try:
            import ray
        except ImportError as exc:
            raise BatchError(
                "Ray is not installed here: pip install ray==2.60.0, or run without --ray."
            ) from exc
        self.ray = ray
        options: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": False,
            "logging_level": "ERROR",
        }
        try:
            if self.address == "local":
                # Ray starts its workers at niceness 15 (to favour its own daemons); here the tasks ARE
                # the work, and at 15 any other load on the machine starves them (10× slower here).
                os.environ.setdefault("RAY_worker_niceness", "0")
                # The workers Ray starts with the instance (ready before the first task) inherit this
                # environment: born with the tasks' thread count, they need no runtime_env of their own
                # (a task with one waits ~2 s for a new worker). Ours is put back once Ray is up.
                saved = {name: os.environ.get(name) for name in THREAD_VARIABLES}
                os.environ.update(thread_env(self.cpus))
                try:
                    ray.init(num_cpus=self.workers, _node_ip_address=LOOPBACK, **options)
                finally:
                    for name, value in saved.items():
                        if value is None:
                            os.environ.pop(name, None)
                        else:
                            os.environ[name] = value
            else:
                ray.init(address=self.address, **options)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise BatchError(f"Cannot join the Ray cluster at {self.address}: {exc}") from exc

    def _options(self, resources: Resources) -> dict[str, Any]:
        from .task import CommandCrashed

        gpus = resources.gpus if self.ray.cluster_resources().get("GPU", 0) >= resources.gpus > 0 else 0
        options: dict[str, Any] = {
            "num_cpus": resources.cpus,
            "num_gpus": gpus,
            "memory": resources.memory_mb * 1024 * 1024,
            "max_retries": self.retries,
            "retry_exceptions": [CommandCrashed],
        }
        if self.address != "local" or resources.cpus != self.cpus:
            # Ray starts (and reuses) a worker per distinct env: each with its threads set from birth.
            options["runtime_env"] = {"env_vars": thread_env(resources.cpus)}
        return options

    def run(self, tasks: list[TaskSpec], finished: Callable[[TaskResult], None], progress: Progress) -> None:
        if not tasks:
            return
        ray = self.ray
        remote = ray.remote(_ray_task)
        for spec in tasks:
            ref = remote.options(**self._options(spec.resources)).remote(spec.to_dict())
            self.refs[ref] = spec
        capacity = ray.cluster_resources().get("CPU", 1)
        while self.refs:
            ready, pending = ray.wait(list(self.refs), num_returns=1, timeout=0.5)
            per_task = max(1, min(s.resources.cpus for s in self.refs.values()))
            progress.running = int(min(len(pending) + len(ready), capacity // per_task))
            for ref in ready:
                spec = self.refs.pop(ref)
                try:
                    result = TaskResult.from_dict(ray.get(ref))
                except ray.exceptions.RayError as exc:  # the worker died more than max_retries times
                    attempts = _attempts(spec)
                    result = crashed_result(spec, attempts, type(exc).__name__)
                finished(result)
            progress.show()

    def cancel(self) -> None:
        if self.ray is None:
            return
        for ref in list(self.refs):
            try:
                self.ray.cancel(ref, force=True)
            except Exception:
                pass

    def close(self) -> None:
        if self.ray is not None and self.ray.is_initialized():
            self.ray.shutdown()


def _attempts(spec: TaskSpec) -> int:
    try:
        return int((Path(spec.out_dir).parent / ATTEMPTS_DIR / spec.key).read_text())
    except (OSError, ValueError):
        return 0


def with_resources(tasks: list[TaskSpec], resources: Resources) -> list[TaskSpec]:
    return [replace(t, resources=resources) for t in tasks]
