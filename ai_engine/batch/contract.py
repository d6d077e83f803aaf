"""Contracts of batches: a task (one input through one job or command), its result, the manifest.

Stdlib only: the add-on's ``batch`` verb and the Ray workers import it cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..contract import Contract, require

ENGINE_VERBS: tuple[str, ...] = ("cuts", "capture", "retarget", "fx")
"""``python -m ai_engine batch VERB``: one input each (a video, a motion file, an fx model)."""
BACKENDS: tuple[str, ...] = ("pool", "ray")
STATUSES: tuple[str, ...] = ("done", "failed", "cancelled")
MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1

TaskKind = Literal["job", "command"]
Status = Literal["done", "failed", "cancelled"]


@dataclass(frozen=True)
class Resources(Contract):
    """What one task needs: Ray packs tasks by these; the engine's thread count follows ``cpus``."""

    cpus: int = 1
    gpus: float = 0.0
    memory_mb: int = 2048

    def __post_init__(self) -> None:
        require(self.cpus >= 1, "A task needs at least one CPU (--cpus 1 or more).")
        require(self.gpus >= 0, "--gpus cannot be negative.")
        require(self.memory_mb > 0, "A task's memory must be positive (--memory-mb).")


@dataclass(frozen=True)
class TaskSpec(Contract):
    """One input of a batch.

    key: the input's folder under the batch's ``--out`` (unique in the batch). kind ``job``: run
    the feature job ``job`` on ``request`` (that job's request contract in its ``to_dict`` form,
    built and checked by the verb before the batch starts) with ``out_dir`` as its workdir. kind
    ``command``: run ``command`` (a ``python -m addon VERB …`` or ``blender -b -c clapper …`` line);
    it prints its JSON summary last on stdout.
    """

    key: str
    input: str
    out_dir: str
    kind: TaskKind = "job"
    job: str | None = None
    request: dict[str, Any] = field(default_factory=dict)
    command: tuple[str, ...] = ()
    cwd: str | None = None  # where the command runs (the add-on's repository in a dev tree)
    resources: Resources = field(default_factory=Resources)

    def __post_init__(self) -> None:
        require(bool(self.key) and "/" not in self.key, f"A task key is a folder name, not {self.key!r}.")
        if self.kind == "job":
            require(bool(self.job), f"Task {self.key}: a job task names its job.")
        else:
            require(bool(self.command), f"Task {self.key}: a command task needs its command line.")


@dataclass(frozen=True)
class TaskResult(Contract):
    """What one task gave: status, the files it wrote (under its ``out_dir``), time and error.

    result: the job's result in its contract's ``to_dict`` form (or the command's JSON summary),
    read back with the job's result type. attempts: how many times it started (retries of crashed
    or killed workers count).
    """

    key: str
    input: str
    status: Status
    outputs: tuple[str, ...] = ()
    seconds: float = 0.0
    error: str | None = None
    error_type: str | None = None
    attempts: int = 1
    fingerprint: str = ""
    result: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchCommand(Contract):
    """What a batch runs, the part that must match for a re-run to resume the same manifest."""

    tool: Literal["ai_engine", "addon"]
    verb: str
    options: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        opts = " ".join(f"--{k} {v}" for k, v in sorted(self.options.items()))
        prog = "python -m ai_engine batch" if self.tool == "ai_engine" else "python -m addon batch"
        return f"{prog} {self.verb} {opts}".strip()


@dataclass(frozen=True)
class Manifest(Contract):
    """``DIR/manifest.json``: one entry per input ever run into DIR (the latest outcome)."""

    command: BatchCommand
    tasks: tuple[TaskResult, ...] = ()
    version: int = MANIFEST_VERSION
    updated: float = 0.0

    def __post_init__(self) -> None:
        require(
            self.version == MANIFEST_VERSION, f"Manifest version {self.version} is not {MANIFEST_VERSION}."
        )

    def entry(self, key: str) -> TaskResult | None:
        return next((t for t in self.tasks if t.key == key), None)
