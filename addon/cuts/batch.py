"""``cut-scenes VIDEO --blend OUT.blend [--otio F] [--edl F] [--csv F] [--detector D]``.

Detects the cuts in the worker, puts the video (and its sound) in the Sequencer — or reuses the
movie strips of that video already in the .blend — splits them at the cuts and saves. Running it
again on the same .blend finds the pieces already cut and cuts nothing twice. Detectors and
export formats are the engine's (``ai_engine/cuts/contract.py``).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bpy

from ..core.batch import BatchError, open_or_new, save
from ..core.vocab import vocabulary
from ..core.worker_client import run_blocking
from ..footage.write import add_footage
from .read import media_path, movie_strips
from .write import apply_cuts, container_of, timeline_frame

if TYPE_CHECKING:
    from ai_engine.cuts.contract import DetectResult


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # Read without failing when the engine is missing: the other verbs must still parse, and the
    # job itself then says what to install.
    detectors = vocabulary("ai_engine.cuts.contract", "DETECTORS")
    parser.add_argument("video", help="the video to cut")
    parser.add_argument("--blend", required=True, help="the .blend to write (opened first when it exists)")
    parser.add_argument(
        "--detector", choices=detectors or None, default=detectors[0] if detectors else "auto"
    )
    parser.add_argument("--min-shot", type=int, default=None, help="shortest shot in clip frames")
    for fmt in vocabulary("ai_engine.cuts.contract", "EXPORT_FORMATS"):
        parser.add_argument(f"--{fmt}", metavar="FILE", help=f"also write the shots as {fmt.upper()}")


def cut_scene(scene: bpy.types.Scene, video: str, detected: DetectResult) -> dict[str, Any]:
    """Split every movie strip of ``video`` in ``scene`` (adding one when there is none)."""
    editor = scene.sequence_editor or scene.sequence_editor_create()
    wanted = media_path(video)
    strips = [s for s in movie_strips(editor, selected_only=False) if media_path(s.filepath) == wanted]
    added = None
    if not strips:
        added = add_footage(scene, detected.info, frame_start=scene.frame_start, match_scene=True)
        strips = [s for s in movie_strips(editor, selected_only=False) if s.name == added.movie]
    # Pieces of one strip share its start and channel: cut each original once.
    originals = {(s.channel, round(s.frame_start), container_of(s)): s for s in strips}
    cut_list = detected.cut_list
    cuts = sound = 0
    for strip in originals.values():
        frames = [timeline_frame(strip, c.frame, cut_list.frame_count) for c in cut_list.cuts]
        done = apply_cuts(editor, strip, frames)
        cuts += len(done.cut_frames)
        sound += done.sound_cuts
    return {"added_strip": added.movie if added else None, "cuts_applied": cuts, "sound_cuts_applied": sound}


def demo_step(out: Path, video: str) -> dict[str, Any]:
    """``build.py demo``: cut the sample clip, save the .blend and an OTIO timeline of the shots."""
    from ai_engine.cuts.contract import DETECT, EXPORT, DetectRequest, ExportRequest

    detected = run_blocking(DETECT, DetectRequest(video=video), label="detect cuts")
    exported = run_blocking(
        EXPORT,
        ExportRequest(targets={"otio": str(out / "cuts.otio")}, cut_list=detected.cut_list),
        label="export cuts",
    )
    open_or_new(None)
    applied = cut_scene(bpy.context.scene, video, detected)
    return {
        "blend": save(str(out / "cuts.blend")),
        "otio": exported.written["otio"],
        "cuts": ", ".join(f"{c.frame} ({c.kind})" for c in detected.cut_list.cuts),
        "strips_cut": applied["cuts_applied"],
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    from ai_engine.cuts.contract import DETECT, EXPORT, EXPORT_FORMATS, DetectRequest, ExportRequest

    video = os.path.abspath(args.video)
    warnings: list[str] = []
    detected = run_blocking(
        DETECT,
        DetectRequest(video=video, detector=args.detector, min_shot=args.min_shot or None),
        label="detect cuts",
        echo=not args.json,
        warnings=warnings,
    )
    targets = {fmt: os.path.abspath(p) for fmt in EXPORT_FORMATS if (p := getattr(args, fmt, None))}
    written: dict[str, str] = {}
    if targets:
        exported = run_blocking(
            EXPORT,
            ExportRequest(targets=targets, cut_list=detected.cut_list),
            label="export cuts",
            echo=not args.json,
            warnings=warnings,
        )
        written = dict(exported.written)
    open_or_new(args.blend)
    scene = bpy.context.scene
    if scene is None:
        raise BatchError("The .blend has no scene to cut.")
    applied = cut_scene(scene, video, detected)
    path = save(args.blend)
    cut_list = detected.cut_list
    return {
        "blend": path,
        "scene": scene.name,
        "detector": cut_list.detector,
        "cuts": cut_list.frames,
        "kinds": [c.kind for c in cut_list.cuts],
        **applied,
        "exports": written,
        "warnings": warnings,
    }
