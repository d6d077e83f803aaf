"""``python -m ai_engine capture VIDEO --out TRACK.npz [--parts body,face,hands] [--smoothing S] [--json]``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..contract import BadRequest
from .contract import PARTS, PERSON_CHOICES, SYNC_MODES, CaptureOptions, CaptureResult, parse_parts
from .overlay import contact_sheet, image_sequence
from .pipeline import capture


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("video", nargs="+", help="the video to capture (several: one per calibrated camera)")
    parser.add_argument(
        "--calibration", help="the cameras' calibration (.qca.txt, Pose2Sim .toml, OpenCV .yml)"
    )
    parser.add_argument(
        "--sync",
        choices=SYNC_MODES,
        default=SYNC_MODES[0],
        help="line several videos up by their motion or as filmed",
    )
    parser.add_argument("--out", required=True, help="where to write the motion track (.npz)")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated, among {','.join(PARTS)}")
    parser.add_argument("--smoothing", type=float, default=0.5, help="0 (raw) … 1 (heavy); default 0.5")
    parser.add_argument("--max-gap", type=float, default=0.5, help="longest gap to fill, seconds")
    parser.add_argument("--neutral-frame", type=int, default=None, help="frame with a relaxed face")
    parser.add_argument("--overlay", help="write a QA contact sheet PNG here")
    parser.add_argument("--overlay-frames", help="write every frame with landmarks into this folder")
    parser.add_argument(
        "--person",
        choices=PERSON_CHOICES,
        default="first",
        help="whom to capture when several people are in the picture (default: whoever is found first)",
    )
    parser.add_argument("--json", action="store_true", help="print the health report as JSON")


def run(args: argparse.Namespace) -> int:
    try:
        options = CaptureOptions(
            parts=parse_parts(args.parts),
            smoothing=args.smoothing,
            max_gap_seconds=args.max_gap,
            neutral_frame=args.neutral_frame,
            person=args.person,
        )
    except BadRequest as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    videos = list(args.video)
    if len(videos) > 1 and not args.calibration:
        print("error: several videos need --calibration FILE (their cameras' calibration)", file=sys.stderr)
        return 2

    def progress(fraction: float, message: str) -> None:
        if not args.json:
            print(f"\r{fraction * 100:5.1f}% {message}".ljust(60), end="", file=sys.stderr, flush=True)

    if len(videos) > 1:
        from .multiview import capture_views

        result = capture_views(videos, args.calibration, options, sync=args.sync, progress=progress)
    else:
        result = capture(videos[0], options, progress=progress)
    video = videos[0]
    if not args.json:
        print(file=sys.stderr)
    path = result.track.save(args.out)
    overlay = contact_sheet(video, result.track, Path(args.overlay)) if args.overlay else None
    frames_dir = (
        image_sequence(video, result.track, Path(args.overlay_frames)) if args.overlay_frames else None
    )
    summary = CaptureResult(
        track=Path(path),
        overlay=Path(overlay) if overlay else None,
        report=result.report,
        frames=result.track.frame_count,
        fps=float(result.track.fps),
        source_name=Path(video).stem,
    )
    if args.json:
        print(json.dumps(summary.to_dict()))
        return 0
    report = result.report
    print(f"wrote {path}: {report.frames} frames at {report.fps:g} fps, tracked at {report.capture_fps} fps")
    if report.line():
        print(f"  {report.line()}")
    for message in result.warnings:
        print(f"  warning: {message}")
    if overlay:
        print(f"  overlay: {overlay}")
    if frames_dir:
        print(f"  overlay frames: {frames_dir}")
    return 0
