"""The engine never imports bpy/mathutils: every module imports in a process where they cannot load."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import importlib, importlib.abc, pkgutil, sys

class Forbid(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"bpy", "mathutils", "bpy_extras", "bmesh"}:
            raise ImportError(f"ai_engine must not import {name}")
        return None

sys.meta_path.insert(0, Forbid())
import ai_engine
names = [m.name for m in pkgutil.walk_packages(ai_engine.__path__, "ai_engine.") if not m.name.endswith("__main__")]
for name in names:
    importlib.import_module(name)
print(len(names))
"""


def test_every_engine_module_imports_without_blender() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout.strip().splitlines()[-1]) >= 8


def test_no_engine_source_mentions_a_blender_import() -> None:
    offenders = []
    for path in (ROOT / "ai_engine").rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith(("import bpy", "from bpy", "import mathutils", "from mathutils")):
                offenders.append(f"{path.relative_to(ROOT)}: {stripped}")
    assert not offenders, offenders
