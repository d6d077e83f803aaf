"""The built-in presets as files: names, usage, cards and thumbnails — without importing torch.

The add-on reads this module in Blender's UI (enum items, preview icons), so it only touches
``json`` and ``pathlib``. Each preset is ``presets/NAME.pt`` (weights + card), ``NAME.json`` (the card)
and ``NAME.png`` (a thumbnail). What a preset is *for* (material kind, drift of its loops, emission
peak) is fixed here, next to the procedural data it was trained on.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

PRESETS_DIR = Path(__file__).resolve().parent / "presets"


@dataclass(frozen=True)
class PresetInfo:
    """How a preset is used: ``material`` is ``"emission"`` (emission + alpha) or ``"surface"``
    (principled BSDF with normal and roughness); ``drift`` is whole tiles per loop along (x, y)."""

    label: str
    description: str
    material: str
    drift: tuple[int, int] = (0, 0)
    emission_peak: float = 1.0


PRESETS: dict[str, PresetInfo] = {
    "fire": PresetInfo("Fire", "flame tongues, rising", "emission", (0, -1), 8.0),
    "smoke": PresetInfo("Smoke", "soft wisps, drifting up", "emission", (0, -1), 1.0),
    "magic": PresetInfo("Magic energy", "violet filaments with sparks", "emission", (0, 0), 6.0),
    "caustics": PresetInfo("Caustics", "light on a pool floor", "surface", (1, 0), 3.0),
    "grunge": PresetInfo("Grunge", "stains, grain and scratches", "surface", (0, 0), 1.0),
}


def preset_path(name: str) -> Path:
    return PRESETS_DIR / f"{name}.pt"


def list_presets() -> list[dict[str, Any]]:
    """Names, usage and cards of the presets shipped with this build (those whose file exists)."""
    result = []
    for name, info in PRESETS.items():
        path = preset_path(name)
        if not path.is_file():
            continue
        card_path = path.with_suffix(".json")
        card = json.loads(card_path.read_text(encoding="utf-8")) if card_path.is_file() else {}
        thumbnail = path.with_suffix(".png")
        result.append(
            {
                "name": name,
                **asdict(info),
                "model": str(path),
                "thumbnail": str(thumbnail) if thumbnail.is_file() else None,
                "card": card,
            }
        )
    return result
