"""``cut-scenes VIDEO --blend OUT.blend [--otio F] [--edl F] [--csv F] [--detector D]``.

Detects the cuts in the worker, puts the video (and its sound) in the Sequencer — or reuses the
movie strips of that video already in the .blend — splits them at the cuts and saves. Running it
again on the same .blend finds the pieces already cut and cuts nothing twice.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import bpy

from ..core.batch import BatchError, open_or_new, save
from ..core.worker_client import run_blocking
from ..footage.write import add_footage
from .strips import apply_cuts, container_of, media_path, movie_strips, timeline_frame


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("video", help="the video to cut")
    parser.add_argument("--blend", required=True, help="the .blend to write (opened first when it exists)")
    parser.add_argument("--detector", choices=("auto", "fast", "neural"), default="auto")
    parser.add_argument("--min-shot", type=int, default=None, help="shortest shot in clip frames")
    parser.add_argument("--otio", metavar="FILE", help="also write an OpenTimelineIO timeline")
    parser.add_argument("--edl", metavar="FILE", help="also write a CMX 3600 EDL")
    parser.add_argument("--csv", metavar="FILE", help="also write one CSV row per shot")


def cut_scene(scene: bpy.types.Scene, video: str, detected: dict[str, Any]) -> dict[str, Any]:
    """Split every movie strip of ``video`` in ``scene`` (adding one when there is none)."""
    editor = scene.sequence_editor or scene.sequence_editor_create()
    wanted = media_path(video)
    strips = [s for s in movie_strips(editor, selected_only=False) if media_path(s.filepath) == wanted]
    added = None
    if not strips:
        from ai_engine.video import VideoInfo

        info = VideoInfo.from_dict(detected["info"])
        added = add_footage(scene, info, frame_start=scene.frame_start, match_scene=True)
        strips = [s for s in movie_strips(editor, selected_only=False) if s.name == added.movie]
    # Pieces of one strip share its start and channel: cut each original once.
    originals = {(s.channel, round(s.frame_start), container_of(s)): s for s in strips}
    cut_list = detected["cut_list"]
    cuts = sound = 0
    for strip in originals.values():
        frames = [timeline_frame(strip, c["frame"], cut_list["frame_count"]) for c in cut_list["cuts"]]
        done = apply_cuts(editor, strip, frames)
        cuts += len(done.cut_frames)
        sound += done.sound_cuts
    return {
        "added_strip": added.movie if added else None,
        "cuts_applied": cuts,
        "sound_cuts_applied": sound,
        "warnings": list(added.warnings) if added else [],
    }


def demo_step(out: Path, video: str) -> dict[str, Any]:
    """``build.py demo``: cut the sample clip, save the .blend and an OTIO timeline of the shots."""
    detected = run_blocking("cuts.detect", {"video": video}, label="detect cuts")
    otio_path = run_blocking(
        "cuts.export",
        {"cut_list": detected["cut_list"], "otio": str(out / "cuts.otio")},
        label="export cuts",
    )["written"]["otio"]
    open_or_new(None)
    applied = cut_scene(bpy.context.scene, video, detected)
    cuts = detected["cut_list"]["cuts"]
    return {
        "blend": save(str(out / "cuts.blend")),
        "otio": otio_path,
        "cuts": ", ".join(f"{c['frame']} ({c['kind']})" for c in cuts),
        "strips_cut": applied["cuts_applied"],
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    video = os.path.abspath(args.video)
    request: dict[str, Any] = {"video": video, "detector": args.detector}
    if args.min_shot:
        request["min_shot"] = args.min_shot
    detected = run_blocking("cuts.detect", request, label="detect cuts", echo=not args.json)
    exports = {fmt: os.path.abspath(p) for fmt in ("otio", "edl", "csv") if (p := getattr(args, fmt))}
    written: dict[str, str] = {}
    if exports:
        exported = run_blocking(
            "cuts.export",
            {"cut_list": detected["cut_list"], **exports},
            label="export cuts",
            echo=not args.json,
        )
        written = exported["written"]
    open_or_new(args.blend)
    scene = bpy.context.scene
    if scene is None:
        raise BatchError("The .blend has no scene to cut.")
    applied = cut_scene(scene, video, detected)
    path = save(args.blend)
    cut_list = detected["cut_list"]
    return {
        "blend": path,
        "scene": scene.name,
        "detector": cut_list["detector"],
        "cuts": [c["frame"] for c in cut_list["cuts"]],
        "kinds": [c["kind"] for c in cut_list["cuts"]],
        **applied,
        "exports": written,
        "warnings": [*detected.get("warnings", []), *applied["warnings"]],
    }
