"""``make-edit VIDEO --seconds 60 --blend OUT.blend [--min-shot-seconds 1]``: an edit of whole shots.

The worker detects shots, groups scenes and ranks shots (faces, motion, novelty: see
``ai_engine/scenes/plan.py``); the chosen shots go end to end into a new scene "Edit" with their
sound, tagged by scene colour.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

import bpy

from ..core.batch import BatchError, open_or_new, save
from ..core.worker_client import run_blocking


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("video", help="the long clip to cut down")
    parser.add_argument("--seconds", type=float, required=True, help="length of the edit")
    parser.add_argument("--min-shot-seconds", type=float, default=1.0, help="never use a shorter shot")
    parser.add_argument(
        "--detector", default="auto", help="shot detector (see python -m ai_engine cuts --help)"
    )
    parser.add_argument("--blend", required=True, help="the .blend to write (opened first when it exists)")


def run(args: argparse.Namespace) -> dict[str, Any]:
    from ai_engine.scenes.contract import PLAN, PlanRequest

    from .write import add_edit

    video = os.path.abspath(args.video)
    if not os.path.exists(video):
        raise BatchError(f"{video} does not exist: pass a video file.")
    warnings: list[str] = []
    plan = run_blocking(
        PLAN,
        PlanRequest(
            video=video, seconds=args.seconds, min_shot_seconds=args.min_shot_seconds, detector=args.detector
        ),
        label="make edit",
        echo=not args.json,
        warnings=warnings,
    )
    adding = bool(args.blend and os.path.exists(args.blend))
    open_or_new(args.blend)
    if adding:  # a new scene in the TD's file, shown when it is opened
        scene = bpy.data.scenes.new("Edit")
        if bpy.context.window is not None:
            bpy.context.window.scene = scene
    else:
        # A new file's one empty scene becomes the edit: no scene switch (switching to a scene full
        # of movie strips in bpy 4.2's background module crashed it once in a full test run).
        scene = bpy.context.scene
        scene.name = "Edit"
    add_edit(scene, plan)
    return {
        "blend": save(args.blend),
        "scene": scene.name,
        "seconds": plan.seconds,
        "shots": [
            {
                "shot": s.shot,
                "scene": s.scene,
                "first": s.first,
                "last": s.last,
                "score": s.score,
                "faces": s.faces,
                "motion": s.motion,
                "novelty": s.novelty,
            }
            for s in plan.shots
        ],
        "scenes": len(plan.scenes),
        "skipped_scenes": list(plan.skipped_scenes),
        "warnings": warnings,
    }
