"""ai_engine.fx.modelfile: round trip; corrupt, foreign and code-carrying files are refused unexecuted."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
import torch
from fx_helpers import TINY

from ai_engine.errors import BadModelFile
from ai_engine.fx.modelfile import SPATIAL, load_model, save_model
from ai_engine.fx.models import SpatialGenerator, init_weights


def _saved(tmp_path: Path) -> Path:
    generator = SpatialGenerator(config=TINY)
    generator.apply(init_weights)
    card = {"architecture": SPATIAL, "config": TINY.to_json(), "steps": 0}
    return save_model(tmp_path / "model.pt", generator, card)


def test_round_trip_keeps_weights_and_card(tmp_path: Path) -> None:
    path = _saved(tmp_path)
    model = load_model(path)
    assert model.architecture == SPATIAL and model.card["config"] == TINY.to_json()
    assert path.with_suffix(".json").is_file()
    original = torch.load(path, weights_only=True)["state_dict"]
    for key, value in model.generator.state_dict().items():
        assert torch.equal(value, original[key])


def test_truncated_file_is_refused(tmp_path: Path) -> None:
    path = _saved(tmp_path)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(BadModelFile, match="not a Clapper FX model"):
        load_model(path)


class _Payload:
    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.touch, (Path(self.marker),))  # type: ignore[attr-defined]


def test_pickled_code_is_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    payload = _Payload()
    payload.marker = str(marker)  # type: ignore[attr-defined]
    path = tmp_path / "evil.pt"
    with path.open("wb") as handle:
        pickle.dump({"format": "clapper-fx-model", "state_dict": payload}, handle)
    with pytest.raises(BadModelFile):
        load_model(path)
    assert not marker.exists()


def test_foreign_torch_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(3)}, path)
    with pytest.raises(BadModelFile, match="not a Clapper"):
        load_model(path)


def test_mismatched_weights_are_refused(tmp_path: Path) -> None:
    path = _saved(tmp_path)
    payload = torch.load(path, weights_only=True)
    payload["state_dict"].pop(next(iter(payload["state_dict"])))
    torch.save(payload, path)
    with pytest.raises(BadModelFile, match="do not match"):
        load_model(path)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadModelFile, match="does not exist"):
        load_model(tmp_path / "nothing.pt")
