"""ai_engine.fx.jobs through the worker's in-process runner: presets, generate, train, bad inputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from fx_helpers import TINY, stripes

from ai_engine.errors import BadImageSet, BadModelFile, Cancelled
from ai_engine.fx.modelfile import SPATIAL, save_model
from ai_engine.fx.models import SpatialGenerator, init_weights
from ai_engine.fx.presets import list_presets
from ai_engine.worker import JobContext, run_job


def _ctx(tmp_path: Path, stop_after: int | None = None) -> JobContext:
    calls = {"n": 0}

    def should_stop() -> bool:
        calls["n"] += 1
        return stop_after is not None and calls["n"] > stop_after

    return JobContext(
        workdir=tmp_path, progress=lambda f, m: None, should_stop=should_stop, warn=lambda m: None
    )


def _tiny_model(tmp_path: Path) -> Path:
    generator = SpatialGenerator(config=TINY)
    generator.apply(init_weights)
    return save_model(tmp_path / "tiny.pt", generator, {"architecture": SPATIAL, "config": TINY.to_json()})


def test_presets_job_lists_the_shipped_presets(tmp_path: Path) -> None:
    result = run_job("fx.presets", {}, _ctx(tmp_path))
    names = {p["name"] for p in result["presets"]}
    assert names == {p["name"] for p in list_presets()}
    for preset in result["presets"]:
        assert Path(preset["model"]).stat().st_size <= 5 * 1024 * 1024
        assert preset["card"]["architecture"] == SPATIAL


def test_generate_still_with_maps_from_a_model_file(tmp_path: Path) -> None:
    request: dict[str, Any] = {
        "model": str(_tiny_model(tmp_path)),
        "size": 96,
        "out_dir": str(tmp_path / "out"),
    }
    result = run_job("fx.generate", request, _ctx(tmp_path))
    assert result["material"] == "surface" and set(result["files"]) == {"color", "normal", "roughness"}
    color = cv2.imread(result["files"]["color"], cv2.IMREAD_UNCHANGED)
    assert color.shape == (96, 96, 3)


def test_generate_loop_of_an_emissive_preset_writes_rgba_frames(tmp_path: Path) -> None:
    if not list_presets():
        pytest.skip("no preset is shipped in this build yet")
    name = "fire" if any(p["name"] == "fire" for p in list_presets()) else list_presets()[0]["name"]
    request = {"model": name, "size": 64, "frames": 4, "out_dir": str(tmp_path / "loop")}
    result = run_job("fx.generate", request, _ctx(tmp_path))
    assert [Path(f).name for f in result["frames"]] == [f"{name}_{i:04d}.png" for i in range(1, 5)]


def test_generate_refuses_unknown_and_corrupt_models(tmp_path: Path) -> None:
    with pytest.raises(BadModelFile, match="neither a preset"):
        run_job("fx.generate", {"model": "no-such-thing"}, _ctx(tmp_path))
    corrupt = tmp_path / "corrupt.pt"
    corrupt.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(BadModelFile):
        run_job("fx.generate", {"model": str(corrupt)}, _ctx(tmp_path))


def test_train_job_refuses_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(BadImageSet, match="empty"):
        run_job(
            "fx.train",
            {"images": str(tmp_path / "empty"), "out": str(tmp_path / "m.pt")},
            _ctx(tmp_path),
        )


def test_train_job_cancel_leaves_a_checkpoint(tmp_path: Path) -> None:
    images = tmp_path / "images"
    images.mkdir()
    assert cv2.imwrite(str(images / "a.png"), (stripes(160) * 255).astype(np.uint8))
    request = {"images": str(images), "out": str(tmp_path / "m.pt"), "minutes": 5}
    with pytest.raises(Cancelled):
        run_job("fx.train", request, _ctx(tmp_path, stop_after=2))
    assert (tmp_path / "m.ckpt").is_file() and not (tmp_path / "m.pt").exists()
