"""``python -m ai_engine scenes VIDEO [--json] [--otio F] [--detector D] [--threshold T]``."""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from .contract import DETECTORS, GROUP, ScenesRequest


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("video", help="the video file to analyse")
    parser.add_argument("--detector", choices=DETECTORS, default="auto", help="shot detector (see `cuts`)")
    parser.add_argument("--min-shot", type=int, default=None, help="shortest shot in frames")
    parser.add_argument("--device", default=None, help="network device: cpu, cuda")
    parser.add_argument("--threshold", type=float, default=None, help="shot linking threshold 0..1")
    parser.add_argument(
        "--cnn", action="store_true", help="add TransNetV2's learned features to the colour cue"
    )
    parser.add_argument("--otio", metavar="FILE", help="also write an OTIO timeline with the scenes")
    parser.add_argument("--json", action="store_true", help='print {"shots": [...], "scenes": [...]}')


def run_in_process(spec, request):  # type: ignore[no-untyped-def]
    from ..worker import JobContext, run_job

    with tempfile.TemporaryDirectory(prefix="clapper-scenes-") as tmp:
        ctx = JobContext(
            workdir=Path(tmp), progress=lambda f, m: None, should_stop=lambda: False, warn=lambda m: None
        )
        ctx.warn = ctx.warnings.append
        result = run_job(spec, request, ctx)
    return result, ctx.warnings


def run(args: argparse.Namespace) -> int:
    import sys

    request = ScenesRequest(
        video=args.video,
        detector=args.detector,
        min_shot=args.min_shot,
        device=args.device,
        threshold=args.threshold,
        cnn=args.cnn,
    )
    result, warnings = run_in_process(GROUP, request)
    for message in warnings:
        print(f"warning: {message}", file=sys.stderr)
    if args.otio:
        from .otio import write_scenes_otio

        write_scenes_otio(result, args.otio)
    if args.json:
        print(json.dumps(result.to_json()))
        return 0
    print(f"{result.video}: {len(result.shots)} shots in {len(result.scenes)} scenes")
    for number, scene in enumerate(result.scenes, start=1):
        print(
            f"  Scene {number}: frames {scene.first}-{scene.last}, shots {', '.join(str(s) for s in scene.shots)}"
        )
    return 0
