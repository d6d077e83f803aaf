"""Effects textures with a periodic spatial GAN: tileable stills, seamless loops, derived maps.

Public API (heavy modules load on first use, so importing the package is cheap)::

    from ai_engine.fx import train, load_model, resolve_model, generate_texture, generate_loop
    result = train("my_photos/", minutes=5)                 # TrainedGenerator (EMA generator + card)
    model = resolve_model("fire")                           # a preset, or a .pt path
    image = generate_texture(model, size=1024, seed=3)      # (1024, 1024, 3) float32, tiles
    for frame in generate_loop(model, size=512, frames=48): # closes without a pop
        ...

Command line: ``python -m ai_engine fx presets|train|generate`` (see ``cli.py``).
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "train": "train",
    "TrainedGenerator": "train",
    "load_model": "modelfile",
    "save_model": "modelfile",
    "FxModel": "modelfile",
    "resolve_model": "presets",
    "list_presets": "catalog",
    "generate_texture": "generate",
    "generate_loop": "generate",
    "SpatialGANConfig": "models",
    "DCGANConfig": "dcgan",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'ai_engine.fx' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
