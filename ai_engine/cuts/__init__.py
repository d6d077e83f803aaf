"""Shot-cut detection: classic (``fast``), TransNetV2 (``neural``) and their cascade (``auto``).

Importing the package is cheap (the contract and the add-on import it); ``detect_cuts`` and the
detectors load numpy, OpenCV and torch when first used.
"""

from __future__ import annotations

from typing import Any

from .cutlist import Cut, CutList

__all__ = ["CUT_KINDS", "DETECTORS", "Cut", "CutList", "Detection", "detect_cuts"]


def __getattr__(name: str) -> Any:
    if name in ("CUT_KINDS", "DETECTORS"):
        from . import contract

        return getattr(contract, name)
    if name in ("Detection", "detect_cuts"):
        from . import detect

        return getattr(detect, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
