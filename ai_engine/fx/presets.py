"""Resolving "preset or model file" to a loaded model, and the usage (material kind, drift) of either.

The catalogue of presets itself lives in ``catalog.py`` (no torch import, the add-on reads it).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import BadModelFile
from .catalog import PRESETS, PRESETS_DIR, PresetInfo, list_presets, preset_path
from .modelfile import FxModel, load_model

__all__ = ["PRESETS", "PRESETS_DIR", "PresetInfo", "list_presets", "preset_path", "resolve_model", "usage_of"]


def usage_of(model: FxModel, name_or_path: str) -> PresetInfo:
    """The preset usage of a model: its preset's, the one recorded in its card, or a plain surface."""
    if name_or_path in PRESETS:
        return PRESETS[name_or_path]
    recorded = model.card.get("preset")
    if isinstance(recorded, dict) and recorded.get("name") in PRESETS:
        return PRESETS[recorded["name"]]
    return PresetInfo(label=Path(name_or_path).stem, description="trained model", material="surface")


def resolve_model(name_or_path: str) -> FxModel:
    """Load a preset by name, or a model file by path.

    Raises:
        BadModelFile: neither a preset name nor a readable Clapper model file.
    """
    if name_or_path in PRESETS:
        if not preset_path(name_or_path).is_file():
            raise BadModelFile(f"Preset {name_or_path!r} is not part of this build; reinstall Clapper.")
        return load_model(preset_path(name_or_path))
    path = Path(name_or_path).expanduser()
    if not path.exists():
        names = ", ".join(PRESETS)
        raise BadModelFile(f"{name_or_path!r} is neither a preset ({names}) nor an existing model file.")
    return load_model(path)
