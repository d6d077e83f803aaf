"""``python -m ai_engine retarget MOTION.bvh --rig RIG.json --out ANIM.npz``: retarget without Blender."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from ..worker import JobContext, run_job
from .bvh import read_bvh
from .contract import PRESET_NAMES, RETARGET, RetargetRequest
from .maps import choose_map
from .rigspec import RigSpec


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="the motion: a .bvh file")
    parser.add_argument("--rig", help="the target RigSpec JSON (export it from the add-on's panel)")
    parser.add_argument("--map", help=f"bone map preset ({', '.join(PRESET_NAMES)}) or a JSON file")
    parser.add_argument("--source-map", help="JSON file: canonical joint → source joint (default: automatic)")
    parser.add_argument("--out", help="where to write the BoneAnimation .npz")
    parser.add_argument("--no-foot-lock", action="store_true", help="do not lock feet that stand still")
    parser.add_argument("--show-map", action="store_true", help="print the source's bone map and stop")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def _progress(fraction: float, message: str) -> None:
    print(f"\r{int(max(fraction, 0) * 100):3d}% {message:40s}", end="", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    if args.show_map:
        motion = read_bvh(args.source)
        pose = motion.pose()
        preset, name = choose_map(motion.names, motion.parents, pose.heads[0], pose.tails[0])
        result = {
            "preset": name,
            "bone_map": preset.bone_map,
            "frames": motion.frame_count,
            "fps": motion.fps,
        }
        print(json.dumps(result, indent=None if args.json else 1))
        return 0
    if not args.rig or not args.out:
        print("error: --rig and --out are needed to retarget (or use --show-map)", file=sys.stderr)
        return 2
    source_map = json.loads(Path(args.source_map).read_text()) if args.source_map else None
    request = RetargetRequest(
        rig=RigSpec.load(args.rig),
        source=args.source,
        source_map=source_map,
        map=args.map,
        foot_lock=not args.no_foot_lock,
    )
    started = time.perf_counter()
    warnings: list[str] = []
    with tempfile.TemporaryDirectory(prefix="clapper-retarget-") as work:
        ctx = JobContext(
            workdir=Path(work),
            progress=_progress if not args.json else (lambda f, m: None),
            should_stop=lambda: False,
            warn=warnings.append,
            warnings=warnings,
        )
        done = run_job(RETARGET, request, ctx)
        out = Path(args.out) if args.out.endswith(".npz") else Path(args.out + ".npz")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(done.animation, out)
    result = {
        "animation": str(out),
        "frames": done.frames,
        "fps": done.fps,
        "bones": len(done.bones),
        "seconds": round(time.perf_counter() - started, 3),
    }
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.json:
        print(json.dumps(result))
    else:
        print(file=sys.stderr)
        for key, value in result.items():
            print(f"{key}: {value}")
    return 0
