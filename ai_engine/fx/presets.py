"""Resolving "preset or model file" to a loaded model, and the usage (material kind, drift) of either.

The catalogue of presets itself lives in ``catalog.py`` (no torch import, the add-on reads it).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BadModelFile
from . import onnx_model
from .catalog import USAGE, PresetInfo, list_presets, preset_path, usage_from_card
from .contract import PRESET_NAMES, PRESETS_DIR

if TYPE_CHECKING:
    from .modelfile import FxModel
    from .onnx_model import OnnxFxModel

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


def usage_of(model: FxModel | OnnxFxModel, name_or_path: str) -> PresetInfo:
    """The usage of a model: a preset's, the one recorded in its card, or a plain surface."""
    if name_or_path in PRESET_NAMES:
        return usage_from_card(name_or_path, model.card)
    recorded = model.card.get("preset")
    name = recorded.get("name") if isinstance(recorded, dict) else None
    if isinstance(name, str) and (name in USAGE or recorded.get("material")):  # type: ignore[union-attr]
        return usage_from_card(name, model.card)
    return PresetInfo(label=Path(name_or_path).stem, description="trained model", material="surface")


def resolve_model(name_or_path: str) -> FxModel | OnnxFxModel:
    """Load a preset by name, or a model file by path — on PyTorch, or a preset's ONNX export on ONNX
    Runtime where this build has no PyTorch (``onnx_model.runtime``).

    Raises:
        BadModelFile: neither a preset name nor a readable Clapper model file.
        MissingRuntime: a model file where this build has no PyTorch (with what to install).
    """
    path = Path(name_or_path).expanduser()
    if name_or_path not in PRESET_NAMES and not path.exists():
        names = ", ".join(PRESET_NAMES) or "none in this build"
        raise BadModelFile(f"{name_or_path!r} is neither a preset ({names}) nor an existing model file.")
    if onnx_model.runtime(name_or_path) == "onnx":
        return onnx_model.load_preset(name_or_path)
    from .modelfile import load_model

    return load_model(preset_path(name_or_path) if name_or_path in PRESET_NAMES else path)
