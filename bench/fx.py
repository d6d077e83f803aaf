"""Benchmark of the effects GAN against the seed's DCGAN, side by side in one run.

    nice -n 10 python bench/fx.py --minutes 5 --threads 1

For every preset: Clapper's shipped model against a DCGAN (pytorch/examples) trained for the same
wall time on the same procedural images; for real photos (../shared/data/textures: embark smoke,
skimage gravel): both trained here for ``--minutes`` each. Figures: SWD on 7×7 Laplacian-pyramid
patches (64 crops of 64², 32,768 patches per level, 4×512 directions, ×1e3) for ours, the baseline
and the real-vs-real floor; seam ratio; loop ratio; 1024² generation time; training images/s.
Writes bench/out/fx_results.json and the contact sheet bench/out/fx_contact_sheet.png.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ai_engine.fx.dcgan import DCGANConfig  # noqa: E402
from ai_engine.fx.evaluate import evaluate  # noqa: E402
from ai_engine.fx.generate import generate_loop, generate_texture  # noqa: E402
from ai_engine.fx.imageset import load_image_set  # noqa: E402
from ai_engine.fx.maps import luminance, normal_map, roughness_map  # noqa: E402
from ai_engine.fx.metrics import loop_ratio, seam_ratio  # noqa: E402
from ai_engine.fx.modelfile import DCGAN, FxModel  # noqa: E402
from ai_engine.fx.presets import USAGE, list_presets, resolve_model  # noqa: E402
from ai_engine.fx.procedural import make_images  # noqa: E402
from ai_engine.fx.train import train  # noqa: E402


def _data_root() -> Path:
    """``$CLAPPER_DATA``, else the first ``shared/data`` beside the repository or an ancestor of it."""
    if os.environ.get("CLAPPER_DATA"):
        return Path(os.environ["CLAPPER_DATA"])
    for folder in REPO.parents:
        if (folder / "shared" / "data").is_dir():
            return folder / "shared" / "data"
    return REPO.parent / "shared" / "data"


DATA = _data_root() / "textures"
PHOTOS = {
    "photo-smoke": DATA / "embark" / "smoke_smoke_dark.png",
    "photo-gravel": DATA / "skimage" / "gravel.png",
}
OUT = REPO / "bench" / "out"


def train_baseline(images: object, seconds: float, threads: int) -> FxModel:
    result = train(
        images,
        architecture=DCGAN,
        config=DCGANConfig(),
        minutes=seconds / 60,
        batch_size=64,
        learning_rate=2e-4,  # pytorch/examples dcgan settings
        threads=threads,
    )
    return FxModel(result.generator, result.card)


def train_ours(images: object, seconds: float, threads: int) -> FxModel:
    result = train(images, minutes=seconds / 60, threads=threads)  # Clapper defaults
    return FxModel(result.generator, result.card)


def timed_baseline_pixels(size: int = 1024, repeats: int = 3) -> float:
    """Anchor: median seconds for the DCGAN baseline to make as many pixels (size²/64² samples of 64²)."""
    import torch

    from ai_engine.fx.dcgan import DCGANGenerator

    generator = DCGANGenerator(config=DCGANConfig()).eval()
    count = (size // 64) ** 2
    times = []
    with torch.inference_mode():
        generator(torch.randn(4, 100, 1, 1))
        for _ in range(repeats):
            started = time.perf_counter()
            for chunk in range(0, count, 64):
                generator(torch.randn(min(64, count - chunk), 100, 1, 1))
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def timed_generation(model: FxModel, size: int = 1024, repeats: int = 3) -> tuple[float, float]:
    """Median seconds of one size² tileable texture, and of it plus normal + roughness maps."""
    plain, with_maps = [], []
    generate_texture(model, size=256)  # warm-up
    for seed in range(repeats):
        started = time.perf_counter()
        image = generate_texture(model, size=size, seed=seed)
        plain.append(time.perf_counter() - started)
        height = luminance(image)
        normal_map(height), roughness_map(height)
        with_maps.append(time.perf_counter() - started)
    return statistics.median(plain), statistics.median(with_maps)


def compare(
    name: str, ours: FxModel, baseline: FxModel, image_set: object, *, loops: bool
) -> dict[str, object]:
    ours_eval = evaluate(ours, image_set)  # type: ignore[arg-type]
    base_eval = evaluate(baseline, image_set)  # type: ignore[arg-type]
    row: dict[str, object] = {
        "set": name,
        "swd_ours": ours_eval["swd"],
        "swd_baseline": base_eval["swd"],
        "swd_floor": ours_eval["swd_floor"],
        "swd_ours_levels": ours_eval["swd_levels"],
        "swd_baseline_levels": base_eval["swd_levels"],
        "ours_over_floor": round(float(ours_eval["swd"]) / float(ours_eval["swd_floor"]), 2),
        "baseline_over_floor": round(float(base_eval["swd"]) / float(ours_eval["swd_floor"]), 2),
        # one texture's seam ratio fluctuates with where bright features fall: the mean of four
        "seam_ours_1024": round(
            float(np.mean([seam_ratio(generate_texture(ours, size=1024, seed=seed)) for seed in range(4)])), 3
        ),
        "seam_baseline_64": round(
            float(
                np.mean([seam_ratio(generate_texture(baseline, size=64, seed=seed)) for seed in range(16)])
            ),
            3,
        ),
        "training_seconds": ours.card.get("training_seconds"),
        "train_images_per_s_ours": ours.card.get("images_per_second"),
        "train_images_per_s_baseline": baseline.card.get("images_per_second"),
    }
    if loops:
        frames = list(
            generate_loop(ours, size=256, frames=24, seed=2, drift=USAGE.get(name, USAGE["grunge"]).drift)
        )
        row["loop_ratio"] = round(loop_ratio(frames), 3)
    print(json.dumps(row), flush=True)
    return row


def contact_sheet(models: dict[str, FxModel], path: Path) -> None:
    """Each preset as a 256² texture tiled 2×2 (a seam would show as a cross), then 8 frames of a loop."""
    import cv2

    tiles = []
    for name, model in models.items():
        tile = np.tile(generate_texture(model, size=256, seed=3), (2, 2, 1))
        cv2.putText(tile, name, (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (1, 1, 1), 2, cv2.LINE_AA)
        tiles.append(tile)
    rows = [
        np.concatenate(tiles[i : i + 3] + [np.zeros_like(tiles[0])] * (3 - len(tiles[i : i + 3])), axis=1)
        for i in range(0, len(tiles), 3)
    ]
    first = next(iter(models))
    drift = USAGE.get(first, USAGE["grunge"]).drift
    frames = list(generate_loop(models[first], size=192, frames=16, seed=5, drift=drift))
    strip = np.concatenate([frames[i] for i in range(0, 16, 2)], axis=1)
    strip = cv2.resize(strip, (rows[0].shape[1], int(rows[0].shape[1] / strip.shape[1] * strip.shape[0])))
    sheet = np.concatenate([*rows, strip], axis=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), (np.clip(sheet, 0, 1)[..., ::-1] * 255).astype(np.uint8))


def write_results(results: dict[str, object]) -> None:
    """Rewrite bench/out/fx_results.json after every row, so a long run keeps what it measured."""
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"fx_results{RESULT_SUFFIX[0]}.json").write_text(json.dumps(results, indent=2) + "\n")


RESULT_SUFFIX = [""]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--minutes", type=float, default=5.0, help="training time of each model on the photos"
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--skip-photos", action="store_true")
    parser.add_argument("--skip-presets", action="store_true")
    parser.add_argument("--tag", default="", help="suffix of the results file (fx_results<TAG>.json)")
    args = parser.parse_args()
    RESULT_SUFFIX[0] = args.tag
    import torch

    torch.set_num_threads(args.threads)
    results: dict[str, object] = {"threads": args.threads, "rows": []}
    presets = {p.name: resolve_model(p.name) for p in list_presets()}
    if presets and not args.skip_presets:
        speed_model = presets.get("fire") or next(iter(presets.values()))
        for threads in (1, 2):  # the target is "on 2 cores"; on a shared machine 1 thread can win
            torch.set_num_threads(threads)
            plain, with_maps = timed_generation(speed_model)
            anchor = timed_baseline_pixels()
            results[f"generate_1024_seconds_{threads}t"] = round(plain, 3)
            results[f"generate_1024_with_maps_seconds_{threads}t"] = round(with_maps, 3)
            results[f"baseline_1024_pixels_seconds_{threads}t"] = round(anchor, 3)
            print(
                f"{threads} thread(s): 1024² tileable {plain:.3f} s ({with_maps:.3f} s with normal + roughness); "
                f"DCGAN making as many pixels {anchor:.3f} s",
                flush=True,
            )
        results["load_average"] = os.getloadavg()
        torch.set_num_threads(args.threads)
        contact_sheet(presets, OUT / "fx_contact_sheet.png")
    rows: list[dict[str, object]] = results["rows"]  # type: ignore[assignment]
    if not args.skip_presets:
        for name, model in presets.items():
            card_preset = model.card.get("preset", {})
            data = model.card["preset"]["training_data"]
            images = load_image_set(
                make_images(name, count=data["count"], size=data["size"], seed=data["seed"]), min_side=64
            )
            assert images.digest == model.card["training_images"]["sha256"], (
                "preset data changed since training"
            )
            seconds = float(model.card["training_seconds"])
            baseline = train_baseline(images, seconds, args.threads)
            rows.append(
                compare(name, model, baseline, images, loops=True) | {"material": card_preset.get("material")}
            )
            write_results(results)
    if not args.skip_photos:
        for name, path in PHOTOS.items():
            if not path.is_file():
                print(f"skip {name}: {path} is absent", flush=True)
                continue
            images = load_image_set(path, min_side=64)
            ours = train_ours(images, args.minutes * 60, args.threads)
            baseline = train_baseline(images, args.minutes * 60, args.threads)
            rows.append(compare(name, ours, baseline, images, loops=True))
            write_results(results)
    write_results(results)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
