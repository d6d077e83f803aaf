"""Worker jobs of the effects feature (``fx.presets``, ``fx.generate``, ``fx.train``); images go to files."""

from __future__ import annotations

import os
import time
from pathlib import Path

from .. import runtimes
from ..progress import sub_progress
from ..registry import implements
from ..worker import JobContext
from .catalog import list_presets
from .contract import (
    GENERATE,
    PRESETS,
    TRAIN,
    GenerateRequest,
    GenerateResult,
    PresetsRequest,
    PresetsResult,
    TrainRequest,
    TrainResult,
)


@implements(PRESETS)
def presets(request: PresetsRequest, ctx: JobContext) -> PresetsResult:
    """The presets shipped with this build, with their usage, cards and thumbnails."""
    return PresetsResult(presets=list_presets())


@implements(GENERATE)
def generate(request: GenerateRequest, ctx: JobContext) -> GenerateResult:
    """Generate a still (``frames`` 0, with normal/roughness maps for surfaces) or a seamless loop."""
    from .generate import generate_loop, generate_texture
    from .output import write_loop, write_still
    from .presets import resolve_model, usage_of

    started = time.monotonic()
    ctx.progress(0.0, f"loading {request.model}")
    model = resolve_model(request.model)
    usage = usage_of(model, request.model)
    out_dir = Path(request.out_dir or ctx.workdir)
    name = request.stem
    files: dict[str, Path] = {}
    frames: list[Path] = []
    if request.frames:
        loop = generate_loop(
            model,
            size=request.size,
            frames=request.frames,
            seed=request.seed,
            drift=usage.drift,
            progress=sub_progress(ctx.progress, 0.05, 1.0),
            should_stop=ctx.should_stop,
        )
        frames = [Path(p) for p in write_loop(loop, out_dir, name, usage)]
    else:
        ctx.progress(0.1, f"generating {request.size}×{request.size}")
        image = generate_texture(model, size=request.size, seed=request.seed, tileable=request.tileable)
        ctx.progress(0.7, "writing maps")
        written = write_still(image, out_dir, name, usage, maps=request.maps, hdr=request.hdr)
        files = {kind: Path(p) for kind, p in written.items()}
    ctx.progress(1.0, "done")
    return GenerateResult(
        name=name,
        material=usage.material,
        size=request.size,
        seconds=round(time.monotonic() - started, 2),
        files=files,
        frames=tuple(frames),
        drift=usage.drift,
        emission_peak=usage.emission_peak,
    )


@implements(TRAIN)
def train(request: TrainRequest, ctx: JobContext) -> TrainResult:
    """Train on a folder of images; a cancel leaves ``OUT.ckpt`` intact and resumable, and no model."""
    runtimes.require_torch("Training an effects model")
    from .training_run import train_and_save

    threads = int(os.environ.get("CLAPPER_THREADS", "0") or 0)  # the add-on's preferences
    result = train_and_save(
        request.images,
        request.out,
        minutes=request.minutes,
        seed=request.seed,
        resume=request.resume,
        preview_path=request.preview_path or Path(ctx.workdir) / "preview.png",
        preview_every=request.preview_every,
        threads=threads or None,
        device=os.environ.get("CLAPPER_DEVICE", "auto"),
        progress=ctx.progress,
        should_stop=ctx.should_stop,
    )
    assert result is not None, "the worker runs one process: rank 0"
    return result
