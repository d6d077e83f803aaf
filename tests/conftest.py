"""Shared fixtures.

* ``data_dir``: the real test media in ``../shared/data`` (or ``$CLAPPER_DATA``); tests that need it
  skip with the reason when it is absent.
* ``blender``: the real ``bpy`` module with the add-on registered, reset to an empty factory scene
  before each test (add-on tests import bpy only through this fixture, so engine tests never load it).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    from ai_engine.samples import shared_data_root

    root = shared_data_root()
    if not root.is_dir():
        pytest.skip(f"real test media not found at {root} (set CLAPPER_DATA to the shared/data folder)")
    return root


@pytest.fixture(scope="session")
def cuts_ground_truth(data_dir: Path) -> dict[str, Any]:
    path = data_dir / "cuts" / "ground_truth_cuts.json"
    if not path.exists():
        pytest.skip(f"{path} is missing")
    return {k: v for k, v in json.loads(path.read_text()).items() if not k.startswith("_")}


@pytest.fixture(scope="session")
def scenes_bench(data_dir: Path) -> Any:
    """bench/scenes.py as a module, reading ``data_dir``: the scenes tests build their edits with
    the bench's own helpers, so ground truth is made the same way in both."""
    bench = str(ROOT / "bench")
    if bench not in sys.path:
        sys.path.insert(0, bench)
    import scenes as bench_scenes

    bench_scenes.DATA = data_dir
    return bench_scenes


_registered = False


@pytest.fixture
def blender() -> Iterator[Any]:
    """The bpy module, factory-reset, with the add-on registered once per session."""
    global _registered
    import bpy

    bpy.ops.wm.read_factory_settings(use_empty=True)
    if not _registered:
        import addon

        addon.register()
        _registered = True
    yield bpy


def sound_supported() -> bool:
    """Whether this bpy can make sound strips (the bpy 4.2.23 module has no Audaspace)."""
    from addon.core.compat import sound_supported as supported

    return supported()


def editor_strips(editor: Any) -> Any:
    """``SequenceEditor.strips`` (5.0+) or ``.sequences`` (4.x), through the add-on's compat module."""
    from addon.core.compat import strips

    return strips(editor)


def all_strips(editor: Any) -> Any:
    """Every strip, inside meta strips too (``strips_all`` 5.0+, ``sequences_all`` 4.x)."""
    from addon.core.compat import all_strips as every

    return every(editor)


def run_for_result(
    script: str,
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = 300,
    tail: int = 2000,
) -> dict[str, Any]:
    """Run ``script`` in a child Python and return the JSON it printed after ``RESULT `` (its last
    such line); fail with the end of its output when it printed none."""
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, proc.stdout[-tail:] + proc.stderr[-tail:]
    result: dict[str, Any] = json.loads(lines[-1][len("RESULT ") :])
    return result


# Ends a child Python that imported bpy: flush, then leave without the interpreter's teardown, in
# which the bpy 4.2.23 module crashes (SIGSEGV) after everything was printed.
EXIT_WITHOUT_TEARDOWN = "\nimport os, sys\nsys.stdout.flush(); sys.stderr.flush(); os._exit(0)\n"


_exit_status: list[int] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _exit_status.append(int(exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Leave a run that imported bpy without the interpreter's teardown: the bpy 4.2.23 and 4.5.15
    modules crash there (SIGSEGV, exit 139/245) after every result was printed, which would turn a
    green run red. The exit status is pytest's own."""
    if "bpy" in sys.modules and _exit_status:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_exit_status[-1])
