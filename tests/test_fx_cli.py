"""ai_engine.fx.cli through ``python -m ai_engine fx``: presets, train, generate, JSON errors."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from fx_helpers import TINY, stripes

from ai_engine.__main__ import main


def _json(capsys: pytest.CaptureFixture[str]) -> dict:  # type: ignore[type-arg]
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_presets_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fx", "presets", "--json"]) == 0
    assert "presets" in _json(capsys)


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
    card = _json(capsys)["card"]
    assert card["steps"] == 2 and card["metrics"]["swd"] > 0 and out.with_suffix(".png").is_file()
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
    assert code == 0 and len(_json(capsys)["frames"]) == 3


def test_errors_are_json_with_a_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    code = main(["fx", "train", str(tmp_path / "empty"), "--out", str(tmp_path / "m.pt"), "--json"])
    assert code == 1 and _json(capsys)["error"]["type"] == "BadImageSet"
