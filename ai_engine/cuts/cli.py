"""``python -m ai_engine cuts VIDEO [--detector D] [--json] [--otio F] [--edl F] [--csv F] …``.

Detectors and export formats come from the contract's vocabularies: a new detector is a new
``--detector`` choice, a new format a new ``--<format> FILE`` option.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..worker import JobContext, run_job
from . import detectors, formats
from .contract import DETECT, DETECTORS, EXPORT, EXPORT_FORMATS, DetectRequest, ExportRequest


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("video", help="the video file to analyse")
    parser.add_argument(
        "--detector",
        choices=DETECTORS,
        default=DETECTORS[0],
        help="; ".join(f"{name}: {type(detectors.get(name)).summary}" for name in DETECTORS),
    )
    parser.add_argument(
        "--min-shot", type=int, default=None, help="shortest shot in frames (default: 0.25 s)"
    )
    parser.add_argument(
        "--device", default=None, help="network device: cpu, cuda (default: cuda when present)"
    )
    parser.add_argument("--json", action="store_true", help="print the CutList as JSON on stdout")
    for fmt in EXPORT_FORMATS:
        parser.add_argument(f"--{fmt}", metavar="FILE", help=f"also write {formats.get(fmt).description}")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _stderr_progress(quiet: bool):  # type: ignore[no-untyped-def]
    last = [-1]

    def report(fraction: float, message: str) -> None:
        percent = int(fraction * 100)
        if quiet or percent == last[0] or percent % 10:
            return
        last[0] = percent
        print(f"[{percent:3d}%] {message}", file=sys.stderr, flush=True)

    return report


def run(args: argparse.Namespace) -> int:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="clapper_cuts_") as workdir:
        warnings: list[str] = []
        ctx = JobContext(
            workdir=Path(workdir),
            progress=_stderr_progress(args.quiet or args.json),
            should_stop=lambda: False,
            warn=warnings.append,
            warnings=warnings,
        )
        found = run_job(
            DETECT,
            DetectRequest(
                video=args.video, detector=args.detector, min_shot=args.min_shot, device=args.device
            ),
            ctx,
        )
        cut_list = found.cut_list
        for message in warnings:
            print(f"warning: {message}", file=sys.stderr)
        targets = {fmt: path for fmt in EXPORT_FORMATS if (path := getattr(args, fmt))}
        if targets:
            run_job(EXPORT, ExportRequest(targets=targets, cut_list=cut_list), ctx)
    if args.json:
        print(json.dumps(cut_list.to_dict()))
        return 0
    print(f"{cut_list.video}: {len(cut_list.cuts)} cuts ({cut_list.detector}, {cut_list.fps:g} fps)")
    for cut in cut_list.cuts:
        span = f"  frames {cut.start}-{cut.end}" if cut.end > cut.start else ""
        print(
            f"  frame {cut.frame:6d}  {cut_list.seconds(cut.frame):9.3f} s  {cut.kind:8s} score {cut.score:.2f}{span}"
        )
    return 0
