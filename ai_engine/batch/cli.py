"""``python -m ai_engine batch VERB INPUTS… --out DIR [--ray ADDRESS|local] [--json]``.

One task per input, results under ``DIR/<input's stem>/``, ``DIR/manifest.json`` written as tasks
finish. Without ``--ray`` the tasks run on a local pool of worker processes; ``--ray local`` starts
a Ray instance on this machine; ``--ray HOST:PORT`` joins a running cluster (``ray start --head``).
Exit codes: 0 every input done, 1 some failed (see the manifest), 2 bad arguments, 130 Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from typing import Any

from ..errors import EngineError
from .contract import BatchCommand, Resources, TaskSpec
from .scheduler import DEFAULT_RETRIES, ORDERS, Outcome, Plan, check_inputs, run_plan, task_keys
from .verbs import VERBS, BatchError, Verb


def add_common_arguments(
    parser: argparse.ArgumentParser, verb_resources: Resources, *, json_flag: bool = True
) -> None:
    """The options every batch takes (the add-on's ``batch`` verb shares them; its CLI adds --json)."""
    parser.add_argument(
        "--out", required=True, help="the batch's folder: one sub-folder per input + manifest.json"
    )
    parser.add_argument(
        "--ray",
        metavar="ADDRESS",
        default=None,
        help="run on Ray: 'local' (a Ray instance on this machine) or the head's HOST:PORT; default: a local "
        "process pool",
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="parallel tasks here (default: one per core)"
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=DEFAULT_RETRIES,
        help="re-runs of a task whose worker crashed or was killed",
    )
    parser.add_argument(
        "--cpus", type=int, default=verb_resources.cpus, help="CPUs per task (engine threads)"
    )
    parser.add_argument(
        "--gpus", type=float, default=None, help="GPUs per task (default: 1 when the cluster has one)"
    )
    parser.add_argument("--memory-mb", type=int, default=verb_resources.memory_mb, help="memory per task")
    parser.add_argument(
        "--order",
        choices=ORDERS,
        default="longest",
        help="which inputs start first: 'longest' (the longest media first, so no long clip runs alone at "
        "the end; default) or 'given' (the order on the command line)",
    )
    if json_flag:
        parser.add_argument("--json", action="store_true", help="print the manifest summary as JSON")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="batch_verb", metavar="VERB", required=True)
    for name, verb in VERBS.items():
        command = sub.add_parser(name, help=verb.summary, description=verb.summary)
        command.add_argument("inputs", nargs="+", metavar="INPUT", help=verb.input_help)
        add_common_arguments(command, verb.resources)
        verb.add_arguments(command)


def resources_of(args: argparse.Namespace, gpu_capable: bool) -> Resources:
    gpus = args.gpus if args.gpus is not None else (1.0 if gpu_capable else 0.0)
    return Resources(cpus=args.cpus, gpus=gpus, memory_mb=args.memory_mb)


def plan_for(verb: Verb, args: argparse.Namespace) -> Plan:
    """Every task's request, built and checked by the feature's contract before anything runs."""
    out = Path(args.out).resolve()
    if args.retries < 0 or (args.workers is not None and args.workers < 1):
        raise BatchError("--retries must be 0 or more and --workers 1 or more.")
    check_inputs(args.inputs, files=verb.inputs_are_files)
    resources = resources_of(args, verb.gpu)
    spec = verb.job_spec()
    tasks = []
    for item, key in task_keys(args.inputs):
        try:
            request = verb.request(item, args)
        except EngineError as exc:  # the contract refused an option: before anything runs
            raise BatchError(f"{item}: {exc}") from exc
        tasks.append(
            TaskSpec(
                key=key,
                input=item,
                out_dir=str(out / key),
                kind="job",
                job=spec.name,
                request=request,
                resources=resources,
            )
        )
    command = BatchCommand(tool="ai_engine", verb=verb.name, options=verb.options(args))
    return Plan(command=command, out=out, tasks=tasks)


def summary(outcome: Outcome, out: Path) -> dict[str, Any]:
    tasks = outcome.manifest.tasks
    return {
        "manifest": str(out / "manifest.json"),
        "done": sum(t.status == "done" for t in tasks),
        "failed": sum(t.status == "failed" for t in tasks),
        "cancelled": sum(t.status == "cancelled" for t in tasks),
        "ran": outcome.ran,
        "skipped": outcome.skipped,
        "seconds": round(outcome.wall_seconds, 3),
        "errors": {t.input: t.error for t in tasks if t.status == "failed"},
    }


def report(outcome: Outcome, out: Path, as_json: bool) -> int:
    result = summary(outcome, out)
    if as_json:
        print(json.dumps(result))
    else:
        for item, error in result["errors"].items():
            print(f"failed: {item}: {error}", file=sys.stderr)
        print(
            f"{result['done']} done, {result['failed']} failed, {result['skipped']} already done; "
            f"manifest: {result['manifest']}"
        )
    if outcome.cancelled:
        return 130
    return 1 if result["failed"] else 0


def run(args: argparse.Namespace) -> int:
    verb = VERBS[args.batch_verb]
    # Ctrl-C must reach us: a process started from a thread that blocks SIGINT (some hosts' Python
    # threads do) inherits the blocked mask, and the batch would then run to the end regardless.
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    try:
        plan = plan_for(verb, args)
        outcome = run_plan(
            plan,
            ray_address=args.ray,
            workers=args.workers,
            retries=args.retries,
            echo=not args.json,
            order=args.order,
        )
    except BatchError as exc:
        if args.json:
            print(json.dumps({"error": {"type": "BatchError", "message": str(exc)}}))
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return report(outcome, plan.out, args.json)
