"""What every batch verb does around its work: open or create the .blend, save it, report."""

from __future__ import annotations

import os
from pathlib import Path

import bpy


class BatchError(Exception):
    """A batch verb cannot go on; the message says what to do. Nothing was saved."""


def open_or_new(blend: str | None, *, fresh: bool = False) -> None:
    """Open ``blend`` when it exists (so jobs can add to a file), else start from an empty scene."""
    if blend and os.path.exists(blend) and not fresh:
        bpy.ops.wm.open_mainfile(filepath=str(Path(blend).resolve()))
    else:
        bpy.ops.wm.read_factory_settings(use_empty=True)


def save(blend: str) -> str:
    """Save to ``blend`` (folders created), with relative paths to media next to it."""
    path = Path(blend).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() != ".blend":
        raise BatchError(f"--blend must end in .blend (got {path.name}).")
    bpy.ops.wm.save_as_mainfile(filepath=str(path), check_existing=False)
    return str(path)
