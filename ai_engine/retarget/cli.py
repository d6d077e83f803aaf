"""``python -m ai_engine retarget MOTION.bvh --rig RIG.json --out ANIM.npz``: retarget without Blender."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from ..progress import never_stop
from .bvh import read_bvh
from .maps import PRESET_NAMES, choose_map, fit_preset, load_preset
from .rigspec import RigSpec
from .solve import solve
from .source import load_source


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
            "bone_map": preset["bone_map"],
            "frames": motion.frame_count,
            "fps": motion.fps,
        }
        print(json.dumps(result, indent=None if args.json else 1))
        return 0
    if not args.rig or not args.out:
        print("error: --rig and --out are needed to retarget (or use --show-map)", file=sys.stderr)
        return 2
    rig = RigSpec.load(args.rig)
    if args.map:
        rig = rig.with_map(fit_preset(load_preset(args.map), rig.bones)[0])
    source_map = json.loads(Path(args.source_map).read_text()) if args.source_map else None
    started = time.perf_counter()
    progress = _progress if not args.json else (lambda f, m: None)
    skeleton = load_source(args.source, source_map, progress=progress, should_stop=never_stop)
    anim = solve(skeleton, rig, foot_lock=not args.no_foot_lock, progress=progress, should_stop=never_stop)
    path = anim.save(args.out)
    result = {
        "animation": str(path),
        "frames": anim.frame_count,
        "fps": anim.fps,
        "bones": len(anim.bones),
        "seconds": round(time.perf_counter() - started, 3),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(file=sys.stderr)
        for key, value in result.items():
            print(f"{key}: {value}")
    return 0
