"""The built-in presets as files: names, usage, cards and thumbnails — without importing torch.

The add-on reads this module in Blender's UI (enum items, preview icons), so it only touches
``json`` and ``pathlib``. Each preset is ``presets/NAME.pt`` (weights + card), ``NAME.json`` (the card)
and ``NAME.png`` (a thumbnail). What a preset is *for* (material kind, drift of its loops, emission
peak) is recorded in its card's ``preset`` section when it is trained; ``USAGE`` below gives it for
every preset Clapper knows how to train.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .contract import PRESET_NAMES, PRESETS_DIR, Metrics, Preset


@dataclass(frozen=True)
class PresetInfo:
    """How a preset is used: ``material`` is ``"emission"`` (emission + alpha) or ``"surface"``
    (principled BSDF with normal and roughness); ``drift`` is whole tiles per loop along (x, y)."""

    label: str
    description: str
    material: str
    drift: tuple[int, int] = (0, 0)
    emission_peak: float = 1.0

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "description": self.description,
            "material": self.material,
            "drift": list(self.drift),
            "emission_peak": self.emission_peak,
        }


USAGE: dict[str, PresetInfo] = {
    "fire": PresetInfo("Fire", "flame tongues, rising", "emission", (0, -1), 8.0),
    "smoke": PresetInfo("Smoke", "soft wisps, drifting up", "emission", (0, -1), 1.0),
    "magic": PresetInfo("Magic energy", "violet filaments with sparks", "emission", (0, 0), 6.0),
    "caustics": PresetInfo("Caustics", "light on a pool floor", "surface", (1, 0), 3.0),
    "grunge": PresetInfo("Grunge", "stains, grain and scratches", "surface", (0, 0), 1.0),
    "lightning": PresetInfo("Lightning", "forked bolts on a night sky", "emission", (0, 0), 10.0),
}

# The real example each preset is trained on, under the shared texture data (licence in its
# MANIFEST.md: embark MIT/Apache-2.0, gimp GPL-3+); presets without one are trained on ``procedural``.
EXAMPLES: dict[str, str] = {
    "smoke": "embark/smoke_smoke_dark.png",
    "caustics": "embark/1.jpg",
    "lightning": "gimp/Sky_lightning.png",
}
PRESETS = USAGE  # the name the CLI and the benchmark used before the house plan


def preset_path(name: str) -> Path:
    return PRESETS_DIR / f"{name}.pt"


def read_card(path: Path) -> dict[str, Any]:
    """A model card (``.json``) as written by training; {} when the file is absent."""
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def usage_from_card(name: str, card: dict[str, Any]) -> PresetInfo:
    """The usage recorded in a card's ``preset`` section, else the built-in one, else a plain surface."""
    recorded = card.get("preset")
    if isinstance(recorded, dict) and recorded.get("material"):
        base = USAGE.get(name)
        return PresetInfo(
            label=str(recorded.get("label") or (base.label if base else name.title())),
            description=str(recorded.get("description") or (base.description if base else "")),
            material=str(recorded["material"]),
            drift=(int(recorded.get("drift", (0, 0))[0]), int(recorded.get("drift", (0, 0))[1])),
            emission_peak=float(recorded.get("emission_peak", 1.0)),
        )
    if name in USAGE:
        return USAGE[name]
    return PresetInfo(label=name, description="trained model", material="surface")


def list_presets() -> tuple[Preset, ...]:
    """The presets shipped with this build (``PRESET_NAMES``), with their usage and files."""
    presets = []
    for name in PRESET_NAMES:
        path = preset_path(name)
        card_path = path.with_suffix(".json")
        card = read_card(card_path)
        usage = usage_from_card(name, card)
        thumbnail = path.with_suffix(".png")
        presets.append(
            Preset(
                name=name,
                label=usage.label,
                description=usage.description,
                material=usage.material,
                drift=usage.drift,
                emission_peak=usage.emission_peak,
                model=path,
                card=card_path,
                thumbnail=thumbnail if thumbnail.is_file() else None,
                metrics=Metrics.from_card(card),
            )
        )
    return tuple(presets)
