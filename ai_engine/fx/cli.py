"""``python -m ai_engine fx presets|train|generate``: effects textures without Blender.

    python -m ai_engine fx presets --json
    python -m ai_engine fx train DIR --out MODEL.pt --minutes 5 --json
    python -m ai_engine fx train --procedural fire --out fire.pt --minutes 3 --threads 1
    python -m ai_engine fx generate fire --size 1024 --frames 48 --out DIR --json

Training also runs under ``torchrun --nproc_per_node N -m ai_engine fx train ...``
(DistributedDataParallel; rank 0 writes the files).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import EngineError
from .catalog import USAGE
from .contract import GENERATE, GenerateRequest, GenerateResult, PresetsResult
from .procedural import GENERATORS

if TYPE_CHECKING:
    from .models import SpatialGANConfig


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="fx_command", metavar="ACTION", required=True)
    presets = sub.add_parser("presets", help="list the built-in presets and their cards")
    presets.add_argument("--json", action="store_true", help="print JSON")

    train = sub.add_parser("train", help="train a generator on a folder of example images")
    train.add_argument("images", nargs="?", help="folder (or file) of training images")
    train.add_argument(
        "--procedural",
        choices=tuple(GENERATORS),
        help="train on this procedural texture's images instead",
    )
    train.add_argument(
        "--preset",
        choices=tuple(USAGE),
        help="record this preset's usage (material, drift) in the card, to ship it as that preset",
    )
    train.add_argument(
        "--out", required=True, help="model file to write (.pt; card .json and thumbnail .png beside)"
    )
    train.add_argument("--minutes", type=float, default=5.0, help="wall-time budget (default 5)")
    train.add_argument(
        "--steps", type=int, default=None, help="stop after this many steps (reproducible runs)"
    )
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--resume", help="checkpoint (.ckpt) to continue from")
    train.add_argument("--batch-size", type=int, default=None, help="crops per step (default: from the crop)")
    train.add_argument(
        "--crop",
        type=int,
        default=None,
        help="training crop in px (multiple of 16; default: from the examples' structure)",
    )
    train.add_argument(
        "--hold-out",
        action="store_true",
        help="train on the left 2/3 of each example, measure the card's SWD on the right third",
    )
    train.add_argument(
        "--threads", type=int, default=None, help="torch CPU threads (1 is best on a busy machine)"
    )
    train.add_argument("--preview", help="PNG rewritten with each preview sample")
    train.add_argument(
        "--config", help="generator/discriminator hyper-parameters as JSON (SpatialGANConfig fields)"
    )
    train.add_argument(
        "--eval-patches", type=int, default=32768, help="7×7 patches per pyramid level for the card's SWD"
    )
    train.add_argument("--json", action="store_true", help="print JSON")

    generate = sub.add_parser("generate", help="generate a tileable texture or a seamless loop")
    generate.add_argument("model", help="preset name (see 'presets') or model file")
    generate.add_argument("--size", type=int, default=1024, help="side in px (512–4096)")
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument("--frames", type=int, default=0, help="frames of a seamless loop (0: a still)")
    generate.add_argument("--tileable", action="store_true", default=True, help="tile seamlessly (default)")
    generate.add_argument("--no-tileable", dest="tileable", action="store_false")
    generate.add_argument("--no-maps", dest="maps", action="store_false", help="skip normal/roughness maps")
    generate.add_argument("--hdr", action="store_true", help="also write an HDR emission map (.hdr)")
    generate.add_argument("--name", help="file name stem (default: the model's)")
    generate.add_argument("--out", required=True, help="output folder")
    generate.add_argument("--json", action="store_true", help="print JSON")


def _print(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    print(json.dumps(data) if args.json else text)


def _progress_printer(enabled: bool) -> Callable[[float, str], None]:
    last = [0.0]

    def report(fraction: float, message: str) -> None:
        if enabled and time.monotonic() - last[0] > 2.0:
            last[0] = time.monotonic()
            print(f"{fraction * 100:5.1f}% {message}", file=sys.stderr, flush=True)

    return report


def run(args: argparse.Namespace) -> int:
    if args.fx_command == "presets":
        from .catalog import list_presets

        presets = PresetsResult(presets=list_presets())
        _print(
            args,
            presets.to_dict(),
            "\n".join(f"{p.name:10s} {p.label}: {p.description}" for p in presets.presets),
        )
        return 0
    if args.fx_command == "train":
        return _train(args)
    from ..worker import JobContext, run_job

    request = GenerateRequest(
        model=args.model,
        size=args.size,
        seed=args.seed,
        frames=args.frames,
        tileable=args.tileable,
        maps=args.maps,
        hdr=args.hdr,
        out_dir=Path(args.out),
        name=args.name,
    )
    ctx = JobContext(
        workdir=Path(args.out),
        progress=_progress_printer(not args.json),
        should_stop=lambda: False,
        warn=lambda message: print(message, file=sys.stderr),
    )
    result: GenerateResult = run_job(GENERATE, request, ctx)
    count = len(result.frames) or len(result.files)
    _print(args, result.to_dict(), f"wrote {count} files to {args.out} in {result.seconds} s")
    return 0


def _config(text: str | None) -> SpatialGANConfig | None:
    """``--config``: SpatialGANConfig fields as JSON (the defaults when absent)."""
    from .models import SpatialGANConfig

    if not text:
        return None
    try:
        return SpatialGANConfig.from_json(json.loads(text))
    except (ValueError, TypeError) as exc:
        raise EngineError(f"--config is not valid JSON of SpatialGANConfig fields ({exc}).") from exc


def _train(args: argparse.Namespace) -> int:
    from .procedural import make_images
    from .training_run import train_and_save

    preset = None
    if args.procedural:
        # 256 px images: the 64 px training crops then see a quarter of the picture (whole flames)
        data = {"procedural": args.procedural, "count": 6, "size": 256, "seed": args.seed}
        images: Any = make_images(args.procedural, count=6, size=256, seed=args.seed)
        preset = {"name": args.procedural, **USAGE[args.procedural].to_json(), "training_data": data}
    elif args.images:
        images = args.images
        if args.preset:
            data = {"example": [Path(args.images).name], "held_out": bool(args.hold_out)}
            preset = {"name": args.preset, **USAGE[args.preset].to_json(), "training_data": data}
    else:
        raise EngineError("Give a folder of training images (or --procedural NAME).")
    result = train_and_save(
        images,
        Path(args.out),
        minutes=args.minutes,
        max_steps=args.steps,
        seed=args.seed,
        resume=args.resume,
        batch_size=args.batch_size,
        crop=args.crop,
        hold_out=args.hold_out,
        config=_config(args.config),
        evaluate_patches=args.eval_patches,
        threads=args.threads,
        preset=preset,
        preview_path=Path(args.preview) if args.preview else None,
        progress=_progress_printer(not args.json),
    )
    if result is not None:
        _print(
            args,
            result.to_dict(),
            f"saved {result.model}: {result.steps} steps, {result.training_seconds} s, "
            f"SWD {result.metrics.swd} (floor {result.metrics.swd_floor})",
        )
    return 0
