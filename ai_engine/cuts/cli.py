"""``python -m ai_engine cuts VIDEO [--detector auto|fast|neural] [--json] [--otio F] [--edl F] [--csv F]``."""

from __future__ import annotations

import argparse
import json
import sys

from .detect import DETECTORS, detect_cuts
from .export import write_csv, write_edl, write_otio


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("video", help="the video file to analyse")
    parser.add_argument(
        "--detector",
        choices=DETECTORS,
        default="auto",
        help="auto: classic pass + TransNetV2 where unsure (default); fast: classic only; neural: TransNetV2 only",
    )
    parser.add_argument(
        "--min-shot", type=int, default=None, help="shortest shot in frames (default: 0.25 s)"
    )
    parser.add_argument(
        "--device", default=None, help="network device: cpu, cuda (default: cuda when present)"
    )
    parser.add_argument("--json", action="store_true", help="print the CutList as JSON on stdout")
    parser.add_argument("--otio", metavar="FILE", help="also write an OpenTimelineIO timeline (.otio)")
    parser.add_argument("--edl", metavar="FILE", help="also write a CMX 3600 EDL")
    parser.add_argument("--csv", metavar="FILE", help="also write one CSV row per shot")
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
    detection = detect_cuts(
        args.video,
        args.detector,
        min_shot=args.min_shot,
        device=args.device,
        progress=_stderr_progress(args.quiet or args.json),
    )
    cut_list = detection.cut_list
    for message in cut_list.warnings:
        print(f"warning: {message}", file=sys.stderr)
    for path, writer in ((args.otio, write_otio), (args.edl, write_edl), (args.csv, write_csv)):
        if path:
            writer(cut_list, path)
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
