"""Batch verbs: ``blender -b -c clapper VERB ...`` (installed) and ``python -m addon VERB ...`` (dev).

Each verb lives in its feature's ``batch.py``; this file only parses, dispatches and prints. Exit codes:
0 done, 1 the job failed (message on stderr, JSON with ``--json``), 2 bad arguments, 130 cancelled.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from typing import Any

VERBS: dict[str, tuple[str, str]] = {
    "add-footage": ("footage.batch", "probe a video and add it (with its sound) to the Sequencer"),
    "cut-scenes": ("cuts.batch", "detect shot cuts in a video and cut the Sequencer"),
    "retarget": ("retarget.batch", "retarget a motion onto an armature and bake an action"),
    "capture": ("capture.batch", "capture motion from a video onto an armature"),
    "fx-material": ("fx.batch", "generate an effects texture and a ready material"),
    "check-edit": ("scenes.batch", "find (and --repair) gaps, flash frames and sound errors in an edit"),
    "make-edit": ("scenes.batch_make", "assemble an edit of whole shots of a given length from a video"),
    "demo": ("demo", "run the main jobs headless on a generated sample (python3 build.py demo)"),
}

_cli_handle: Any = None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clapper", description="Clapper batch verbs (run inside Blender).")
    sub = parser.add_subparsers(dest="verb", metavar="VERB")
    for verb, (module_name, help_text) in VERBS.items():
        try:
            module = importlib.import_module(f".{module_name}", __package__)
        except ModuleNotFoundError as exc:
            if not (exc.name or "").endswith(module_name):
                raise
            continue  # that feature is not part of this build
        command = sub.add_parser(verb, help=help_text, description=help_text)
        module.add_arguments(command)
        command.add_argument("--json", action="store_true", help="print the result as one JSON object")
        command.set_defaults(_run=module.run)
    return parser


def main(argv: list[str]) -> int:
    from .core.batch import BatchError
    from .core.worker_client import JobCancelled, JobFailed

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and on bad arguments
        return int(exc.code or 0)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        summary = args._run(args)
    except JobCancelled as exc:
        print(f"clapper: cancelled: {exc}", file=sys.stderr)
        return 130
    except (JobFailed, BatchError) as exc:
        kind = getattr(exc, "kind", "BatchError")
        message = getattr(exc, "message", str(exc))
        if args.json:
            print(json.dumps({"error": {"type": kind, "message": message}}))
        print(f"clapper: error: {message}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(summary, default=str))
    else:
        for key, value in summary.items():
            if key != "info":
                print(f"{key}: {value}")
    return 0


def _blender_cli(argv: list[str]) -> int:
    return main(list(argv))


def register() -> None:
    global _cli_handle
    import bpy

    if hasattr(bpy.utils, "register_cli_command"):  # Blender 4.2+
        _cli_handle = bpy.utils.register_cli_command("clapper", _blender_cli)


def unregister() -> None:
    global _cli_handle
    import bpy

    if _cli_handle is not None:
        bpy.utils.unregister_cli_command(_cli_handle)
        _cli_handle = None
