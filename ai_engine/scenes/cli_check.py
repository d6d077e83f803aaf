"""``python -m ai_engine check VIDEO [--json]``: flash frames, black slugs, frozen runs, jump cuts."""

from __future__ import annotations

import argparse
import json
import sys

from .contract import CHECK, DETECTORS, CheckRequest


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("video", help="the rendered edit to check")
    parser.add_argument("--detector", choices=DETECTORS, default="auto", help="shot detector (see `cuts`)")
    parser.add_argument("--device", default=None, help="network device: cpu, cuda")
    parser.add_argument(
        "--json", action="store_true", help='print {"problems": [{kind, first, last, detail}]}'
    )


def run(args: argparse.Namespace) -> int:
    from .cli import run_in_process

    result, warnings = run_in_process(
        CHECK, CheckRequest(video=args.video, detector=args.detector, device=args.device)
    )
    for message in warnings:
        print(f"warning: {message}", file=sys.stderr)
    if args.json:
        print(json.dumps(result.to_json()))
        return 0
    print(f"{result.video}: {len(result.problems)} problem(s)")
    for p in result.problems:
        print(f"  {p.kind:14s} frames {p.first}-{p.last}: {p.detail}")
    return 0
