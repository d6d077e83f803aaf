"""MediaPipe Hands (full model) on LiteRT: palm detector → hand landmarks → tracking.

Steps and constants from MediaPipe 0.10.21's ``hand_landmark_tracking_cpu`` graph
(palm_detection_cpu, palm_detection_detection_to_roi, hand_landmark_cpu,
hand_landmark_landmarks_to_roi with ``HandLandmarksToRectCalculator``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .roi import (
    Detection,
    Rect,
    crop_tensor,
    decode_detections,
    letterbox_rect,
    normalize_radians,
    project,
    rotate_world,
    rotation_between,
    ssd_anchors,
    weighted_nms,
)
from .runtime import Model

DETECTOR_SIZE = 192
LANDMARK_SIZE = 224
NORMALIZE_Z = 0.4
TRACK_OVERLAP = 0.5
_ANCHORS = ssd_anchors(DETECTOR_SIZE, (8, 16, 16, 16))
# handedness.txt of the wheel: the model's score is for "Left" (as if the picture were mirrored).
HANDEDNESS_LABELS = ("Left", "Right")


@dataclass
class Hand:
    image: np.ndarray  # (21, 3) x, y normalised to the frame, z like x
    world: np.ndarray  # (21, 3) metres
    label: str  # "Left" / "Right", MediaPipe's mirrored-selfie convention
    label_score: float
    score: float  # hand presence


# The palm and finger-base landmarks the next frame's crop is fitted to (wrist, thumb, and the first
# two joints of each finger); rotation runs from the wrist to the middle of the index, middle and
# ring finger bases. The source's pbtxt no longer splits them out, but the 0.10.21 wheel's graph does:
# measured, this subset tracks a moving hand to 0.01-0.11 px of MediaPipe's, all 21 points 1-4 px off.
_RECT_LANDMARKS = (0, 1, 2, 3, 5, 6, 9, 10, 13, 14, 17, 18)


def hand_rect(points: np.ndarray) -> Rect:
    """``HandLandmarksToRectCalculator``: a box aligned with the hand (wrist → middle of the palm)."""
    x1 = ((points[5, 0] + points[13, 0]) / 2 + points[9, 0]) / 2
    y1 = ((points[5, 1] + points[13, 1]) / 2 + points[9, 1]) / 2
    rotation = normalize_radians(math.pi / 2 - math.atan2(-(y1 - points[0, 1]), x1 - points[0, 0]))
    subset = points[list(_RECT_LANDMARKS), :2]
    centre = (subset.min(0) + subset.max(0)) / 2
    cos, sin = math.cos(-rotation), math.sin(-rotation)
    rel = subset - centre
    rx, ry = rel[:, 0] * cos - rel[:, 1] * sin, rel[:, 0] * sin + rel[:, 1] * cos
    pcx, pcy = (rx.min() + rx.max()) / 2, (ry.min() + ry.max()) / 2
    cos, sin = math.cos(rotation), math.sin(rotation)
    cx = pcx * cos - pcy * sin + centre[0]
    cy = pcx * sin + pcy * cos + centre[1]
    return Rect(float(cx), float(cy), float(rx.max() - rx.min()), float(ry.max() - ry.min()), rotation)


class HandTracker:
    """Up to ``max_hands`` hands in RGB uint8 frames."""

    def __init__(
        self,
        *,
        static_image_mode: bool = False,
        max_hands: int = 2,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ) -> None:
        self.static_image_mode = static_image_mode
        self.max_hands = max_hands
        self.min_detection_confidence = min_detection_confidence
        self.min_tracking_confidence = min_tracking_confidence
        self._detector = Model("palm_detection_full.tflite")
        self._landmarker = Model("hand_landmark_full.tflite")
        self._rois: list[Rect] = []

    def detect(self, rgb: np.ndarray) -> list[Detection]:
        """Palms (frame pixels), best first: box and 7 keypoints (wrist, finger bases, thumb)."""
        h, w = rgb.shape[:2]
        frame = letterbox_rect(w, h)
        tensor = crop_tensor(rgb, frame, DETECTOR_SIZE, value_range=(0.0, 1.0), border_zero=True)
        raw_boxes, raw_scores = self._detector(tensor)
        boxes, keypoints, scores = decode_detections(
            raw_boxes, raw_scores, _ANCHORS, input_size=DETECTOR_SIZE, num_keypoints=7,
            min_score=self.min_detection_confidence,
        )  # fmt: skip
        return [
            Detection(project(box.reshape(2, 2), frame).reshape(4), project(kps, frame), score)
            for box, kps, score in weighted_nms(boxes, keypoints, scores, threshold=0.3)
        ]

    @staticmethod
    def detection_roi(detection: Detection) -> Rect:
        rotation = rotation_between(detection.keypoints[0], detection.keypoints[2], 90.0)
        return detection.box_rect(rotation).transformed(scale=2.6, shift_y=-0.5)

    def landmarks(self, rgb: np.ndarray, roi: Rect) -> tuple[np.ndarray, np.ndarray, float, float] | None:
        """(21, 3) frame pixels, (21, 3) metres, presence, handedness score; None below the threshold."""
        tensor = crop_tensor(rgb, roi, LANDMARK_SIZE, value_range=(0.0, 1.0))
        raw, flag, handedness, world = self._landmarker(tensor)
        score = float(flag.reshape(-1)[0])
        if score < self.min_tracking_confidence:
            return None
        points = raw.reshape(21, 3).astype(np.float32) / LANDMARK_SIZE
        points[:, 2] /= NORMALIZE_Z
        return (
            project(points, roi),
            rotate_world(world.reshape(21, 3), roi.rotation),
            score,
            float(handedness.reshape(-1)[0]),
        )

    def process(self, rgb: np.ndarray) -> list[Hand]:
        h, w = rgb.shape[:2]
        rois = [] if self.static_image_mode else list(self._rois)
        if len(rois) < self.max_hands:
            fresh = [self.detection_roi(d) for d in self.detect(rgb)[: self.max_hands]]
            fresh = [r for r in fresh if all(r.iou(t) <= TRACK_OVERLAP for t in rois)]
            rois = (rois + fresh)[: self.max_hands]
        hands: list[Hand] = []
        next_rois: list[Rect] = []
        for roi in rois:
            result = self.landmarks(rgb, roi)
            if result is None:
                continue
            image_px, world, score, left_score = result
            next_roi = hand_rect(image_px).transformed(scale=2.0, shift_y=-0.1)
            if any(next_roi.iou(r) > TRACK_OVERLAP for r in next_rois):
                continue  # two crops converged on one hand
            next_rois.append(next_roi)
            is_left = left_score >= 0.5
            hands.append(
                Hand(
                    image=(image_px / np.array([w, h, w], np.float32)).astype(np.float32),
                    world=world.astype(np.float32),
                    label=HANDEDNESS_LABELS[0] if is_left else HANDEDNESS_LABELS[1],
                    label_score=left_score if is_left else 1.0 - left_score,
                    score=score,
                )
            )
        self._rois = next_rois
        return hands

    def reset(self) -> None:
        self._rois = []
