"""Thin wrappers around MediaPipe 0.10.21's legacy solutions, kept to compare against.

Capture runs ``runners``' LiteRT backend; these exist where mediapipe 0.10.21 does (Python 3.11)
and are picked with ``backend="mediapipe"`` (bench/capture*.py runs both side by side).

Each runner turns one RGB frame into plain numpy arrays, so nothing downstream touches protobufs.
Pose must use ``model_complexity=1``: complexities 0 and 2 try to download their models and fail
offline. MediaPipe releases the GIL inside ``process``, so runners in different threads use both cores.
"""

from __future__ import annotations

import numpy as np

from .landmarks import FACE_LANDMARK_COUNT
from .runners import POSE_TRACKING_CONFIDENCE, FaceResult, HandsResult, PoseResult

POSE_MODEL_COMPLEXITY = 1


def _landmarks(landmark_list, count: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    points = np.empty((count, 3), np.float32)
    for i, lm in enumerate(landmark_list.landmark):
        points[i] = (lm.x, lm.y, lm.z)
    return points


class PoseRunner:
    """MediaPipe Pose (full model, complexity 1) on one person."""

    def __init__(self, *, static_image_mode: bool = False, min_detection_confidence: float = 0.5) -> None:
        import mediapipe as mp

        self._solution = mp.solutions.pose.Pose(
            static_image_mode=static_image_mode,
            model_complexity=POSE_MODEL_COMPLEXITY,
            smooth_landmarks=True,
            min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=POSE_TRACKING_CONFIDENCE,
        )

    def process(self, rgb: np.ndarray) -> PoseResult | None:
        result = self._solution.process(rgb)
        if result.pose_landmarks is None or result.pose_world_landmarks is None:
            return None
        image = _landmarks(result.pose_landmarks, 33)
        visibility = np.array([lm.visibility for lm in result.pose_landmarks.landmark], np.float32)
        return PoseResult(_landmarks(result.pose_world_landmarks, 33), image, visibility)

    def close(self) -> None:
        self._solution.close()


class FaceRunner:
    """MediaPipe Face Mesh with iris refinement (478 points); up to ``max_faces`` faces."""

    def __init__(self, *, static_image_mode: bool = False, max_faces: int = 2) -> None:
        import mediapipe as mp

        self._solution = mp.solutions.face_mesh.FaceMesh(
            static_image_mode=static_image_mode,
            max_num_faces=max_faces,
            refine_landmarks=True,
            min_detection_confidence=0.5,
            min_tracking_confidence=0.5,
        )

    def process(self, rgb: np.ndarray) -> FaceResult:
        result = self._solution.process(rgb)
        faces = [_landmarks(f, FACE_LANDMARK_COUNT) for f in (result.multi_face_landmarks or [])]
        return FaceResult(faces)

    def close(self) -> None:
        self._solution.close()


class HandsRunner:
    """MediaPipe Hands (full model), up to two hands."""

    def __init__(self, *, static_image_mode: bool = False) -> None:
        import mediapipe as mp

        self._solution = mp.solutions.hands.Hands(
            static_image_mode=static_image_mode,
            max_num_hands=2,
            model_complexity=1,
            min_detection_confidence=0.5,
            min_tracking_confidence=0.5,
        )

    def process(self, rgb: np.ndarray) -> HandsResult:
        result = self._solution.process(rgb)
        images = [_landmarks(h, 21) for h in (result.multi_hand_landmarks or [])]
        worlds = [_landmarks(h, 21) for h in (result.multi_hand_world_landmarks or [])]
        labels, scores = [], []
        for handedness in result.multi_handedness or []:
            top = handedness.classification[0]
            labels.append(str(top.label))
            scores.append(float(top.score))
        return HandsResult(images, worlds, labels, scores)

    def close(self) -> None:
        self._solution.close()
