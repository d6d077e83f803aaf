"""``python -m ai_engine capture VIDEO --out TRACK.npz [--parts body,face,hands] [--smoothing S] [--json]``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .overlay import contact_sheet, image_sequence
from .pipeline import CaptureOptions, capture
from .track import PARTS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("video", help="the video to capture")
    parser.add_argument("--out", required=True, help="where to write the motion track (.npz)")
    parser.add_argument("--parts", default=",".join(PARTS), help="comma-separated: body,face,hands")
    parser.add_argument("--smoothing", type=float, default=0.5, help="0 (raw) … 1 (heavy); default 0.5")
    parser.add_argument("--max-gap", type=float, default=0.5, help="longest gap to fill, seconds")
    parser.add_argument("--neutral-frame", type=int, default=None, help="frame with a relaxed face")
    parser.add_argument("--overlay", help="write a QA contact sheet PNG here")
    parser.add_argument("--overlay-frames", help="write every frame with landmarks into this folder")
    parser.add_argument("--json", action="store_true", help="print the health report as JSON")


def run(args: argparse.Namespace) -> int:
    parts = tuple(p.strip() for p in args.parts.split(",") if p.strip())
    unknown = sorted(set(parts) - set(PARTS))
    if unknown or not parts:
        print(f"error: unknown parts {unknown}; choose among {','.join(PARTS)}", file=sys.stderr)
        return 2
    options = CaptureOptions(
        parts=parts, smoothing=args.smoothing, max_gap_seconds=args.max_gap, neutral_frame=args.neutral_frame
    )

    def progress(fraction: float, message: str) -> None:
        if not args.json:
            print(f"\r{fraction * 100:5.1f}% {message}".ljust(60), end="", file=sys.stderr, flush=True)

    result = capture(args.video, options, progress=progress)
    if not args.json:
        print(file=sys.stderr)
    path = result.track.save(args.out)
    summary: dict[str, object] = {"track": str(path), "report": result.report}
    if args.overlay:
        summary["overlay"] = str(contact_sheet(args.video, result.track, Path(args.overlay)))
    if args.overlay_frames:
        summary["overlay_frames"] = str(image_sequence(args.video, result.track, Path(args.overlay_frames)))
    if args.json:
        print(json.dumps(summary))
        return 0
    report = result.report
    print(
        f"wrote {path}: {report['frames']} frames at {report['fps']:g} fps, tracked at {report['capture_fps']} fps"
    )
    for part in ("body", "face"):
        health = report.get(part)
        if isinstance(health, dict):
            print(
                f"  {part}: {health['tracked_frames']} tracked, {health['interpolated_frames']} filled, "
                f"{health['missing_frames']} missing"
                + (f", {health['swaps_fixed']} swaps fixed" if part == "body" else "")
            )
    for message in result.warnings:
        print(f"  warning: {message}")
    if "overlay" in summary:
        print(f"  overlay: {summary['overlay']}")
    return 0
