"""ai_engine.fx.train: deterministic seeds, progress, previews, cancel keeps a resumable checkpoint, DDP."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from fx_helpers import TINY, stripes

from ai_engine.errors import BadImageSet, BadModelFile, Cancelled
from ai_engine.fx.dcgan import DCGANConfig
from ai_engine.fx.modelfile import DCGAN, load_model
from ai_engine.fx.train import train

REPO = Path(__file__).resolve().parents[1]


def _run(tmp_path: Path, **kwargs):  # type: ignore[no-untyped-def]
    return train([stripes(64)], config=TINY, crop=32, batch_size=2, threads=1, **kwargs)


def test_same_seed_same_weights_and_progress_previews() -> None:
    seen: list[float] = []
    previews: list[tuple[tuple[int, ...], int]] = []
    a = train(
        [stripes(64)],
        config=TINY,
        crop=32,
        batch_size=2,
        max_steps=3,
        seed=5,
        threads=1,
        progress=lambda f, m: seen.append(f),
        preview_every=0.0,
        on_preview=lambda image, step: previews.append((image.shape, step)),
    )
    b = train([stripes(64)], config=TINY, crop=32, batch_size=2, max_steps=3, seed=5, threads=1)
    for key, value in a.generator.state_dict().items():
        assert torch.equal(value, b.generator.state_dict()[key]), key
    assert a.steps == 3 and seen[-1] == pytest.approx(1.0)
    assert previews and previews[-1][0] == (256, 256, 3)
    assert a.card["training_images"]["sha256"] and a.card["images_per_second"] > 0


def test_cancel_mid_training_keeps_a_resumable_checkpoint(tmp_path: Path) -> None:
    checkpoint = tmp_path / "run.ckpt"
    calls = {"n": 0}

    def stop_after_two_steps() -> bool:
        calls["n"] += 1
        return calls["n"] > 3  # checked once before each step

    with pytest.raises(Cancelled):
        _run(tmp_path, max_steps=100, checkpoint=checkpoint, should_stop=stop_after_two_steps, seed=1)
    payload = torch.load(checkpoint, weights_only=True)
    assert payload["step"] == 3
    resumed = _run(tmp_path, max_steps=5, resume=checkpoint, seed=1)
    straight = _run(tmp_path, max_steps=5, seed=1)
    assert resumed.steps == 5
    for key, value in resumed.generator.state_dict().items():  # resume = never stopped
        assert torch.allclose(value, straight.generator.state_dict()[key], atol=1e-6), key


def test_resume_with_another_config_is_refused(tmp_path: Path) -> None:
    checkpoint = tmp_path / "run.ckpt"
    _run(tmp_path, max_steps=1, checkpoint=checkpoint)
    with pytest.raises(BadModelFile, match="another architecture"):
        train(
            [stripes(64)],
            architecture=DCGAN,
            config=DCGANConfig(ngf=4, ndf=4),
            batch_size=2,
            max_steps=1,
            resume=checkpoint,
        )


def test_images_smaller_than_the_crop_are_refused() -> None:
    with pytest.raises(BadImageSet, match="smaller than the 64 px"):
        train([stripes(40)], config=TINY, crop=64, max_steps=1)


def test_dcgan_baseline_trains() -> None:
    result = train(
        [stripes(64)],
        architecture=DCGAN,
        config=DCGANConfig(ngf=4, ndf=4),
        batch_size=2,
        max_steps=2,
        threads=1,
    )
    assert result.steps == 2 and result.card["architecture"] == DCGAN


@pytest.mark.slow  # two torchrun processes, each importing torch and the engine
@pytest.mark.skipif(
    shutil.which("torchrun") is None and not (Path(sys.executable).parent / "torchrun").exists(),
    reason="torchrun is not installed next to this Python",
)
def test_distributed_data_parallel_two_cpu_processes(tmp_path: Path) -> None:
    images = tmp_path / "images"
    images.mkdir()
    assert cv2.imwrite(str(images / "a.png"), (stripes(64) * 255).astype(np.uint8))
    out = tmp_path / "ddp.pt"
    torchrun = shutil.which("torchrun") or str(Path(sys.executable).parent / "torchrun")
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    command = [
        torchrun,
        "--standalone",
        "--nproc_per_node",
        "2",
        "-m",
        "ai_engine",
        "fx",
        "train",
        str(images),
        "--out",
        str(out),
        "--steps",
        "3",
        "--crop",
        "32",
        "--batch-size",
        "2",
        "--threads",
        "1",
        "--config",
        json.dumps(TINY.to_json()),
        "--eval-patches",
        "512",
        "--json",
    ]
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240, cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr[-3000:]
    model = load_model(out)
    assert model.card["processes"] == 2 and model.card["steps"] == 3


# Per-tensor sums of |weights| after seeded runs of ``train`` as it was before its split into
# gan_step + TrainingState (commit 1ed10cb, torch 2.13.0 CPU, 1 thread): the split changes no result.
BEFORE_THE_SPLIT = {
    "spatial": {
        "waves.net.0.weight": 34.1460466,
        "waves.net.0.bias": 7.725869,
        "waves.net.2.weight": 11.5602973,
        "waves.net.2.bias": 0.3122094,
        "blocks.0.up.conv.weight": 22.5019022,
        "blocks.0.norm.weight": 15.9370877,
        "blocks.0.norm.bias": 0.0111767,
        "blocks.0.norm.running_mean": 0.1807302,
        "blocks.0.norm.running_var": 10.6435406,
        "blocks.1.up.conv.weight": 18.3408009,
        "blocks.1.norm.weight": 7.9804513,
        "blocks.1.norm.bias": 0.0109148,
        "blocks.1.norm.running_mean": 0.2191483,
        "blocks.1.norm.running_var": 5.3018668,
        "to_image.conv.weight": 3.7886793,
        "to_image.conv.bias": 0.0040587,
    },
    "dcgan": {
        "main.0.weight": 823.032145,
        "main.1.weight": 31.9800448,
        "main.1.bias": 0.0236231,
        "main.1.running_mean": 0.1353718,
        "main.1.running_var": 23.6652601,
        "main.3.weight": 132.2821793,
        "main.4.weight": 15.9660994,
        "main.4.bias": 0.011005,
        "main.4.running_mean": 0.0815055,
        "main.4.running_var": 11.7440662,
        "main.6.weight": 32.2540053,
        "main.7.weight": 7.9081658,
        "main.7.bias": 0.0063061,
        "main.7.running_mean": 0.0631751,
        "main.7.running_var": 5.8584823,
        "main.9.weight": 8.6144922,
        "main.10.weight": 3.9966649,
        "main.10.bias": 0.001021,
        "main.10.running_mean": 0.0282882,
        "main.10.running_var": 2.9234446,
        "main.12.weight": 2.8636527,
    },
}


def _fingerprint(module: torch.nn.Module) -> dict[str, float]:
    return {k: float(v.double().abs().sum()) for k, v in module.state_dict().items() if v.is_floating_point()}


def test_seeded_runs_give_the_weights_they_gave_before_the_split() -> None:
    spatial = train([stripes(64)], config=TINY, crop=32, batch_size=2, max_steps=4, seed=3, threads=1)
    dcgan = train(
        [stripes(64)],
        architecture=DCGAN,
        config=DCGANConfig(ngf=4, ndf=4),
        batch_size=2,
        max_steps=3,
        seed=2,
        threads=1,
    )
    for name, model in (("spatial", spatial.generator), ("dcgan", dcgan.generator)):
        now = _fingerprint(model)
        assert set(now) == set(BEFORE_THE_SPLIT[name])
        for key, value in BEFORE_THE_SPLIT[name].items():
            assert now[key] == pytest.approx(value, rel=1e-6, abs=1e-6), (name, key)
