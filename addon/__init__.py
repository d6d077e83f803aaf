"""Clapper: motion capture, GAN effects textures and shot cuts for Blender.

register()/unregister() only. Each module is registered in the order below: through its own
``register()``/``unregister()`` when it has them (properties, cli, panels with previews), else its
``classes`` tuple is registered in order and unregistered in reverse.
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
            _register_module(module)
            _registered.append(module)
    except Exception:
        unregister()  # leave nothing half-registered
        raise


def unregister() -> None:
    while _registered:
        _unregister_module(_registered.pop())


def _register_module(module: ModuleType) -> None:
    if hasattr(module, "register"):
        module.register()
        return
    import bpy

    for cls in module.classes:
        bpy.utils.register_class(cls)


def _unregister_module(module: ModuleType) -> None:
    if hasattr(module, "unregister"):
        module.unregister()
        return
    import bpy

    for cls in reversed(module.classes):
        if getattr(cls, "is_registered", True):
            bpy.utils.unregister_class(cls)
