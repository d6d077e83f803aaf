"""The one place capture chooses how landmarks are computed.

Each runner turns one RGB frame into plain numpy arrays. The default backend, ``"litert"``, runs
MediaPipe's own models through LiteRT with the detector → landmark → tracking steps written in
this package (``blazepose``, ``facemesh``, ``hands``): it runs on Python 3.11 and 3.13 and needs no
mediapipe. ``"mediapipe"`` runs MediaPipe 0.10.21's legacy solutions, kept only to compare the two
(bench/capture*.py); it exists where that wheel does (Python 3.11). ``CLAPPER_CAPTURE_BACKEND``
picks the default.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass

import numpy as np

from ..errors import EngineError

BACKENDS: tuple[str, ...] = ("litert", "mediapipe")

# Pose keeps "tracking" a body for seconds after the person has left the picture when its tracking
# threshold is the default 0.5 (measured: a whole 0.8 s absence coasted through); at 0.95 it lets go
# within a few frames, and at 0.99 it starts dropping real frames of a turning person.
POSE_TRACKING_CONFIDENCE = 0.95


@dataclass
class PoseResult:
    world: np.ndarray  # (33, 3) metres
    image: np.ndarray  # (33, 3) normalised
    visibility: np.ndarray  # (33,)
    track_id: int = 0  # which tracked person (several-people capture); 0 for a single person
    score: float = 1.0  # pose presence from the landmark model


@dataclass
class FaceResult:
    faces: list[np.ndarray]  # each (478, 3) normalised image coordinates


@dataclass
class HandsResult:
    image: list[np.ndarray]  # each (21, 3) normalised
    world: list[np.ndarray]  # each (21, 3) metres
    labels: list[str]  # MediaPipe's handedness label ("Left"/"Right", assuming a mirrored image)
    scores: list[float]


def mediapipe_available() -> bool:
    """Whether MediaPipe's legacy solutions can be compared against (mediapipe importable)."""
    try:
        return importlib.util.find_spec("mediapipe") is not None
    except (ImportError, ValueError):
        return False


def default_backend() -> str:
    name = os.environ.get("CLAPPER_CAPTURE_BACKEND", "litert")
    return _checked(name)


def _checked(name: str | None) -> str:
    name = name or default_backend()
    if name not in BACKENDS:
        raise EngineError(f"unknown capture backend {name!r}; use one of {', '.join(BACKENDS)}")
    if name == "mediapipe" and not mediapipe_available():
        raise EngineError(
            "the mediapipe capture backend needs mediapipe 0.10.21 (Python 3.11 only); "
            "use the default litert backend"
        )
    return name


class PoseRunner:
    """Body landmarks (BlazePose full): one person, or up to ``max_people`` with :meth:`process_all`."""

    def __init__(
        self,
        *,
        static_image_mode: bool = False,
        min_detection_confidence: float = 0.5,
        max_people: int = 1,
        backend: str | None = None,
    ) -> None:
        self.backend = _checked(backend)
        if self.backend == "mediapipe":
            if max_people != 1:
                raise EngineError("MediaPipe's legacy pose follows one person; use the litert backend")
            from . import mediapipe_runners

            self._mp = mediapipe_runners.PoseRunner(
                static_image_mode=static_image_mode, min_detection_confidence=min_detection_confidence
            )
        else:
            from .blazepose import BlazePose

            self._pose = BlazePose(
                static_image_mode=static_image_mode,
                max_people=max_people,
                min_detection_confidence=min_detection_confidence,
                min_tracking_confidence=POSE_TRACKING_CONFIDENCE,
            )

    def process_all(self, rgb: np.ndarray) -> list[PoseResult]:
        """Every tracked person in this frame, each with a ``track_id`` that persists across frames."""
        if self.backend == "mediapipe":
            one = self._mp.process(rgb)
            return [] if one is None else [one]
        return [
            PoseResult(p.world, p.image, p.visibility, track_id=p.track_id, score=p.score)
            for p in self._pose.process(rgb)
        ]

    def process(self, rgb: np.ndarray) -> PoseResult | None:
        people = self.process_all(rgb)
        return people[0] if people else None

    def close(self) -> None:
        if self.backend == "mediapipe":
            self._mp.close()


class FaceRunner:
    """Face Mesh with iris refinement (478 points); up to ``max_faces`` faces."""

    def __init__(
        self, *, static_image_mode: bool = False, max_faces: int = 2, backend: str | None = None
    ) -> None:
        self.backend = _checked(backend)
        if self.backend == "mediapipe":
            from . import mediapipe_runners

            self._mp = mediapipe_runners.FaceRunner(static_image_mode=static_image_mode, max_faces=max_faces)
        else:
            from .facemesh import FaceMesh

            self._mesh = FaceMesh(static_image_mode=static_image_mode, max_faces=max_faces)

    def process(self, rgb: np.ndarray) -> FaceResult:
        if self.backend == "mediapipe":
            return self._mp.process(rgb)
        return FaceResult(self._mesh.process(rgb))

    def close(self) -> None:
        if self.backend == "mediapipe":
            self._mp.close()


class HandsRunner:
    """Hands (full model), up to two hands."""

    def __init__(self, *, static_image_mode: bool = False, backend: str | None = None) -> None:
        self.backend = _checked(backend)
        if self.backend == "mediapipe":
            from . import mediapipe_runners

            self._mp = mediapipe_runners.HandsRunner(static_image_mode=static_image_mode)
        else:
            from .hands import HandTracker

            self._hands = HandTracker(static_image_mode=static_image_mode, max_hands=2)

    def process(self, rgb: np.ndarray) -> HandsResult:
        if self.backend == "mediapipe":
            return self._mp.process(rgb)
        found = self._hands.process(rgb)
        return HandsResult(
            [h.image for h in found],
            [h.world for h in found],
            [h.label for h in found],
            [h.label_score for h in found],
        )

    def close(self) -> None:
        if self.backend == "mediapipe":
            self._mp.close()
