"""ai_engine.fx.cli through ``python -m ai_engine fx``: presets, train, generate, JSON errors."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from fx_helpers import TINY, stripes

from ai_engine.__main__ import main
from ai_engine.fx.contract import PRESET_NAMES, GenerateResult, PresetsResult, TrainResult


def _json(capsys: pytest.CaptureFixture[str]) -> dict:  # type: ignore[type-arg]
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_presets_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fx", "presets", "--json"]) == 0
    listed = PresetsResult.from_dict(_json(capsys))
    assert tuple(p.name for p in listed.presets) == PRESET_NAMES


def test_train_then_generate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    images = tmp_path / "images"
    images.mkdir()
    assert cv2.imwrite(str(images / "a.png"), (stripes(96) * 255).astype(np.uint8))
    out = tmp_path / "model.pt"
    code = main(
        [
            "fx",
            "train",
            str(images),
            "--out",
            str(out),
            "--steps",
            "2",
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
    )
    assert code == 0
    trained = TrainResult.from_dict(_json(capsys))
    assert trained.steps == 2 and trained.metrics.swd > 0 and trained.thumbnail.is_file()
    card = json.loads(trained.card.read_text())
    assert card["steps"] == 2 and card["config"] == TINY.to_json()  # --config is honoured
    code = main(
        [
            "fx",
            "generate",
            str(out),
            "--size",
            "64",
            "--frames",
            "3",
            "--out",
            str(tmp_path / "gen"),
            "--json",
        ]
    )
    generated = GenerateResult.from_dict(_json(capsys))
    assert code == 0 and [f.name for f in generated.frames] == [f"model_{i:04d}.png" for i in (1, 2, 3)]
    assert all(f.is_file() for f in generated.frames)


def test_errors_are_json_with_a_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    code = main(["fx", "train", str(tmp_path / "empty"), "--out", str(tmp_path / "m.pt"), "--json"])
    assert code == 1 and _json(capsys)["error"]["type"] == "BadImageSet"
