"""Clapper: motion capture, GAN effects textures and shot cuts for Blender.

register()/unregister() only; each module registers its own classes, in this order.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# Order matters: properties before the operators and panels that use them; cli last.
_MODULES: tuple[str, ...] = (
    "preferences",
    "properties",
    "operators.engine",
    "operators.footage",
    "operators.retarget",
    "operators.mocap",
    "operators.cuts",
    "operators.fx",
    "panels.sequencer",
    "panels.sequencer_cuts",
    "panels.view3d",
    "panels.image",
    "panels.shader",
    "cli",
)

_registered: list[ModuleType] = []


def register() -> None:
    if _registered:  # a second register() without unregister() in between
        return
    try:
        for name in _MODULES:
            module = importlib.import_module(f".{name}", __package__)
            module.register()
            _registered.append(module)
    except Exception:
        unregister()  # leave nothing half-registered
        raise


def unregister() -> None:
    while _registered:
        _registered.pop().unregister()
