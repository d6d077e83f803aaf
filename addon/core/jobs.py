"""Engine jobs from Blender: a modal operator in the UI, a blocking call in background mode.

Feature operators subclass ``EngineJobOperator`` together with ``bpy.types.Operator``:

    class CLAPPER_OT_detect_cuts(EngineJobOperator, bpy.types.Operator):
        bl_idname = "clapper.detect_cuts"; bl_label = "Detect Cuts"; bl_options = {"REGISTER", "UNDO"}
        job_label = "Detecting cuts"
        def build_job(self, context): return DETECT, DetectRequest(video=path)   # from the contract
        def apply_result(self, context, result): ...

In the UI the job runs in a worker process polled from a timer: progress shows in the status bar,
in the panels (``draw_job_status``) and as the window's progress cursor; Esc cancels. The result is
applied on the main thread when the job ends, so the operator makes exactly one undo step; a
cancelled or failed job returns ``{'CANCELLED'}`` and touches nothing. Under ``bpy.app.background``
(or when called from a script with EXEC) the job blocks and prints progress lines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import bpy

if TYPE_CHECKING:
    from ai_engine.contract import JobSpec

from .preferences import engine_environment
from .worker_client import JobCancelled, JobFailed, WorkerProcess, run_blocking

__all__ = ["EngineJobOperator", "JobCancelled", "JobFailed", "JobInputError", "active_job", "run_blocking"]


class JobInputError(Exception):
    """Bad input found before starting (no strip selected, file missing...): report and stop."""


_ACTIVE: dict[str, Any] = {}  # the one job running in the UI: {"worker": ..., "label": ...}


def active_job() -> dict[str, Any] | None:
    return _ACTIVE or None


def _set_status(context: bpy.types.Context, fraction: float, message: str, label: str, running: bool) -> None:
    wm = context.window_manager
    status = getattr(wm, "clapper_job", None)
    if status is not None:
        status.running = running
        status.label = label
        status.fraction = max(0.0, min(1.0, fraction))
        status.message = message
    workspace = getattr(context, "workspace", None)
    if workspace is not None:
        workspace.status_text_set(
            f"{label}: {int(fraction * 100)}% {message} — Esc to cancel" if running else None
        )
    screen = getattr(context, "screen", None)
    if screen is not None:
        for area in screen.areas:
            area.tag_redraw()


def _report_warnings(operator: bpy.types.Operator, warnings: list[str]) -> None:
    for warning in warnings:
        operator.report({"WARNING"}, warning)


class EngineJobOperator:
    """Mixin for operators that run one engine job and apply its result."""

    job_label: str = "Clapper job"

    # -- to implement -------------------------------------------------------------------------

    def build_job(self, context: bpy.types.Context) -> tuple[JobSpec[Any, Any] | str, Any]:
        raise NotImplementedError

    def apply_result(self, context: bpy.types.Context, result: Any) -> None:
        raise NotImplementedError

    # -- shared behaviour ---------------------------------------------------------------------

    def _build(self, context: bpy.types.Context) -> tuple[JobSpec[Any, Any] | str, Any] | None:
        try:
            return self.build_job(context)
        except JobInputError as exc:
            self.report({"ERROR"}, str(exc))  # type: ignore[attr-defined]
            return None

    def _apply(self, context: bpy.types.Context, result: Any, warnings: list[str]) -> set[str]:
        try:
            self.apply_result(context, result)
        except JobInputError as exc:
            self.report({"ERROR"}, str(exc))  # type: ignore[attr-defined]
            return {"CANCELLED"}
        except Exception as exc:  # a bug in a writer must not escape a modal handler
            import traceback

            traceback.print_exc()
            self.report(
                {"ERROR"},
                f"Clapper could not apply the result ({type(exc).__name__}: {exc}). Please report it.",
            )  # type: ignore[attr-defined]
            return {"CANCELLED"}
        _report_warnings(self, warnings)  # type: ignore[arg-type]
        return {"FINISHED"}

    def _remember_failure(self, context: bpy.types.Context, message: str) -> None:
        """Keep the failure for the feature's panel (``core.panel.draw_job_status``)."""
        status = getattr(context.window_manager, "clapper_job", None)
        if status is not None:
            status.owner = type(self).__module__.rpartition(".")[0]
            status.error = message

    def execute(self, context: bpy.types.Context) -> set[str]:
        """Blocking path: background mode, scripts (EXEC_DEFAULT) and batch verbs."""
        built = self._build(context)
        if built is None:
            return {"CANCELLED"}
        job, request = built
        warnings: list[str] = []
        try:
            result = run_blocking(
                job, request, label=self.job_label, env=engine_environment(context), warnings=warnings
            )
        except JobCancelled as exc:
            self.report({"WARNING"}, str(exc))  # type: ignore[attr-defined]
            return {"CANCELLED"}
        except JobFailed as exc:
            self._remember_failure(context, exc.message)
            self.report({"ERROR"}, exc.message)  # type: ignore[attr-defined]
            return {"CANCELLED"}
        return self._apply(context, result, warnings)

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        if bpy.app.background:
            return self.execute(context)
        if _ACTIVE:
            self.report({"ERROR"}, f"{_ACTIVE['label']} is still running: wait for it or press Esc.")  # type: ignore[attr-defined]
            return {"CANCELLED"}
        built = self._build(context)
        if built is None:
            return {"CANCELLED"}
        job, request = built
        try:
            worker = WorkerProcess(job, request, env=engine_environment(context))
        except (JobFailed, OSError) as exc:
            self.report({"ERROR"}, f"Could not start the engine: {exc}")  # type: ignore[attr-defined]
            return {"CANCELLED"}
        _ACTIVE.update(worker=worker, label=self.job_label)
        wm = context.window_manager
        self._timer = wm.event_timer_add(0.1, window=context.window)
        wm.modal_handler_add(self)
        wm.progress_begin(0, 100)
        _set_status(context, 0.0, "starting", self.job_label, True)
        status = getattr(wm, "clapper_job", None)
        if status is not None:
            status.owner = type(self).__module__.rpartition(".")[0]
            status.error = ""
        return {"RUNNING_MODAL"}

    def _finish(self, context: bpy.types.Context) -> None:
        wm = context.window_manager
        timer = getattr(self, "_timer", None)
        if timer is not None:
            wm.event_timer_remove(timer)
            self._timer = None
        wm.progress_end()
        _set_status(context, 0.0, "", "", False)
        worker = _ACTIVE.pop("worker", None)
        _ACTIVE.clear()
        if worker is not None:
            worker.close()

    def modal(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        worker: WorkerProcess | None = _ACTIVE.get("worker")
        if worker is None:
            return {"CANCELLED"}
        if event.type == "ESC" and event.value == "PRESS":
            worker.cancel()
            _set_status(context, worker.state.fraction, "cancelling…", self.job_label, True)
            return {"RUNNING_MODAL"}
        if event.type != "TIMER":
            return {"PASS_THROUGH"}
        state = worker.poll()
        if not state.finished:
            context.window_manager.progress_update(int(state.fraction * 100))
            _set_status(context, state.fraction, state.message, self.job_label, True)
            return {"PASS_THROUGH"}
        warnings = list(state.warnings)
        try:
            result = worker.outcome()
        except JobCancelled as exc:
            self._finish(context)
            self.report({"WARNING"}, str(exc))  # type: ignore[attr-defined]
            return {"CANCELLED"}
        except JobFailed as exc:
            self._finish(context)
            self._remember_failure(context, exc.message)
            self.report({"ERROR"}, exc.message)  # type: ignore[attr-defined]
            return {"CANCELLED"}
        self._finish(context)
        return self._apply(context, result, warnings)

    def cancel(self, context: bpy.types.Context) -> None:
        """Blender ends the modal operator (file closed, window closed): stop the worker."""
        worker = _ACTIVE.get("worker")
        if worker is not None:
            worker.cancel()
        self._finish(context)
