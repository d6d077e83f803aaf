"""BlazePose (MediaPipe Pose, full model) on LiteRT: detector → ROI → landmarks → tracking.

The steps and constants are those of MediaPipe 0.10.21's ``pose_landmark_cpu`` graph and its
subgraphs (pose_detection_cpu, pose_detection_to_roi, pose_landmark_by_roi_cpu,
tensors_to_pose_landmarks_and_segmentation, pose_landmarks_to_roi, pose_landmark_filtering).
Unlike MediaPipe's solution it can follow several people: each tracked person keeps their own
ROI and filters, and the detector runs again while fewer than ``max_people`` are tracked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .roi import (
    Detection,
    Rect,
    crop_tensor,
    decode_detections,
    letterbox_rect,
    project,
    rotate_world,
    sigmoid,
    ssd_anchors,
    weighted_nms,
)
from .runtime import Model
from .smoothing import LowPass, OneEuro, object_scale

DETECTOR_SIZE = 224
LANDMARK_SIZE = 256
# The source's pbtxt says 7 today; the 0.10.21 wheel's graph refines with 9 (measured: 9 reproduces its
# landmarks to 0.03 px on the MPII photos, 7 leaves the feet 3-5 px off).
HEATMAP_KERNEL = 9
HEATMAP_MIN_CONFIDENCE = 0.5
ROI_SCALE = 1.25
NMS_THRESHOLD = 0.3
TRACK_OVERLAP = 0.5  # a new detection this much over a tracked person's ROI is that person
DETECT_INTERVAL = 5  # frames between searches for more people while fewer than max_people are tracked
_ANCHORS = ssd_anchors(DETECTOR_SIZE, (8, 16, 32, 32, 32))


@dataclass
class PosePerson:
    """One person's landmarks in one frame."""

    image: np.ndarray  # (33, 3) x, y normalised to the frame; z in the same scale as x
    world: np.ndarray  # (33, 3) metres, hips at the origin
    visibility: np.ndarray  # (33,)
    presence: np.ndarray  # (33,)
    score: float  # the landmark model's pose presence
    roi: Rect  # the crop the landmarks came from (frame pixels)
    track_id: int


@dataclass
class _Track:
    roi: Rect
    track_id: int
    image_filter: OneEuro = field(default_factory=lambda: OneEuro(min_cutoff=0.05, beta=80.0))
    visibility_filter: LowPass = field(default_factory=lambda: LowPass(0.1))
    world_filter: OneEuro = field(default_factory=lambda: OneEuro(min_cutoff=0.1, beta=40.0))
    aux_filter: OneEuro = field(default_factory=lambda: OneEuro(min_cutoff=0.01, beta=10.0))
    aux_visibility_filter: LowPass = field(default_factory=lambda: LowPass(0.1))


def _alignment_rect(centre: np.ndarray, scale_point: np.ndarray) -> Rect:
    """``AlignmentPointsRectsCalculator`` on two points (pixels), target angle 90°."""
    return Detection(np.zeros(4), np.stack([centre, scale_point]), 1.0).alignment_rect(0, 1, 90.0)


class BlazePose:
    """Pose landmarks for up to ``max_people`` people in RGB uint8 frames.

    Arguments:
        static_image_mode: every frame is detected afresh (no tracking, no smoothing).
        min_detection_confidence: the detector's score threshold.
        min_tracking_confidence: the landmark model's presence threshold (MediaPipe's solution
            applies it in still-image mode too).
        smooth: MediaPipe's one-euro smoothing of the landmarks (video mode only).
    """

    def __init__(
        self,
        *,
        static_image_mode: bool = False,
        max_people: int = 1,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        smooth: bool = True,
    ) -> None:
        if max_people < 1:
            raise ValueError("max_people must be at least 1")
        self.static_image_mode = static_image_mode
        self.max_people = max_people
        self.min_detection_confidence = min_detection_confidence
        self.min_tracking_confidence = min_tracking_confidence
        self.smooth = smooth and not static_image_mode
        self._detector = Model("pose_detection.tflite")
        self._landmarker = Model("pose_landmark_full.tflite")
        self._tracks: list[_Track] = []
        self._next_id = 0
        self._frames_since_detect = 0

    # -- steps ------------------------------------------------------------------------------------

    def detect(self, rgb: np.ndarray, *, tiles: bool = False) -> list[Detection]:
        """Pose detections (frame pixels), best first: box and 4 keypoints (hips centre, body scale, …).

        The detector was trained on one prominent person per picture and, on the whole frame, finds
        about one; with ``tiles`` it also looks into four overlapping squares of 60% of the frame's
        long side, where the smaller people of a group become prominent (measured on the COCO
        photos: 1 → 2-5 people found per photo), and the hits are merged by overlap.
        """
        h, w = rgb.shape[:2]
        found = self._detect_in(rgb, letterbox_rect(w, h))
        if tiles:
            side = 0.6 * max(w, h)
            for cy in np.linspace(side / 2, max(h - side / 2, side / 2), 2):
                for cx in np.linspace(side / 2, max(w - side / 2, side / 2), 2):
                    found += self._detect_in(rgb, Rect(float(cx), float(cy), side, side))
            found = _merge(found)
        return found

    def _detect_in(self, rgb: np.ndarray, frame: Rect) -> list[Detection]:
        tensor = crop_tensor(rgb, frame, DETECTOR_SIZE, value_range=(-1.0, 1.0), border_zero=True)
        raw_boxes, raw_scores = self._detector(tensor)
        boxes, keypoints, scores = decode_detections(
            raw_boxes,
            raw_scores,
            _ANCHORS,
            input_size=DETECTOR_SIZE,
            num_keypoints=4,
            min_score=self.min_detection_confidence,
        )
        out = []
        for box, kps, score in weighted_nms(boxes, keypoints, scores, threshold=NMS_THRESHOLD):
            box_px = project(box.reshape(2, 2), frame).reshape(4)
            out.append(Detection(box_px, project(kps, frame), score))
        return out

    @staticmethod
    def detection_roi(detection: Detection) -> Rect:
        return detection.alignment_rect(0, 1, 90.0).transformed(scale=ROI_SCALE)

    def landmarks(self, rgb: np.ndarray, roi: Rect) -> tuple[np.ndarray, np.ndarray, float] | None:
        """Run the landmark model on ``roi``: (39, 5) pixels/visibility/presence, (39, 3) world, score.

        None when the pose presence is below ``min_tracking_confidence``.
        """
        tensor = crop_tensor(rgb, roi, LANDMARK_SIZE, value_range=(0.0, 1.0))
        raw, flag, _segmentation, heatmap, world = self._landmarker(tensor)
        score = float(flag.reshape(-1)[0])  # the model's last layer is already a sigmoid
        if score < self.min_tracking_confidence:
            return None
        points = raw.reshape(39, 5).astype(np.float32)
        crop = points[:, :3] / LANDMARK_SIZE
        crop = _refine_from_heatmap(crop, heatmap[0])
        image = project(crop, roi)
        out = np.empty((39, 5), np.float32)
        out[:, :3] = image
        out[:, 3] = sigmoid(points[:, 3])
        out[:, 4] = sigmoid(points[:, 4])
        world_points = rotate_world(world.reshape(39, 3), roi.rotation)
        return out, world_points, score

    # -- the frame loop ---------------------------------------------------------------------------

    def process(self, rgb: np.ndarray) -> list[PosePerson]:
        """Landmarks of every tracked person in this frame (at most ``max_people``), oldest track first."""
        h, w = rgb.shape[:2]
        if self.static_image_mode:
            self._tracks = []
        rois: list[tuple[Rect, _Track | None]] = [(t.roi, t) for t in self._tracks]
        self._frames_since_detect += 1
        wants_more = len(self._tracks) < self.max_people
        # One person: detect whenever nobody is tracked (MediaPipe's graph). Several: also look for
        # newcomers, every DETECT_INTERVAL frames in video (the tiled search costs five detector runs).
        if wants_more and (not self._tracks or self._frames_since_detect >= DETECT_INTERVAL):
            self._frames_since_detect = 0
            for detection in self.detect(rgb, tiles=self.max_people > 1):
                roi = self.detection_roi(detection)
                if any(roi.iou(r) > TRACK_OVERLAP for r, _ in rois):
                    continue
                rois.append((roi, None))
                if len(rois) >= self.max_people:
                    break
        people: list[PosePerson] = []
        kept: list[_Track] = []
        for roi, track in rois:
            result = self.landmarks(rgb, roi)
            if result is None:
                continue
            points, world, score = result
            if track is None:
                track = _Track(roi, self._next_id)
                self._next_id += 1
            image_px, visibility, presence = points[:33, :3], points[:33, 3], points[:33, 4]
            aux = points[33:35, :3]
            # The filters' object scale: the ROI of the raw auxiliary landmarks (before the 1.25 grow).
            scale_roi = _alignment_rect(aux[0, :2], aux[1, :2])
            scale = 1.0 / max(object_scale(scale_roi.width, scale_roi.height), 1e-6)
            if self.smooth:
                image_px = track.image_filter.apply(image_px, scale)
                visibility = track.visibility_filter.apply(visibility)
                world = np.concatenate([track.world_filter.apply(world[:33]), world[33:]])
                aux = track.aux_filter.apply(aux, scale)
            next_roi = _alignment_rect(aux[0, :2], aux[1, :2]).transformed(scale=ROI_SCALE)
            if any(next_roi.iou(k.roi) > TRACK_OVERLAP for k in kept):
                continue  # two crops converged on one person: the older track keeps them
            track.roi = next_roi
            image = image_px / np.array([w, h, w], np.float32)
            people.append(
                PosePerson(
                    image=image.astype(np.float32),
                    world=world[:33].astype(np.float32),
                    visibility=visibility.astype(np.float32),
                    presence=presence.astype(np.float32),
                    score=score,
                    roi=roi,
                    track_id=track.track_id,
                )
            )
            kept.append(track)
        self._tracks = [] if self.static_image_mode else kept
        return people

    def reset(self) -> None:
        self._tracks = []


def _merge(detections: list[Detection]) -> list[Detection]:
    """Hits of the whole frame and of the tiles: best first, one per person (box overlap > 0.3)."""
    kept: list[Detection] = []
    for d in sorted(detections, key=lambda d: -d.score):
        if all(_box_iou(d.box, k.box) <= NMS_THRESHOLD for k in kept):
            kept.append(d)
    return kept


def _box_iou(a: np.ndarray, b: np.ndarray) -> float:
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


def _refine_from_heatmap(crop: np.ndarray, heatmap: np.ndarray) -> np.ndarray:
    """``RefineLandmarksFromHeatmapCalculator`` (kernel 9, sigmoid confidences, min 0.5) on (N, 3) crop points."""
    hm_h, hm_w, channels = heatmap.shape
    out = crop.copy()
    offset = (HEATMAP_KERNEL - 1) // 2
    confidence_all = sigmoid(heatmap)
    for i in range(min(channels, crop.shape[0])):
        col, row = int(crop[i, 0] * hm_w), int(crop[i, 1] * hm_h)
        if not (0 <= col < hm_w and 0 <= row < hm_h):
            continue
        r0, r1 = max(0, row - offset), min(hm_h, row + offset + 1)
        c0, c1 = max(0, col - offset), min(hm_w, col + offset + 1)
        confidence = confidence_all[r0:r1, c0:c1, i]
        total = float(confidence.sum())
        if total > 0 and float(confidence.max()) >= HEATMAP_MIN_CONFIDENCE:
            rows, cols = np.mgrid[r0:r1, c0:c1]
            out[i, 0] = float((cols * confidence).sum()) / hm_w / total
            out[i, 1] = float((rows * confidence).sum()) / hm_h / total
    return out
