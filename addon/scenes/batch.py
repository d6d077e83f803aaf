"""``check-edit EDIT.blend [--repair] --blend OUT.blend``: timeline problems, optionally repaired.

Opens EDIT.blend, checks the Sequencer of every scene that has one (``--scene`` picks one), lists
the problems; with ``--repair`` applies every one-click repair (all or nothing) and checks again.
Jump cuts and hidden strips are only listed and marked. Saves to OUT.blend.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

import bpy

from ..core.batch import BatchError, open_or_new, save
from ..core.compat import strips


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("edit", help="the .blend holding the edit")
    parser.add_argument("--repair", action="store_true", help="apply every one-click repair")
    parser.add_argument("--scene", default=None, help="only this scene (default: every scene with strips)")
    parser.add_argument("--blend", required=True, help="the .blend to write")


def _listed(problems: list[Any]) -> list[dict[str, Any]]:
    return [
        {"kind": p.kind, "first": p.first, "last": p.last, "detail": p.detail, "repairable": p.repairable}
        for p in problems
    ]


def run(args: argparse.Namespace) -> dict[str, Any]:
    from .timeline import apply_all, find_problems
    from .write import store_problems

    if not os.path.exists(args.edit):
        raise BatchError(f"{args.edit} does not exist: pass the .blend of the edit.")
    open_or_new(os.path.abspath(args.edit))
    scenes = [s for s in bpy.data.scenes if s.sequence_editor is not None and len(strips(s.sequence_editor))]
    if args.scene:
        scenes = [s for s in scenes if s.name == args.scene]
        if not scenes:
            raise BatchError(f"No scene {args.scene!r} with a Sequencer in {args.edit}.")
    if not scenes:
        raise BatchError(f"{args.edit} has no Sequencer strips in any scene: nothing to check.")
    report: dict[str, Any] = {"scenes": {}}
    for scene in scenes:
        editor = scene.sequence_editor
        found = find_problems(editor)
        entry: dict[str, Any] = {"problems": _listed(found)}
        if args.repair:
            entry["repairs"] = apply_all(editor, found)
            found = find_problems(editor)
            entry["after"] = _listed(found)
        store_problems(scene, found)
        report["scenes"][scene.name] = entry
    report["blend"] = save(args.blend)
    return report
