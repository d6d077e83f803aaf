"""Cut detectors behind one small interface (after PySceneDetect's ``SceneDetector``).

Every detector is a ``Detector`` subclass in its own module here, named like the module
(``fast.py`` → ``name = "fast"``). Subclassing registers it; ``names()`` is the vocabulary the
contract publishes (``DETECTORS``), ``get(name)`` imports and returns one. Adding a detector is
adding one file::

    class Mine(Detector):
        name = "mine"
        summary = "what it does, for --help"

        def detect(self, features, analysis, options):
            return Found(cuts=[...])

A detector sees the clip's features (one decoding pass, ``features.py``) and the classic pass's
analysis (always computed: it draws the score curve), and returns cuts in source frames. ``auto``
composes the others.
"""

from __future__ import annotations

import sys
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ...progress import ProgressFn, StopFn, never_stop, no_progress
from .._plugins import load
from .._plugins import names as _names

if TYPE_CHECKING:
    import numpy as np

    from ..cutlist import Cut
    from ..fast import FastAnalysis
    from ..features import ClipFeatures

_REGISTRY: dict[str, type[Detector]] = {}


@dataclass(frozen=True)
class DetectOptions:
    min_shot: int  # shortest shot in frames
    device: str | None = None  # the network's device (None: CUDA when present)
    progress: ProgressFn = no_progress
    should_stop: StopFn = never_stop


@dataclass
class Found:
    """A detector's answer: cuts, and the network's per-frame score where it ran (for the curve)."""

    cuts: list[Cut]
    network: np.ndarray | None = None


class Detector(ABC):
    name: ClassVar[str]
    summary: ClassVar[str] = ""
    # Share of the progress bar that decoding takes when this detector runs (the rest is its own).
    decode_share: ClassVar[float] = 0.9

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            _REGISTRY[cls.name] = cls

    @abstractmethod
    def detect(self, features: ClipFeatures, analysis: FastAnalysis, options: DetectOptions) -> Found:
        """The cuts of one clip. Raises ``Cancelled`` when ``options.should_stop()`` turns true."""


def names() -> tuple[str, ...]:
    """Every detector, ``auto`` first (the default), the others by name."""
    return _names(sys.modules[__name__], first=("auto",))


def get(name: str) -> Detector:
    """A fresh instance of the detector ``name``; ``ValueError`` names the known ones."""
    return load(sys.modules[__name__], _REGISTRY, name, "detector")()  # type: ignore[no-any-return]
