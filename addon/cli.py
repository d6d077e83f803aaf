"""Batch verbs: ``blender -b -c clapper VERB ...`` (installed) and ``python -m addon VERB ...`` (dev).

Each verb lives in its feature's ``batch.py``; this file only parses, dispatches and prints. Exit codes:
0 done, 1 the job failed (message on stderr, JSON with ``--json``), 2 bad arguments, 130 cancelled.

With ``--json`` stdout carries exactly one JSON document: while the verb runs, file descriptor 1 points
at stderr, so Blender's own lines ("Read blend: …", "Info: Saved as …") and the libraries' go there.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import sys
from collections.abc import Iterator
from typing import Any

VERBS: dict[str, tuple[str, str]] = {
    "add-footage": ("footage.batch", "probe a video and add it (with its sound) to the Sequencer"),
    "cut-scenes": ("cuts.batch", "detect shot cuts in a video and cut the Sequencer"),
    "retarget": ("retarget.batch", "retarget a motion onto an armature and bake an action"),
    "capture": ("capture.batch", "capture motion from a video onto an armature"),
    "fx-material": ("fx.batch", "generate an effects texture and a ready material"),
    "check-edit": ("scenes.batch", "find (and --repair) gaps, flash frames and sound errors in an edit"),
    "make-edit": ("scenes.batch_make", "assemble an edit of whole shots of a given length from a video"),
    "batch": ("batch", "run one of these verbs over many inputs on Ray or a local pool, resumable"),
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
    from .core.batch import BatchError, check_outputs
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
        with stdout_to_stderr() if args.json else contextlib.nullcontext():
            check_outputs(args)
            summary = args._run(args)
    except JobCancelled as exc:
        print(f"clapper: cancelled: {exc}", file=sys.stderr)
        return 130
    except (JobFailed, BatchError) as exc:
        kind = getattr(exc, "kind", "BatchError")
        message = getattr(exc, "message", str(exc))
        if args.json:
            print(json.dumps({"error": {"type": kind, "message": message}}), flush=True)
        print(f"clapper: error: {message}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(summary, default=str), flush=True)
    else:
        for key, value in summary.items():
            if key != "info":
                print(f"{key}: {value}")
    return 0


def flush_c_stdio() -> None:
    import ctypes

    with contextlib.suppress(OSError, AttributeError, TypeError):
        ctypes.CDLL(None).fflush(None)


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send everything written to stdout (Python's and C's, i.e. file descriptor 1) to stderr."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved_fd = os.dup(1)
    saved_stdout = sys.stdout
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        yield
    finally:
        sys.stderr.flush()
        flush_c_stdio()  # Blender's printf output still in C's buffer belongs to stderr too
        os.dup2(saved_fd, 1)
        os.close(saved_fd)
        sys.stdout = saved_stdout


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
