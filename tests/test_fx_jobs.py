"""ai_engine.fx.jobs through the worker's in-process runner: presets, generate, train, bad inputs."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from fx_helpers import TINY, stripes

from ai_engine.contract import BadRequest
from ai_engine.errors import BadImageSet, BadModelFile, Cancelled
from ai_engine.fx.catalog import read_card
from ai_engine.fx.contract import (
    GENERATE,
    PRESET_NAMES,
    PRESETS,
    TRAIN,
    GenerateRequest,
    GenerateResult,
    PresetsRequest,
    TrainRequest,
)
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
    result = run_job(PRESETS, PresetsRequest(), _ctx(tmp_path))
    assert tuple(p.name for p in result.presets) == PRESET_NAMES
    assert set(PRESET_NAMES) == {p.stem for p in (Path(list_presets()[0].model).parent).glob("*.pt")}
    for preset in result.presets:
        assert preset.model.stat().st_size <= 5 * 1024 * 1024
        assert read_card(preset.card)["architecture"] == SPATIAL
        assert preset.metrics is not None and preset.metrics.swd > 0 and preset.metrics.swd_floor > 0
        assert preset.material in ("emission", "surface") and preset.thumbnail is not None


def test_generate_still_with_maps_from_a_model_file(tmp_path: Path) -> None:
    request = GenerateRequest(model=str(_tiny_model(tmp_path)), size=96, out_dir=tmp_path / "out")
    result = run_job(GENERATE, request, _ctx(tmp_path))
    assert isinstance(result, GenerateResult)
    assert result.material == "surface" and set(result.files) == {"color", "normal", "roughness"}
    assert result.name == "tiny" and result.frames == ()
    color = cv2.imread(str(result.files["color"]), cv2.IMREAD_UNCHANGED)
    normal = cv2.imread(str(result.files["normal"]), cv2.IMREAD_UNCHANGED)
    assert color.shape == (96, 96, 3) and normal.shape == (96, 96, 3)
    assert color.std() > 0 and normal[..., 0].mean() > 128  # a normal map: blue (z, BGR index 0) up


def test_generate_loop_of_an_emissive_preset_writes_rgba_frames(tmp_path: Path) -> None:
    if not PRESET_NAMES:
        pytest.skip("no preset is shipped in this build yet")
    name = "fire" if "fire" in PRESET_NAMES else PRESET_NAMES[0]
    request = GenerateRequest(model=name, size=64, frames=4, out_dir=tmp_path / "loop")
    result = run_job(GENERATE, request, _ctx(tmp_path))
    assert [f.name for f in result.frames] == [f"{name}_{i:04d}.png" for i in range(1, 5)]
    frames = [cv2.imread(str(f), cv2.IMREAD_UNCHANGED) for f in result.frames]
    assert all(f.shape == (64, 64, 4) for f in frames)
    assert not np.array_equal(frames[0], frames[1])  # it moves


def test_generate_refuses_unknown_and_corrupt_models(tmp_path: Path) -> None:
    with pytest.raises(BadModelFile, match="neither a preset"):
        run_job(GENERATE, GenerateRequest(model="no-such-thing"), _ctx(tmp_path))
    corrupt = tmp_path / "corrupt.pt"
    corrupt.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(BadModelFile):
        run_job(GENERATE, GenerateRequest(model=str(corrupt)), _ctx(tmp_path))


def test_requests_are_checked_by_the_contract_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(BadRequest, match="No model given"):
        GenerateRequest(model="")
    with pytest.raises(BadRequest, match="at least 2 frames"):
        GenerateRequest(model="fire", frames=1)
    with pytest.raises(BadRequest, match="minutes"):
        TrainRequest(images=tmp_path, out=tmp_path / "m.pt", minutes=0)
    with pytest.raises(BadRequest, match="no field 'steps'"):  # a misspelt field from a caller
        run_job(GENERATE, {"model": "fire", "steps": 3}, _ctx(tmp_path))


def test_train_job_refuses_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(BadImageSet, match="empty"):
        run_job(TRAIN, TrainRequest(images=tmp_path / "empty", out=tmp_path / "m.pt"), _ctx(tmp_path))


def test_train_job_cancel_leaves_a_checkpoint(tmp_path: Path) -> None:
    images = tmp_path / "images"
    images.mkdir()
    assert cv2.imwrite(str(images / "a.png"), (stripes(160) * 255).astype(np.uint8))
    request = TrainRequest(images=images, out=tmp_path / "m.pt", minutes=5)
    with pytest.raises(Cancelled):
        run_job(TRAIN, request, _ctx(tmp_path, stop_after=2))
    assert (tmp_path / "m.ckpt").is_file() and not (tmp_path / "m.pt").exists()
