"""Clapper: motion capture, GAN effects textures and shot cuts for Blender.

register()/unregister() only. The layout: ``core/`` (job operator, worker client, preferences,
compat, panel pieces, batch helpers) and one folder per feature mirroring ``ai_engine/<feature>/``
(``footage``, ``cuts``, ``capture``, ``retarget``, ``fx``), each with its ``properties``,
``operators``, ``panel``, readers of Blender data (``read_*``), writers of results (``write*``) and
its batch verb (``batch``). Each module is registered in the order below: through its own
``register()``/``unregister()`` when it has them (properties, cli, panels with previews), else its
``classes`` tuple is registered in order and unregistered in reverse.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# Order matters: properties before the operators and panels that use them; panels in the order they
# stack in the sidebar (Capture above Retarget); cli last. Nothing here imports the engine: the
# engine is imported when a job runs, so the add-on registers (and its panels say what is missing)
# in a Blender whose Python cannot import ``ai_engine``.
_MODULES: tuple[str, ...] = (
    "core.preferences",
    "properties",
    "core.engine",
    "footage.operators",
    "retarget.operators",
    "capture.operators",
    "cuts.operators",
    "fx.operators",
    "scenes.operators",
    "footage.panel",
    "cuts.panel",
    "capture.panel",
    "retarget.panel",
    "fx.panel",
    "fx.panel_shader",
    "scenes.panel",
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
