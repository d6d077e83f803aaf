"""Shot-cut detection: classic (``fast``), TransNetV2 (``neural``) and their cascade (``auto``)."""

from .cutlist import CUT_KINDS, Cut, CutList
from .detect import DETECTORS, Detection, detect_cuts

__all__ = ["CUT_KINDS", "DETECTORS", "Cut", "CutList", "Detection", "detect_cuts"]
