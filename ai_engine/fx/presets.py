"""Resolving "preset or model file" to a loaded model, and the usage (material kind, drift) of either.

The catalogue of presets itself lives in ``catalog.py`` (no torch import, the add-on reads it).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import BadModelFile
from .catalog import USAGE, PresetInfo, list_presets, preset_path, usage_from_card
from .contract import PRESET_NAMES, PRESETS_DIR
from .modelfile import FxModel, load_model

__all__ = [
    "PRESETS_DIR",
    "PRESET_NAMES",
    "USAGE",
    "PresetInfo",
    "list_presets",
    "preset_path",
    "resolve_model",
    "usage_of",
]


def usage_of(model: FxModel, name_or_path: str) -> PresetInfo:
    """The usage of a model: a preset's, the one recorded in its card, or a plain surface."""
    if name_or_path in PRESET_NAMES:
        return usage_from_card(name_or_path, model.card)
    recorded = model.card.get("preset")
    name = recorded.get("name") if isinstance(recorded, dict) else None
    if isinstance(name, str) and (name in USAGE or recorded.get("material")):  # type: ignore[union-attr]
        return usage_from_card(name, model.card)
    return PresetInfo(label=Path(name_or_path).stem, description="trained model", material="surface")


def resolve_model(name_or_path: str) -> FxModel:
    """Load a preset by name, or a model file by path.

    Raises:
        BadModelFile: neither a preset name nor a readable Clapper model file.
    """
    if name_or_path in PRESET_NAMES:
        return load_model(preset_path(name_or_path))
    path = Path(name_or_path).expanduser()
    if not path.exists():
        names = ", ".join(PRESET_NAMES) or "none in this build"
        raise BadModelFile(f"{name_or_path!r} is neither a preset ({names}) nor an existing model file.")
    return load_model(path)
