"""Pieces every Clapper panel draws."""

from __future__ import annotations

import textwrap

import bpy

from .engine import draw_engine_problem


def draw_job_status(
    layout: bpy.types.UILayout, context: bpy.types.Context, feature: str | None = None
) -> bool:
    """Draw what every Clapper panel starts with: a line when the engine is missing (with the fix),
    then the running job's progress bar and a cancel hint. True when a job is running.

    ``feature`` is the panel's package (``__package__``): the panel of the running job's feature
    draws the progress box, the other panels of the sidebar one line naming the job."""
    draw_engine_problem(layout)
    status = getattr(context.window_manager, "clapper_job", None)
    if status is None or not status.running:
        if status is not None and status.error and (feature is None or status.owner == feature):
            draw_job_error(layout, status.error, getattr(context.region, "width", 0))
        return False
    owner = status.owner
    if feature is not None and owner and owner != feature and not owner.endswith(".core"):
        layout.label(text=f"{status.label}… (Esc cancels)", icon="SORTTIME")
        return True
    box = layout.box()
    box.label(text=status.label, icon="SORTTIME")
    if hasattr(box, "progress"):  # Blender 4.0+
        box.progress(
            factor=status.fraction, type="BAR", text=status.message or f"{int(status.fraction * 100)}%"
        )
    else:
        box.prop(status, "fraction", text=status.message, slider=True)
    box.label(text="Press Esc to cancel", icon="CANCEL")
    return True


def draw_job_error(layout: bpy.types.UILayout, message: str, width: int = 0) -> None:
    """The last job's failure: its first sentence wrapped to the sidebar (a single label truncates in
    the middle), then Copy (the whole message, with its fix) and Dismiss."""
    first = message.split(". ", 1)[0].rstrip(".") + "."
    chars = max(24, int((width - 60) / (7 * bpy.context.preferences.system.ui_scale))) if width else 40
    box = layout.box()
    box.alert = True
    col = box.column(align=True)
    lines = textwrap.wrap(first, chars)
    if len(lines) > 6:
        lines = [*lines[:5], lines[5] + " …"]
    for i, line in enumerate(lines):
        col.label(text=line, icon="ERROR" if i == 0 else "BLANK1")
    row = box.row(align=True)
    row.operator("clapper.copy_job_error", text="Copy Message and Fix", icon="COPYDOWN")
    row.operator("clapper.clear_job_error", text="", icon="X")
