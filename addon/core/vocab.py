"""Enum items that come from the engine's vocabularies, without importing the engine at registration.

Each feature's vocabulary (detectors, export formats, presets …) is one tuple in its
``ai_engine/<feature>/contract.py``. The add-on's EnumProperties read that tuple the first time a
menu is drawn (a dynamic ``items`` callback), so registering the add-on imports nothing of the
engine, and a Blender without the engine still draws the panel (the menu then offers one item that
says so)::

    detector: bpy.props.EnumProperty(name="Detector", items=engine_items("ai_engine.cuts.contract",
                                     "DETECTORS", labels=DETECTOR_LABELS), default=0)

Identifiers are the engine's own words (``"auto"``), so ``props.detector`` goes into a request as is.
Blender keeps only references to the strings of dynamic items: the lists are cached here for the
life of the add-on, as its documentation asks.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

EnumItems = list[tuple[str, str, str]]
MISSING = ("NONE", "Engine not available", "Install the Clapper zip for this Blender (see Check Engine)")

_cache: dict[tuple[str, str], EnumItems] = {}


def vocabulary(module: str, name: str) -> tuple[str, ...]:
    """The tuple ``name`` of the engine module ``module``; () when the engine cannot be imported."""
    try:
        return tuple(getattr(importlib.import_module(module), name))
    except ImportError:
        return ()


def engine_items(
    module: str,
    name: str,
    *,
    labels: Mapping[str, str] | None = None,
    descriptions: Mapping[str, str] | None = None,
) -> Callable[[Any, Any], EnumItems]:
    """A dynamic ``items`` callback listing the engine tuple ``module.name``."""
    key = (module, name)

    def items(_self: Any, _context: Any) -> EnumItems:
        cached = _cache.get(key)
        if cached is None:
            words = vocabulary(module, name)
            cached = [
                (
                    word,
                    (labels or {}).get(word, word.replace("_", " ").title()),
                    (descriptions or {}).get(word, ""),
                )
                for word in words
            ] or [MISSING]
            if words:  # an engine missing now may be installed later: cache only real lists
                _cache[key] = cached
        return cached

    return items
