"""The worker's job registry: every declared job is implemented once, and nothing else runs (no bpy)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ai_engine import registry
from ai_engine.errors import EngineError

ROOT = Path(__file__).resolve().parent.parent


def test_every_declared_job_is_implemented_and_every_implementation_is_declared() -> None:
    declared = {spec.name: spec for spec in registry.declared_specs()}
    implemented = registry.implemented()
    assert set(declared) == set(implemented)
    for name, job in implemented.items():
        assert job.spec is declared[name], name
        assert name.partition(".")[0] in registry.JOB_MODULES


def test_unknown_names_fail_with_the_known_ones() -> None:
    with pytest.raises(EngineError, match=r"engine jobs are engine\.diagnostics, engine\.probe"):
        registry.lookup("engine.prob")
    with pytest.raises(EngineError, match="job names start with one of"):
        registry.lookup("ai_engine.jobs:probe")


def test_no_module_function_job_names_are_left_in_the_add_on_or_the_tests() -> None:
    pattern = re.compile(r"[\"']ai_engine(\.\w+)*:\w+[\"']")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("addon", "tests", "bench")
        for path in (ROOT / folder).rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line) and path.name != "test_registry.py"
    ]
    assert offenders == []
