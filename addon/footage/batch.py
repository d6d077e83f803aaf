"""``add-footage VIDEO --blend OUT.blend``: probe a video and add it to the Sequencer."""

from __future__ import annotations

import argparse
import os
from typing import Any

import bpy

from ..core.batch import BatchError, open_or_new, save
from ..core.worker_client import run_blocking
from .write import add_footage, audio_folder


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("video", help="the video file to add")
    parser.add_argument("--blend", required=True, help="the .blend to write (opened first when it exists)")
    parser.add_argument("--frame-start", type=int, default=None, help="timeline frame of the first picture")
    parser.add_argument(
        "--keep-scene-rate", action="store_true", help="do not set the scene's fps and range to the clip's"
    )


def run(args: argparse.Namespace) -> dict[str, Any]:
    from ai_engine.engine_contract import PROBE, ProbeRequest

    video = os.path.abspath(args.video)
    warnings: list[str] = []
    probed = run_blocking(
        PROBE,
        ProbeRequest(video=video, audio_dir=audio_folder(args.blend)),
        label="probe",
        echo=not args.json,
        warnings=warnings,
    )
    info = probed.info
    open_or_new(args.blend)
    scene = bpy.context.scene
    if scene is None:
        raise BatchError("The .blend has no scene to add the footage to.")
    start = args.frame_start if args.frame_start is not None else scene.frame_start
    added = add_footage(
        scene, info, frame_start=start, match_scene=not args.keep_scene_rate, audio_files=probed.audio_files
    )
    path = save(args.blend)
    return {
        "blend": path,
        "scene": scene.name,
        "movie_strip": added.movie,
        "sound_strip": added.sound,
        "sound_strips": list(added.sounds),
        "channel": added.channel,
        "frame_start": added.frame_start,
        "frame_end": added.frame_end,
        "scene_fps": round(added.scene_fps, 6),
        "info": info.to_dict(),
        "warnings": [*warnings, *added.warnings],
    }
