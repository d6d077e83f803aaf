"""What every batch verb does around its work: open or create the .blend, save it, report."""

from __future__ import annotations

import os
from pathlib import Path

import bpy


class BatchError(Exception):
    """A batch verb cannot go on; the message says what to do. Nothing was saved."""


# The arguments of the batch verbs that name files they write, and the folder one (demo's --out).
OUTPUT_FILES = {"blend": "--blend", "otio": "--otio", "edl": "--edl", "csv": "--csv", "bvh_out": "--bvh-out"}
OUTPUT_FOLDERS = {"out": "--out"}


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_outputs(args: object) -> None:
    """Before any job starts: every output path can be written, or a BatchError says what is wrong."""
    for dest, flag in OUTPUT_FILES.items():
        value = getattr(args, dest, None)
        if not value:
            continue
        path = Path(value).expanduser().resolve()
        if path.is_dir():
            raise BatchError(f"{flag} {value} is a folder; give a file name inside it.")
        if dest == "blend" and path.suffix.lower() != ".blend":
            raise BatchError(f"{flag} must end in .blend (got {path.name}).")
        if path.exists():
            if not os.access(path, os.W_OK):
                raise BatchError(f"{flag} {value} exists and cannot be written (permissions).")
            continue
        _check_folder_writable(path.parent, flag, value)
    for dest, flag in OUTPUT_FOLDERS.items():
        value = getattr(args, dest, None)
        if value:
            path = Path(value).expanduser().resolve()
            if path.exists() and not path.is_dir():
                raise BatchError(f"{flag} {value} is a file, not a folder.")
            _check_folder_writable(path, flag, value)


def _check_folder_writable(folder: Path, flag: str, value: str) -> None:
    found = _nearest_existing(folder)
    if not found.is_dir():
        raise BatchError(f"{flag} {value}: {found} is a file, so the folder {folder} cannot be made.")
    if not os.access(found, os.W_OK | os.X_OK):
        raise BatchError(f"{flag} {value}: the folder {found} cannot be written (permissions).")


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
