"""The worker's table of jobs: a short name (``"cuts.detect"``) → the function that runs it.

Contracts declare jobs (``JobSpec`` in ``<feature>/contract.py``); each feature's ``jobs.py``
implements them with ``@implements(SPEC)``. The worker looks a name up here instead of importing an
arbitrary ``module:function``: only declared, implemented jobs run, and a test checks that every
declared job has exactly one implementation (so a typo fails in the test suite, not in Blender).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .contract import Contract, JobSpec
from .errors import EngineError

if TYPE_CHECKING:
    from .worker import JobContext

Req = TypeVar("Req", bound=Contract)
Res = TypeVar("Res", bound=Contract)

# The feature part of a job name → the module that implements that feature's jobs.
JOB_MODULES: dict[str, str] = {
    "engine": "ai_engine.jobs",
    "cuts": "ai_engine.cuts.jobs",
    "capture": "ai_engine.capture.jobs",
    "retarget": "ai_engine.retarget.jobs",
    "fx": "ai_engine.fx.jobs",
    "scenes": "ai_engine.scenes.jobs",
}
# The feature part of a job name → the module that declares its contracts.
CONTRACT_MODULES: dict[str, str] = {
    "engine": "ai_engine.engine_contract",
    "cuts": "ai_engine.cuts.contract",
    "capture": "ai_engine.capture.contract",
    "retarget": "ai_engine.retarget.contract",
    "fx": "ai_engine.fx.contract",
    "scenes": "ai_engine.scenes.contract",
}


@dataclass(frozen=True)
class Job(Generic[Req, Res]):
    spec: JobSpec[Req, Res]
    run: Callable[[Req, JobContext], Res]


_JOBS: dict[str, Job[Any, Any]] = {}


def implements(
    spec: JobSpec[Req, Res],
) -> Callable[[Callable[[Req, JobContext], Res]], Callable[[Req, JobContext], Res]]:
    """Register the decorated function as the implementation of ``spec``."""

    def register(func: Callable[[Req, JobContext], Res]) -> Callable[[Req, JobContext], Res]:
        existing = _JOBS.get(spec.name)
        if existing is not None and existing.run is not func:
            raise RuntimeError(f"Job {spec.name!r} is implemented twice ({existing.run} and {func}).")
        _JOBS[spec.name] = Job(spec, func)
        return func

    return register


def lookup(name: str) -> Job[Any, Any]:
    """The job called ``name``, importing its feature's ``jobs.py`` on first use."""
    feature = name.partition(".")[0]
    module = JOB_MODULES.get(feature)
    if module is None:
        raise EngineError(f"Unknown job {name!r}: job names start with one of {', '.join(JOB_MODULES)}.")
    try:
        importlib.import_module(module)
    except ImportError as exc:
        raise EngineError(
            f"The {feature} jobs cannot be loaded ({exc}); check the engine's installation (Check Engine)."
        ) from exc
    job = _JOBS.get(name)
    if job is None:
        known = sorted(n for n in _JOBS if n.startswith(feature + "."))
        raise EngineError(f"Unknown job {name!r}; the {feature} jobs are {', '.join(known) or 'none'}.")
    return job


def declared_specs() -> list[JobSpec[Any, Any]]:
    """Every JobSpec declared in the contract modules (for the registry's own test)."""
    specs: list[JobSpec[Any, Any]] = []
    for module_name in CONTRACT_MODULES.values():
        module = importlib.import_module(module_name)
        specs.extend(v for v in vars(module).values() if isinstance(v, JobSpec))
    return specs


def implemented() -> dict[str, Job[Any, Any]]:
    """Every implemented job, after importing every feature's jobs module."""
    for module in JOB_MODULES.values():
        importlib.import_module(module)
    return dict(_JOBS)
