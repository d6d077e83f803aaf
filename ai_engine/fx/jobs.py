"""Worker jobs of the effects feature: ``ai_engine.fx.jobs:presets|generate|train``.

Requests and results are JSON-able (paths as strings); images go to files.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from ..errors import EngineError
from ..progress import sub_progress
from ..registry import implements
from ..worker import JobContext
from .contract import GENERATE, PRESETS, TRAIN
from .presets import list_presets, resolve_model, usage_of


@implements(PRESETS)
def presets(request: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """The built-in presets: ``{"presets": [{"name", "label", "material", "model", "thumbnail", "card"}]}``."""
    return {"presets": list_presets()}


@implements(GENERATE)
def generate(request: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Generate a still (``frames`` 0) or a loop, with maps.

    Request:
        ``model`` (preset name or model path), ``size`` (1024), ``seed`` (0), ``frames`` (0 = still),
        ``tileable`` (True), ``maps`` (True), ``hdr`` (False), ``out_dir`` (default: the workdir),
        ``name`` (file stem; default the model's).

    Returns:
        ``{"name", "material", "files": {...}, "frames": [...], "size", "seconds", "drift",
        "emission_peak"}``.
    """
    from .generate import generate_loop, generate_texture
    from .output import write_loop, write_still

    model_name = str(request.get("model") or "")
    if not model_name:
        raise EngineError(
            "No model given; choose a preset (fire, smoke, magic, caustics, grunge) or a model file."
        )
    started = time.monotonic()
    ctx.progress(0.0, f"loading {model_name}")
    model = resolve_model(model_name)
    usage = usage_of(model, model_name)
    size = int(request.get("size", 1024))
    seed = int(request.get("seed", 0))
    frames = int(request.get("frames", 0) or 0)
    out_dir = Path(request.get("out_dir") or ctx.workdir)
    name = str(request.get("name") or Path(model_name).stem)
    result: dict[str, Any] = {
        "name": name,
        "material": usage.material,
        "size": size,
        "files": {},
        "frames": [],
        "drift": list(usage.drift),
        "emission_peak": usage.emission_peak,
    }
    if frames:
        loop = generate_loop(
            model,
            size=size,
            frames=frames,
            seed=seed,
            drift=usage.drift,
            progress=sub_progress(ctx.progress, 0.05, 1.0),
            should_stop=ctx.should_stop,
        )
        result["frames"] = write_loop(loop, out_dir, name, usage)
    else:
        ctx.progress(0.1, f"generating {size}×{size}")
        image = generate_texture(model, size=size, seed=seed, tileable=bool(request.get("tileable", True)))
        ctx.progress(0.7, "writing maps")
        result["files"] = write_still(
            image,
            out_dir,
            name,
            usage,
            maps=bool(request.get("maps", True)),
            hdr=bool(request.get("hdr", False)),
        )
    result["seconds"] = round(time.monotonic() - started, 2)
    ctx.progress(1.0, "done")
    return result


@implements(TRAIN)
def train(request: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Train a model on a folder of images.

    Request:
        ``images`` (folder), ``out`` (model path), ``minutes`` (5), ``seed`` (0), ``resume``
        (checkpoint path or None), ``preview_path`` (PNG rewritten with each preview; default
        workdir/preview.png), ``preview_every`` (seconds, 15).

    Returns:
        ``{"model", "card", "checkpoint", "preview"}``. A cancel leaves ``out``'s checkpoint
        (``OUT.ckpt``) intact and resumable.
    """
    from .training_run import train_and_save

    images = request.get("images")
    out = request.get("out")
    if not images or not out:
        raise EngineError("Training needs a folder of images and an output model path.")
    preview = Path(request.get("preview_path") or Path(ctx.workdir) / "preview.png")
    threads = int(os.environ.get("CLAPPER_THREADS", "0") or 0)  # the add-on's preferences
    return train_and_save(
        images,
        Path(out),
        minutes=float(request.get("minutes", 5.0)),
        seed=int(request.get("seed", 0)),
        resume=request.get("resume"),
        preview_path=preview,
        preview_every=float(request.get("preview_every", 15.0)),
        threads=threads or None,
        device=os.environ.get("CLAPPER_DEVICE", "auto"),
        progress=ctx.progress,
        should_stop=ctx.should_stop,
    )
