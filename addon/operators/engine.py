"""Preferences › Check Engine: start a worker and report its interpreter and libraries."""

from __future__ import annotations

from typing import Any

import bpy

from ..jobs import EngineJobOperator


class CLAPPER_OT_check_engine(EngineJobOperator, bpy.types.Operator):
    """Start the engine in its own process and list the libraries it found"""

    bl_idname = "clapper.check_engine"
    bl_label = "Check Engine"
    bl_options = {"REGISTER"}
    job_label = "Checking the engine"

    def build_job(self, context: bpy.types.Context) -> tuple[str, dict[str, Any]]:
        return "ai_engine.jobs:diagnostics", {}

    def apply_result(self, context: bpy.types.Context, result: dict[str, Any]) -> None:
        libs = result.get("libraries", {})
        missing = [name for name, version in libs.items() if version.startswith("missing")]
        text = ", ".join(f"{name} {version}" for name, version in libs.items())
        self.report({"ERROR"} if missing else {"INFO"}, f"Engine on Python {result.get('python')}: {text}")


classes = (CLAPPER_OT_check_engine,)
