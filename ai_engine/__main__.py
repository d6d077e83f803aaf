"""``python -m ai_engine COMMAND ...``: the engine's pipelines without Blender.

Each command lives in its own module exposing ``add_arguments(parser)`` and ``run(args) -> int``;
this file only dispatches, so features never edit each other's code.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys

from .errors import EngineError, error_payload

COMMANDS: dict[str, tuple[str, str]] = {
    "probe": ("ai_engine.cli_probe", "describe a video: frames, fps, size, rotation, VFR, audio"),
    "cuts": ("ai_engine.cuts.cli", "detect shot cuts and transitions in a video"),
    "capture": ("ai_engine.capture.cli", "capture body, hands and face motion from a video"),
    "retarget": ("ai_engine.retarget.cli", "retarget motion onto a rig description"),
    "fx": ("ai_engine.fx.cli", "effects textures: presets, train, generate"),
    "scenes": ("ai_engine.scenes.cli", "group the shots of a video into scenes"),
    "check": ("ai_engine.scenes.cli_check", "find flash, black, frozen frames and jump cuts in a video"),
    "batch": ("ai_engine.batch.cli", "run a verb over many inputs on Ray or a local pool, resumable"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ai_engine", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            # "ai_engine.cuts" (the package) or "ai_engine.cuts.cli" missing: not part of this build.
            if not exc.name or not (module_name == exc.name or module_name.startswith(exc.name + ".")):
                raise
            continue
        command = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(command)
        command.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except EngineError as exc:
        if getattr(args, "json", False):
            print(json.dumps({"error": error_payload(exc)}))
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("cancelled", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
