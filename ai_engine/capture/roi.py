"""The geometry between MediaPipe's detectors and landmark models, in numpy and OpenCV.

These are the steps MediaPipe's graphs run as C++ calculators (``SsdAnchorsCalculator``,
``TensorsToDetectionsCalculator``, ``NonMaxSuppressionCalculator`` with the WEIGHTED algorithm,
``DetectionsToRectsCalculator``, ``AlignmentPointsRectsCalculator``, ``RectTransformationCalculator``,
``ImageToTensorCalculator``, ``LandmarkProjectionCalculator``), written from their sources so the
``.tflite`` models see exactly the crops they were trained on. Everything here works in **pixels**
of the full frame: a :class:`Rect` is a rotated rectangle (centre, size, rotation in radians,
clockwise in image coordinates as MediaPipe defines it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Rect:
    """A rotated rectangle in frame pixels (MediaPipe's ``NormalizedRect`` times the frame size)."""

    cx: float
    cy: float
    width: float
    height: float
    rotation: float = 0.0  # radians

    def transformed(
        self, *, scale: float, shift_x: float = 0.0, shift_y: float = 0.0, square_long: bool = True
    ) -> Rect:
        """``RectTransformationCalculator``: shift along the rotated axes, make square, scale."""
        cx, cy, w, h = self.cx, self.cy, self.width, self.height
        cos, sin = math.cos(self.rotation), math.sin(self.rotation)
        cx += w * shift_x * cos - h * shift_y * sin
        cy += w * shift_x * sin + h * shift_y * cos
        if square_long:
            w = h = max(w, h)
        return Rect(cx, cy, w * scale, h * scale, self.rotation)

    def iou(self, other: Rect) -> float:
        """Overlap of the axis-aligned boxes (rotation ignored, as ``AssociationNormRectCalculator``)."""
        ax0, ay0, ax1, ay1 = (
            self.cx - self.width / 2,
            self.cy - self.height / 2,
            self.cx + self.width / 2,
            self.cy + self.height / 2,
        )
        bx0, by0 = other.cx - other.width / 2, other.cy - other.height / 2
        bx1, by1 = other.cx + other.width / 2, other.cy + other.height / 2
        iw, ih = max(0.0, min(ax1, bx1) - max(ax0, bx0)), max(0.0, min(ay1, by1) - max(ay0, by0))
        inter = iw * ih
        union = self.width * self.height + other.width * other.height - inter
        return inter / union if union > 0 else 0.0


def normalize_radians(angle: float) -> float:
    return angle - 2 * math.pi * math.floor((angle + math.pi) / (2 * math.pi))


def rotation_between(start: np.ndarray, end: np.ndarray, target_degrees: float) -> float:
    """``DetectionsToRectsCalculator::ComputeRotation`` from two points in pixels."""
    return normalize_radians(
        math.radians(target_degrees)
        - math.atan2(-(float(end[1]) - float(start[1])), float(end[0]) - float(start[0]))
    )


# ---------------------------------------------------------------------------------------------
# Detections
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Detection:
    """One detector hit in frame pixels: axis-aligned box, keypoints and score."""

    box: np.ndarray  # (4,) xmin, ymin, xmax, ymax
    keypoints: np.ndarray  # (K, 2)
    score: float

    def box_rect(self, rotation: float = 0.0) -> Rect:
        """``DetectionsToRectsCalculator``: the box's centre and size, with a rotation."""
        x0, y0, x1, y1 = (float(v) for v in self.box)
        return Rect((x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0, rotation)

    def alignment_rect(self, start: int, end: int, target_degrees: float) -> Rect:
        """``AlignmentPointsRectsCalculator``: centred on ``start``, side twice the distance to ``end``."""
        a, b = self.keypoints[start], self.keypoints[end]
        size = 2.0 * float(np.linalg.norm(b - a))
        return Rect(float(a[0]), float(a[1]), size, size, rotation_between(a, b, target_degrees))


def ssd_anchors(input_size: int, strides: tuple[int, ...]) -> np.ndarray:
    """``SsdAnchorsCalculator`` with ``fixed_anchor_size`` and aspect ratio 1: (N, 2) centres in [0, 1].

    Consecutive layers with the same stride share one feature map; each layer puts two anchors on
    every cell (the aspect-1 box and the interpolated-scale one), and with fixed anchor sizes only
    their centres matter.
    """
    centres: list[np.ndarray] = []
    layer = 0
    while layer < len(strides):
        stride = strides[layer]
        repeats = 0
        while layer < len(strides) and strides[layer] == stride:
            repeats += 2
            layer += 1
        cells = math.ceil(input_size / stride)
        ys, xs = np.meshgrid(
            (np.arange(cells) + 0.5) / cells, (np.arange(cells) + 0.5) / cells, indexing="ij"
        )
        grid = np.stack([xs.ravel(), ys.ravel()], axis=1)
        centres.append(np.repeat(grid, repeats, axis=0))
    return np.concatenate(centres).astype(np.float32)


def decode_detections(
    raw_boxes: np.ndarray,
    raw_scores: np.ndarray,
    anchors: np.ndarray,
    *,
    input_size: int,
    num_keypoints: int,
    min_score: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``TensorsToDetectionsCalculator`` (reverse output order, sigmoid scores clipped at ±100).

    Returns boxes (M, 4) as xmin, ymin, xmax, ymax and keypoints (M, K, 2), both in [0, 1] of the
    model's input tensor, and scores (M,), for the anchors scoring at least ``min_score``.
    """
    scores = sigmoid(np.clip(raw_scores.reshape(-1), -100.0, 100.0))
    keep = np.nonzero(scores >= min_score)[0]
    raw = raw_boxes.reshape(raw_boxes.shape[-2], raw_boxes.shape[-1])[keep] / input_size
    anchor = anchors[keep]
    cx, cy = raw[:, 0] + anchor[:, 0], raw[:, 1] + anchor[:, 1]
    w, h = raw[:, 2], raw[:, 3]
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    keypoints = raw[:, 4 : 4 + 2 * num_keypoints].reshape(-1, num_keypoints, 2) + anchor[:, None, :]
    return boxes, keypoints, scores[keep]


def _iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    x0, y0 = np.maximum(box[0], boxes[:, 0]), np.maximum(box[1], boxes[:, 1])
    x1, y1 = np.minimum(box[2], boxes[:, 2]), np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    union = area + areas - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def weighted_nms(
    boxes: np.ndarray, keypoints: np.ndarray, scores: np.ndarray, *, threshold: float = 0.3
) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """``NonMaxSuppressionCalculator`` WEIGHTED: each cluster's score-weighted box and keypoints.

    The cluster keeps its best member's score; clusters come out best first.
    """
    order = np.argsort(-scores, kind="stable")
    remaining = order
    out: list[tuple[np.ndarray, np.ndarray, float]] = []
    while remaining.size:
        top = remaining[0]
        overlap = _iou(boxes[top], boxes[remaining])
        members = remaining[overlap > threshold]
        if members.size == 0:
            members = remaining[:1]
        remaining = remaining[overlap <= threshold]
        remaining = remaining[remaining != top]
        weights = scores[members][:, None]
        total = float(weights.sum())
        box = (boxes[members] * weights).sum(0) / total
        kps = (keypoints[members] * weights[:, :, None]).sum(0) / total
        out.append((box, kps, float(scores[top])))
    return out


# ---------------------------------------------------------------------------------------------
# Crops in and landmarks out
# ---------------------------------------------------------------------------------------------


def rect_to_tensor_matrix(rect: Rect, size: int, *, flip: bool = False) -> np.ndarray:
    """The 2×3 affine that maps frame pixels into a ``size``×``size`` crop of ``rect`` (mirrored if ``flip``)."""
    cos, sin = math.cos(rect.rotation), math.sin(rect.rotation)

    # Crop corners (0,0), (size,0), (0,size) come from the rect's rotated corners.
    def corner(u: float, v: float) -> tuple[float, float]:
        dx, dy = (u - 0.5) * rect.width, (v - 0.5) * rect.height
        return rect.cx + dx * cos - dy * sin, rect.cy + dx * sin + dy * cos

    left, right = (1.0, 0.0) if flip else (0.0, 1.0)
    src = np.array([corner(left, 0), corner(right, 0), corner(left, 1)], np.float32)
    dst = np.array([(0, 0), (size, 0), (0, size)], np.float32)
    return cv2.getAffineTransform(src, dst)


def crop_tensor(
    image: np.ndarray,
    rect: Rect,
    size: int,
    *,
    value_range: tuple[float, float] = (0.0, 1.0),
    border_zero: bool = False,
    flip: bool = False,
) -> np.ndarray:
    """``ImageToTensorCalculator``: the rotated ``rect`` of an RGB uint8 frame as a (1, S, S, 3) float tensor."""
    matrix = rect_to_tensor_matrix(rect, size, flip=flip)
    crop = cv2.warpAffine(
        image,
        matrix,
        (size, size),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT if border_zero else cv2.BORDER_REPLICATE,
        borderValue=(0, 0, 0),
    )
    low, high = value_range
    tensor = crop.astype(np.float32) * ((high - low) / 255.0) + low
    return tensor[None]


def letterbox_rect(width: int, height: int) -> Rect:
    """The whole frame grown to a square around its centre (``keep_aspect_ratio`` with zero borders)."""
    side = float(max(width, height))
    return Rect(width / 2.0, height / 2.0, side, side, 0.0)


def project(points: np.ndarray, rect: Rect) -> np.ndarray:
    """``LandmarkProjectionCalculator``: (N, 2|3) points in [0, 1] of the crop → frame pixels.

    z (if present) is scaled by the rect's width, as MediaPipe does, and stays in pixels here.
    """
    cos, sin = math.cos(rect.rotation), math.sin(rect.rotation)
    dx, dy = (points[:, 0] - 0.5) * rect.width, (points[:, 1] - 0.5) * rect.height
    out = np.empty_like(points, dtype=np.float32)
    out[:, 0] = rect.cx + dx * cos - dy * sin
    out[:, 1] = rect.cy + dx * sin + dy * cos
    if points.shape[1] > 2:
        out[:, 2:] = points[:, 2:]
        out[:, 2] = points[:, 2] * rect.width
    return out


def rotate_world(points: np.ndarray, rotation: float) -> np.ndarray:
    """``WorldLandmarkProjectionCalculator``: undo the crop's rotation on metric x, y."""
    cos, sin = math.cos(rotation), math.sin(rotation)
    out = points.astype(np.float32, copy=True)
    out[:, 0] = cos * points[:, 0] - sin * points[:, 1]
    out[:, 1] = sin * points[:, 0] + cos * points[:, 1]
    return out


def landmarks_box_rect(points: np.ndarray, rotation: float) -> Rect:
    """``LandmarksToDetectionCalculator`` + ``DetectionsToRectsCalculator``: the points' axis-aligned box."""
    x0, y0 = points[:, :2].min(0)
    x1, y1 = points[:, :2].max(0)
    return Rect(float(x0 + x1) / 2, float(y0 + y1) / 2, float(x1 - x0), float(y1 - y0), rotation)


def sigmoid(x: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, np.float64)))
