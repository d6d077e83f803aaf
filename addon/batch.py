"""``batch VERB INPUTS… --out DIR [--ray ADDRESS|local] [--blender EXE] [--verb-args "…"]``.

The add-on's verbs that write .blend files, over many inputs: one task per input, each running
``python -m addon VERB INPUT --blend DIR/<stem>/<verb>.blend --json VERB OPTIONS…`` (or, with
``--blender``, ``EXE -b -c clapper VERB …`` through the installed extension) in its own process, on
a Ray cluster or a local process pool, with ``DIR/manifest.json`` as in ``python -m ai_engine batch``
(``ai_engine/batch``). ``--verb-args`` go to every task's verb, e.g.::

    python -m addon batch retarget takes/*.bvh --out out --verb-args "--target rig.blend --armature Rig"
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

# The verbs batched here, and how each takes its one input: a positional argument or a flag.
INPUT_FLAGS: dict[str, str | None] = {
    "add-footage": None,
    "cut-scenes": None,
    "capture": None,
    "fx-material": None,
    "retarget": "--source",
}
REPO = Path(__file__).resolve().parents[1]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("batch_verb", choices=tuple(INPUT_FLAGS), metavar="VERB", help=", ".join(INPUT_FLAGS))
    parser.add_argument(
        "inputs", nargs="+", metavar="INPUT", help="one input per task (videos, motions, models)"
    )
    parser.add_argument(
        "--blender", default=None, help="run each task as EXE -b -c clapper VERB … (installed)"
    )
    parser.add_argument("--verb-args", default="", help="options for every task's verb, as one quoted string")
    try:
        from ai_engine.batch.cli import add_common_arguments
        from ai_engine.batch.contract import Resources
    except ImportError:  # listing the verbs works without the engine; running a batch needs it
        return
    add_common_arguments(parser, Resources(cpus=1, memory_mb=4096), json_flag=False)


def task_command(verb: str, item: str, blend: Path, extra: list[str], blender: str | None) -> list[str]:
    """One task's command line (``--json``: the verb prints its summary last on stdout)."""
    flag = INPUT_FLAGS[verb]
    head = [blender, "-b", "-c", "clapper"] if blender else [sys.executable, "-m", "addon"]
    given = [flag, item] if flag else [item]
    return [*head, verb, *given, "--blend", str(blend), "--json", *extra]


def run(args: argparse.Namespace) -> dict[str, Any]:
    from ai_engine.batch.cli import resources_of, summary
    from ai_engine.batch.contract import BatchCommand, TaskSpec
    from ai_engine.batch.scheduler import Plan, check_inputs, run_plan, task_keys
    from ai_engine.batch.verbs import BatchError as EngineBatchError

    from .core.batch import BatchError
    from .core.worker_client import JobCancelled

    extra = shlex.split(args.verb_args)
    verb = args.batch_verb
    out = Path(args.out).resolve()
    try:
        check_inputs(args.inputs, files=verb != "fx-material")
        tasks = [
            TaskSpec(
                key=key,
                input=item,
                out_dir=str(out / key),
                kind="command",
                command=tuple(task_command(verb, item, out / key / f"{verb}.blend", extra, args.blender)),
                cwd=None if args.blender else str(REPO),
                resources=resources_of(args, gpu_capable=False),
            )
            for item, key in task_keys(args.inputs)
        ]
        command = BatchCommand(
            tool="addon", verb=verb, options={"options": " ".join(extra), "blender": args.blender or ""}
        )
        outcome = run_plan(
            Plan(command=command, out=out, tasks=tasks),
            ray_address=args.ray,
            workers=args.workers,
            retries=args.retries,
            echo=not args.json,
            order=args.order,
        )
    except EngineBatchError as exc:
        raise BatchError(str(exc)) from exc
    result = summary(outcome, out)
    if outcome.cancelled:
        raise JobCancelled(
            f"Stopped with Ctrl-C; finished tasks are in {result['manifest']}. Run again to resume."
        )
    if result["failed"]:
        raise BatchError(
            f"{result['failed']} of {len(tasks)} failed (the others are done): see {result['manifest']}. "
            + "; ".join(f"{k}: {v}" for k, v in list(result["errors"].items())[:3])
        )
    return result
