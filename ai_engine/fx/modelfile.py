"""FX model files: a generator's ``state_dict`` saved with ``torch.save`` plus a JSON card.

``MODEL.pt`` holds ``{"format", "version", "card" (JSON text), "state_dict"}``; ``MODEL.json``
beside it repeats the card for people and file browsers. Loading uses ``weights_only=True`` only,
so a file cannot run code; anything that is not a Clapper FX model is refused with ``BadModelFile``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..errors import BadModelFile
from .contract import DCGAN, SPATIAL
from .dcgan import DCGANConfig, DCGANGenerator
from .models import SpatialGANConfig, SpatialGenerator

MODEL_FORMAT = "clapper-fx-model"
CHECKPOINT_FORMAT = "clapper-fx-checkpoint"
FORMAT_VERSION = 1


@dataclass
class FxModel:
    """A loaded generator and its card (architecture, config, training data digest, metrics …)."""

    generator: nn.Module
    card: dict[str, Any]

    @property
    def architecture(self) -> str:
        return str(self.card["architecture"])


def build_generator(architecture: str, config: dict[str, Any]) -> nn.Module:
    """A fresh generator of ``architecture`` from its JSON config.

    Raises:
        BadModelFile: for an unknown architecture or a config that does not build.
    """
    try:
        if architecture == SPATIAL:
            return SpatialGenerator(config=SpatialGANConfig.from_json(config))
        if architecture == DCGAN:
            return DCGANGenerator(config=DCGANConfig.from_json(config))
    except (TypeError, ValueError) as exc:
        raise BadModelFile(
            f"The model's config does not build a {architecture} ({exc}); retrain it."
        ) from exc
    raise BadModelFile(
        f"Unknown architecture {architecture!r}; this Clapper reads {SPATIAL!r} and {DCGAN!r}."
    )


def atomic_torch_save(payload: dict[str, Any], path: Path) -> None:
    """Write with ``torch.save`` to a temporary file, then rename: a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".partial")
    torch.save(payload, temporary)
    os.replace(temporary, path)


def save_model(path: str | Path, generator: nn.Module, card: dict[str, Any]) -> Path:
    """Save a generator and its card as ``path`` (+ ``path`` with suffix ``.json``).

    Returns:
        The model file's path.
    """
    path = Path(path)
    state = {k: v.detach().cpu().clone() for k, v in generator.state_dict().items()}
    atomic_torch_save(
        {"format": MODEL_FORMAT, "version": FORMAT_VERSION, "card": json.dumps(card), "state_dict": state},
        path,
    )
    path.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return path


def read_payload(path: str | Path, expected_format: str) -> dict[str, Any]:
    """``torch.load(weights_only=True)`` a Clapper file and check its format tag.

    Raises:
        BadModelFile: missing, unreadable, corrupt, not a Clapper file or of another format.
    """
    path = Path(path)
    if not path.is_file():
        raise BadModelFile(f"Model file {path} does not exist; pick a .pt file made by Clapper's Train.")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for corrupt or pickled-code files
        raise BadModelFile(
            f"{path.name} is not a Clapper FX model (unreadable, corrupt, or it holds code, which is never "
            f"run): {type(exc).__name__}. Pick a .pt file made by Clapper's Train."
        ) from exc
    if not isinstance(payload, dict) or payload.get("format") != expected_format:
        raise BadModelFile(
            f"{path.name} is a torch file but not a Clapper {expected_format}; pick one made by Clapper."
        )
    if int(payload.get("version", 0)) > FORMAT_VERSION:
        raise BadModelFile(
            f"{path.name} was made by a newer Clapper (format {payload.get('version')}); update Clapper."
        )
    return payload


def load_model(path: str | Path, *, device: torch.device | str = "cpu") -> FxModel:
    """Load a model file into a generator in eval mode.

    Raises:
        BadModelFile: see ``read_payload``; also a card or weights that do not match.
    """
    payload = read_payload(path, MODEL_FORMAT)
    try:
        card = json.loads(payload["card"])
        generator = build_generator(str(card["architecture"]), dict(card["config"]))
        generator.load_state_dict(payload["state_dict"], strict=True)
    except BadModelFile:
        raise
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise BadModelFile(
            f"{Path(path).name}: its card or weights do not match ({exc}); retrain the model."
        ) from exc
    generator.to(device).eval()
    return FxModel(generator=generator, card=card)
