"""Benchmark of the effects GAN against the seed's DCGAN, side by side in one run.

    nice -n 10 python bench/fx.py --minutes 5 --threads 1

Photos (../shared/data/textures: embark smoke_smoke_dark.png, skimage gravel.png): each split into
its left two-thirds (trained on) and right third (held out, never trained on); Clapper's GAN and the
DCGAN of pytorch/examples are each trained ``--minutes`` on the left part, then measured against
the right part. Presets: the shipped model, measured the same way on the data its card names (the
held-out third of its example photo, or fresh procedural images).

Figures: SWD on 7×7 Laplacian-pyramid patches (64 crops, 32,768 patches per level, 4×512
directions, ×1e3) at 64² crops and at a coarse scale (128² crops shrunk by 2), for ours, the
baseline and the real-vs-real floor (training-part crops against held-out crops), as ratios to the
floor; seam ratio (mean of four 1024² textures); loop ratio; drift (Farnebäck mean flow of the loop
pointing up within ±45°, wrap-around pair included) for rising presets; 1024² generation time
against a DCGAN making as many pixels; training images/s. Writes bench/out/fx_results.json and the
contact sheet bench/out/fx_contact_sheet.png (example, 1×, 2×2 tiled, loop frames per row).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ai_engine.fx.catalog import EXAMPLES  # noqa: E402
from ai_engine.fx.dcgan import DCGANConfig  # noqa: E402
from ai_engine.fx.evaluate import evaluate  # noqa: E402
from ai_engine.fx.generate import generate_loop, generate_texture  # noqa: E402
from ai_engine.fx.imageset import ImageSet, load_image_set, split_held_out  # noqa: E402
from ai_engine.fx.maps import luminance, normal_map, roughness_map  # noqa: E402
from ai_engine.fx.metrics import loop_ratio, seam_ratio  # noqa: E402
from ai_engine.fx.modelfile import DCGAN, FxModel  # noqa: E402
from ai_engine.fx.presets import list_presets, resolve_model, usage_of  # noqa: E402
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
    "photo-smoke": (DATA / "embark" / "smoke_smoke_dark.png", (0, -1)),
    "photo-gravel": (DATA / "skimage" / "gravel.png", (0, 0)),
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
    result = train(images, minutes=seconds / 60, threads=threads)  # Clapper defaults (crop from structure)
    return FxModel(result.generator, result.card)


def upward_fraction(frames: list[np.ndarray]) -> float:
    """Share of consecutive frame pairs (the last → first pair included) whose mean Farnebäck flow
    points up within ±45°."""
    import cv2

    grey = [cv2.cvtColor((np.clip(f, 0, 1) * 255).astype(np.uint8), cv2.COLOR_RGB2GRAY) for f in frames]
    up = 0
    for index in range(len(grey)):
        a, b = grey[index], grey[(index + 1) % len(grey)]
        flow = cv2.calcOpticalFlowFarneback(a, b, None, 0.5, 4, 21, 3, 5, 1.1, 0)
        dx, dy = float(flow[..., 0].mean()), float(flow[..., 1].mean())
        angle = math.degrees(math.atan2(-dy, dx))  # 90° = straight up (image y grows downwards)
        up += abs(angle - 90.0) <= 45.0
    return up / len(grey)


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
    name: str,
    ours: FxModel,
    baseline: FxModel | None,
    train_set: ImageSet,
    held_out: ImageSet | None,
    drift: tuple[int, int],
) -> dict[str, object]:
    ours_eval = evaluate(ours, train_set, held_out=held_out, patches_per_level=EVAL_PATCHES[0])
    row: dict[str, object] = {"set": name, "crop": ours.card.get("crop"), **ours_eval}

    def ratio(key: str, floor: str, figures: dict[str, object] = ours_eval) -> float | None:
        if key not in figures or floor not in ours_eval:
            return None
        return round(float(figures[key]) / float(ours_eval[floor]), 2)  # type: ignore[arg-type]

    for scale in ("swd", "swd_coarse"):
        row[f"{scale}_ours_over_floor"] = ratio(scale, f"{scale}_floor")
        row[f"{scale}_shift_over_floor"] = ratio(f"{scale}_shift", f"{scale}_floor")
        row[f"{scale}_seen_ours_over_floor"] = ratio(f"{scale}_seen", f"{scale}_seen_floor")
    if baseline is not None:
        base_eval = evaluate(baseline, train_set, held_out=held_out, patches_per_level=EVAL_PATCHES[0])
        for scale in ("swd", "swd_coarse"):
            row[f"{scale}_baseline"] = base_eval.get(scale)
            row[f"{scale}_baseline_over_floor"] = ratio(scale, f"{scale}_floor", base_eval)
            row[f"{scale}_seen_baseline_over_floor"] = ratio(
                f"{scale}_seen", f"{scale}_seen_floor", base_eval
            )
        row["train_images_per_s_baseline"] = baseline.card.get("images_per_second")
    # one texture's seam ratio fluctuates with where bright features fall: the mean of four
    row["seam_ours_1024"] = round(
        float(np.mean([seam_ratio(generate_texture(ours, size=1024, seed=seed)) for seed in range(4)])), 3
    )
    frames = list(generate_loop(ours, size=256, frames=24, seed=2, drift=drift))
    row["loop_ratio"] = round(loop_ratio(frames), 3)
    if drift[1] < 0:
        row["drift_up_fraction"] = round(upward_fraction(frames), 3)
    row["training_seconds"] = ours.card.get("training_seconds")
    row["train_images_per_s_ours"] = ours.card.get("images_per_second")
    print(json.dumps(row), flush=True)
    return row


def _fit(image: np.ndarray, side: int) -> np.ndarray:
    """A centred square crop of ``image`` resized to side²."""
    import cv2

    height, width = image.shape[:2]
    square = min(height, width)
    top, left = (height - square) // 2, (width - square) // 2
    return cv2.resize(
        image[top : top + square, left : left + square], (side, side), interpolation=cv2.INTER_AREA
    )


def sheet_row(name: str, example: np.ndarray, model: FxModel, drift: tuple[int, int]) -> np.ndarray:
    """256 px high: the example | a 256² texture (1×) | a 256² texture tiled 2×2, shown at half size
    (a seam would show as a cross, repetition as a grid) | 6 loop frames of 128² in two rows."""
    import cv2

    texture = generate_texture(model, size=256, seed=3)
    tiled = cv2.resize(np.tile(texture, (2, 2, 1)), (256, 256), interpolation=cv2.INTER_AREA)
    frames = list(generate_loop(model, size=128, frames=6, seed=5, drift=drift))
    loop = np.concatenate([np.concatenate(frames[:3], axis=1), np.concatenate(frames[3:], axis=1)], axis=0)
    row = np.concatenate([_fit(example, 256), texture, tiled, loop], axis=1).astype(np.float32)
    cv2.putText(row, name, (6, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (1, 1, 1), 2, cv2.LINE_AA)
    cv2.putText(row, name, (6, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 1, cv2.LINE_AA)
    return row


def write_sheet(rows: list[np.ndarray], path: Path) -> None:
    import cv2

    path.parent.mkdir(parents=True, exist_ok=True)
    sheet = np.concatenate(rows, axis=0)
    cv2.imwrite(str(path), (np.clip(sheet, 0, 1)[..., ::-1] * 255).astype(np.uint8))


def preset_data(name: str, model: FxModel) -> tuple[ImageSet, ImageSet | None, np.ndarray] | None:
    """(training part, held-out part, example picture) of a preset, from what its card records."""
    data = model.card.get("preset", {}).get("training_data", {})
    if "procedural" in data:
        images = load_image_set(
            make_images(data["procedural"], count=data["count"], size=data["size"], seed=data["seed"]),
            min_side=64,
        )
        fresh = load_image_set(
            make_images(data["procedural"], count=data["count"], size=data["size"], seed=data["seed"] + 1000),
            min_side=64,
        )
        return images, fresh, images.images[0]  # held out: procedural images never trained on
    if name in EXAMPLES and (DATA / EXAMPLES[name]).is_file():
        full = load_image_set(DATA / EXAMPLES[name], min_side=64)
        if data.get("held_out"):
            train_set, held = split_held_out(full)
            return train_set, held, full.images[0]
        return full, None, full.images[0]
    print(f"skip {name}: its training data ({data or 'not recorded'}) is not here", flush=True)
    return None


def write_results(results: dict[str, object]) -> None:
    """Rewrite bench/out/fx_results.json after every row, so a long run keeps what it measured."""
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"fx_results{RESULT_SUFFIX[0]}.json").write_text(json.dumps(results, indent=2) + "\n")


RESULT_SUFFIX = [""]
EVAL_PATCHES = [32768]


METRIC_KEYS = ("swd", "swd_floor", "swd_shift", "swd_seen", "swd_seen_floor", "seam_ratio", "evaluated_on")


def write_cards(results_file: Path) -> None:
    """Record a presets run's measured figures (both scales) in the shipped presets' cards."""
    from ai_engine.fx.modelfile import save_model

    results = json.loads(results_file.read_text())
    rows = results["rows"]
    for row in rows:
        name = str(row["set"])
        if name not in {p.name for p in list_presets()}:
            continue
        model = resolve_model(name)
        keys = [
            *METRIC_KEYS,
            *(k.replace("swd", "swd_coarse", 1) for k in METRIC_KEYS if k.startswith("swd")),
        ]
        metrics = {key: row[key] for key in keys if key in row}
        data = model.card.get("preset", {}).get("training_data", {})
        against = "fresh procedural images (seed + 1000)" if "procedural" in data else "the held-out third"
        metrics["measured_by"] = (
            f"bench/fx.py --skip-photos ({results.get('eval_patches')} patches per level), against {against}"
        )
        card = {**model.card, "metrics": metrics}  # replaces the single-scale figures of the first cards
        save_model(resolve_preset_path(name), model.generator, card)
        print(f"{name}: card metrics updated", flush=True)


def resolve_preset_path(name: str) -> Path:
    from ai_engine.fx.catalog import preset_path

    return preset_path(name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--minutes", type=float, default=5.0, help="training time of each model on the photos"
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--skip-photos", action="store_true")
    parser.add_argument("--skip-presets", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument(
        "--eval-patches", type=int, default=32768, help="7×7 patches per pyramid level in each SWD"
    )
    parser.add_argument("--tag", default="", help="suffix of the results file (fx_results<TAG>.json)")
    parser.add_argument(
        "--cards-from", type=Path, help="only write the figures of this results file into the presets' cards"
    )
    args = parser.parse_args()
    if args.cards_from:
        write_cards(args.cards_from)
        return 0
    results: dict[str, object] = {"threads": args.threads, "rows": []}
    RESULT_SUFFIX[0] = args.tag
    EVAL_PATCHES[0] = args.eval_patches
    results["eval_patches"] = args.eval_patches
    import torch

    torch.set_num_threads(args.threads)
    rows: list[dict[str, object]] = results["rows"]  # type: ignore[assignment]
    sheet: list[np.ndarray] = []
    presets = {p.name: resolve_model(p.name) for p in list_presets()}
    if presets and not args.skip_speed:
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
    if not args.skip_photos:
        for name, (path, drift) in PHOTOS.items():
            if not path.is_file():
                print(f"skip {name}: {path} is absent", flush=True)
                continue
            train_set, held = split_held_out(load_image_set(path, min_side=64))
            ours = train_ours(train_set, args.minutes * 60, args.threads)
            baseline = train_baseline(train_set, args.minutes * 60, args.threads)
            rows.append(compare(name, ours, baseline, train_set, held, drift))
            sheet.append(sheet_row(name, load_image_set(path, min_side=64).images[0], ours, drift))
            write_results(results)
            write_sheet(sheet, OUT / f"fx_contact_sheet{args.tag}.png")
    if not args.skip_presets:
        for name, model in presets.items():
            found = preset_data(name, model)
            if found is None:
                continue
            train_set, held, example = found
            drift = usage_of(model, name).drift
            rows.append(
                compare(name, model, None, train_set, held, drift)
                | {"material": usage_of(model, name).material}
            )
            sheet.append(sheet_row(name, example, model, drift))
            write_results(results)
            write_sheet(sheet, OUT / f"fx_contact_sheet{args.tag}.png")
    write_results(results)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
