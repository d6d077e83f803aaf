"""``python -m ai_engine probe VIDEO [--json]``."""

from __future__ import annotations

import argparse
import json

from .video import probe


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("video", help="the video file to describe")
    parser.add_argument("--json", action="store_true", help="print the VideoInfo as JSON")


def run(args: argparse.Namespace) -> int:
    info = probe(args.video)
    if args.json:
        print(json.dumps(info.to_dict()))
        return 0
    print(f"{info.path}")
    print(
        f"  {info.frame_count} frames, {info.fps:g} fps ({info.duration:.2f} s)"
        + (f", variable frame rate (nominal {info.nominal_fps:g})" if info.variable_frame_rate else "")
    )
    print(
        f"  {info.width}x{info.height}"
        + (f", rotated {info.rotation}°" if info.rotation else "")
        + f", {info.codec or 'unknown codec'} in {info.container}, "
        + ("with audio" if info.has_audio else "no audio")
    )
    return 0
