"""Is the engine there? A cheap check every panel draws, and Preferences › Check Engine.

``engine_problem()`` looks for the engine and its libraries without importing them (importlib's
``find_spec``), so drawing a panel never loads torch; registering the add-on imports nothing of the
engine at all. When something is missing, every Clapper panel shows one line saying what and how to
fix it (``draw_engine_problem``); Check Engine starts a real worker and lists every library.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import TYPE_CHECKING, Any

import bpy

from .jobs import EngineJobOperator

if TYPE_CHECKING:
    from ai_engine.contract import JobSpec
    from ai_engine.engine_contract import DiagnosticsRequest, DiagnosticsResult

# What a job needs before it can start: the engine package and the libraries every feature imports,
# and one network runtime — PyTorch, or ONNX Runtime where the zip has no PyTorch (Linux, Python 3.13:
# cuts and the effect presets run on it; ai_engine/runtimes.py says what else needs PyTorch).
REQUIRED = ("ai_engine", "numpy", "cv2")
NETWORK_RUNTIMES = ("torch", "onnxruntime")

_checked: list[str | None] = []


def _find(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def engine_problem(*, refresh: bool = False) -> str | None:
    """One line saying what is missing and what to do, or None when the engine looks complete."""
    if _checked and not refresh:
        return _checked[0]
    missing = [name for name in REQUIRED if not _find(name)]
    if not any(_find(name) for name in NETWORK_RUNTIMES):
        missing.append(" or ".join(NETWORK_RUNTIMES))
    problem = None
    if missing:
        python = ".".join(map(str, sys.version_info[:2]))
        problem = (
            f"Clapper's engine is incomplete on this Blender (Python {python}: {', '.join(missing)} missing). "
            "Install the Clapper zip built for this Blender (Preferences › Get Extensions › Install from "
            "Disk); in a dev checkout run `python3 build.py setup`."
        )
    _checked[:] = [problem]
    return problem


def draw_engine_problem(layout: bpy.types.UILayout) -> bool:
    """Draw the missing-engine line and its fix (the whole message is Check Engine's and the
    console's); True when the engine is missing."""
    problem = engine_problem()
    if problem is None:
        return False
    python = ".".join(map(str, sys.version_info[:2]))
    box = layout.box()
    box.alert = True
    col = box.column(align=True)
    col.label(text=f"Engine missing for this Blender (Python {python})", icon="ERROR")
    col.label(text="Install the Clapper zip built for it")
    box.operator("clapper.check_engine", icon="CHECKMARK")
    return True


class CLAPPER_OT_check_engine(EngineJobOperator, bpy.types.Operator):
    """Start the engine in its own process and list the libraries it found"""

    bl_idname = "clapper.check_engine"
    bl_label = "Check Engine"
    bl_options = {"REGISTER"}
    job_label = "Checking the engine"

    def build_job(self, context: bpy.types.Context) -> tuple[JobSpec[Any, Any], DiagnosticsRequest]:
        from ai_engine.engine_contract import DIAGNOSTICS, DiagnosticsRequest

        return DIAGNOSTICS, DiagnosticsRequest()

    def apply_result(self, context: bpy.types.Context, result: DiagnosticsResult) -> None:
        engine_problem(refresh=True)
        libs = result.libraries
        missing = [name for name, version in libs.items() if version.startswith("missing")]
        text = ", ".join(f"{name} {version}" for name, version in libs.items())
        self.report({"ERROR"} if missing else {"INFO"}, f"Engine on Python {result.python}: {text}")


class CLAPPER_OT_copy_job_error(bpy.types.Operator):
    """Copy the last job's whole error message, with its fix, to the clipboard"""

    bl_idname = "clapper.copy_job_error"
    bl_label = "Copy Error Message"

    def execute(self, context: bpy.types.Context) -> set[str]:
        context.window_manager.clipboard = context.window_manager.clapper_job.error
        self.report({"INFO"}, "Error message copied")
        return {"FINISHED"}


class CLAPPER_OT_clear_job_error(bpy.types.Operator):
    """Hide the last job's error"""

    bl_idname = "clapper.clear_job_error"
    bl_label = "Dismiss Error"

    def execute(self, context: bpy.types.Context) -> set[str]:
        context.window_manager.clapper_job.error = ""
        return {"FINISHED"}


classes = (CLAPPER_OT_check_engine, CLAPPER_OT_copy_job_error, CLAPPER_OT_clear_job_error)
