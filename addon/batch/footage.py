"""``add-footage VIDEO --blend OUT.blend``: probe a video and add it to the Sequencer."""

from __future__ import annotations

import argparse
import os
from typing import Any

import bpy

from ..apply.footage import add_footage
from ..worker_process import run_blocking
from .common import BatchError, open_or_new, save


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("video", help="the video file to add")
    parser.add_argument("--blend", required=True, help="the .blend to write (opened first when it exists)")
    parser.add_argument("--frame-start", type=int, default=None, help="timeline frame of the first picture")
    parser.add_argument(
        "--keep-scene-rate", action="store_true", help="do not set the scene's fps and range to the clip's"
    )


def run(args: argparse.Namespace) -> dict[str, Any]:
    video = os.path.abspath(args.video)
    result = run_blocking("ai_engine.jobs:probe", {"video": video}, label="probe", echo=not args.json)
    info = result["info"]
    open_or_new(args.blend)
    scene = bpy.context.scene
    if scene is None:
        raise BatchError("The .blend has no scene to add the footage to.")
    start = args.frame_start if args.frame_start is not None else scene.frame_start
    added = add_footage(scene, info, frame_start=start, match_scene=not args.keep_scene_rate)
    path = save(args.blend)
    return {
        "blend": path,
        "scene": scene.name,
        "movie_strip": added.movie,
        "sound_strip": added.sound,
        "channel": added.channel,
        "frame_start": added.frame_start,
        "frame_end": added.frame_end,
        "scene_fps": round(added.scene_fps, 6),
        "info": info,
        "warnings": result.get("warnings", []),
    }
