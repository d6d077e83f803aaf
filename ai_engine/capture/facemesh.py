"""Face Mesh with iris (478 points) on LiteRT: face detector → mesh → iris → tracking.

Steps and constants from MediaPipe 0.10.21's ``face_landmark_front_cpu`` graph
(face_detection_short_range, face_detection_front_detection_to_roi, face_landmark_cpu,
face_landmark_landmarks_to_roi) and, for the iris, its ``iris_tracking`` graph
(iris_landmark_left_and_right_cpu, iris_landmark_landmarks_to_roi, iris_landmark_cpu,
UpdateFaceLandmarksCalculator). MediaPipe's ``refine_landmarks=True`` runs the attention mesh
instead, whose TFLite custom ops exist only inside MediaPipe; the iris model is MediaPipe's own
route to the same 478 points (468 mesh points, then 5 per iris).
"""

from __future__ import annotations

import numpy as np

from .face_mirror import MESH_MIRROR
from .roi import (
    Detection,
    Rect,
    crop_tensor,
    decode_detections,
    landmarks_box_rect,
    letterbox_rect,
    project,
    rotation_between,
    sigmoid,
    ssd_anchors,
    weighted_nms,
)
from .runtime import Model

DETECTOR_SIZE = 128
MESH_SIZE = 192
IRIS_SIZE = 64
FACE_ROI_SCALE = 1.5
EYE_ROI_SCALE = 2.3
TRACK_OVERLAP = 0.5
_ANCHORS = ssd_anchors(DETECTOR_SIZE, (8, 16, 16, 16))

# Eye corners bounding each eye's crop: the image-left eye (the person's right) and the other.
LEFT_EYE_CORNERS = (33, 133)
RIGHT_EYE_CORNERS = (362, 263)
# UpdateFaceLandmarksCalculator: where the iris model's 71 eye-contour points go in the mesh.
_LEFT_EYE_CONTOUR = (
    33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173,
    130, 25, 110, 24, 23, 22, 26, 112, 243, 247, 30, 29, 27, 28, 56, 190,
    226, 31, 228, 229, 230, 231, 232, 233, 244, 113, 225, 224, 223, 222, 221, 189,
    35, 124, 46, 53, 52, 65, 143, 111, 117, 118, 119, 120, 121, 128, 245,
    156, 70, 63, 105, 66, 107, 55, 193,
)  # fmt: skip
_RIGHT_EYE_CONTOUR = (
    263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398,
    359, 255, 339, 254, 253, 252, 256, 341, 463, 467, 260, 259, 257, 258, 286, 414,
    446, 261, 448, 449, 450, 451, 452, 453, 464, 342, 445, 444, 443, 442, 441, 413,
    265, 353, 276, 283, 282, 295, 372, 340, 346, 347, 348, 349, 350, 357, 465,
    383, 300, 293, 334, 296, 336, 285, 417,
)  # fmt: skip
assert len(_LEFT_EYE_CONTOUR) == len(_RIGHT_EYE_CONTOUR) == 71


class FaceMesh:
    """Up to ``max_faces`` faces, 478 landmarks each (x, y normalised to the frame, z like x)."""

    def __init__(
        self,
        *,
        static_image_mode: bool = False,
        max_faces: int = 1,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        refine_iris: bool = True,
        mirror_average: bool = True,
    ) -> None:
        self.static_image_mode = static_image_mode
        self.max_faces = max_faces
        self.min_detection_confidence = min_detection_confidence
        self.min_tracking_confidence = min_tracking_confidence
        self.refine_iris = refine_iris
        # The mesh model is not mirror-symmetric (a face and its mirror image get left and right
        # blinks that differ by ~0.1): meshing the crop and its mirror and averaging them, twins
        # exchanged, makes the mesh of a mirrored face the mirror of the mesh (one more 1.3 ms call).
        self.mirror_average = mirror_average
        self._detector = Model("face_detection_short_range.tflite")
        self._mesh = Model("face_landmark.tflite")
        self._iris = Model("iris_landmark.tflite") if refine_iris else None
        self._rois: list[Rect] = []

    def detect(self, rgb: np.ndarray) -> list[Detection]:
        """Faces (frame pixels), best first: box and 6 keypoints (eyes, nose, mouth, ears)."""
        h, w = rgb.shape[:2]
        frame = letterbox_rect(w, h)
        tensor = crop_tensor(rgb, frame, DETECTOR_SIZE, value_range=(-1.0, 1.0), border_zero=True)
        outputs = self._detector(tensor)
        raw_boxes, raw_scores = sorted(outputs, key=lambda a: -a.shape[-1])
        boxes, keypoints, scores = decode_detections(
            raw_boxes, raw_scores, _ANCHORS, input_size=DETECTOR_SIZE, num_keypoints=6,
            min_score=self.min_detection_confidence,
        )  # fmt: skip
        return [
            Detection(project(box.reshape(2, 2), frame).reshape(4), project(kps, frame), score)
            for box, kps, score in weighted_nms(boxes, keypoints, scores, threshold=0.3)
        ]

    @staticmethod
    def detection_roi(detection: Detection) -> Rect:
        rotation = rotation_between(detection.keypoints[0], detection.keypoints[1], 0.0)
        return detection.box_rect(rotation).transformed(scale=FACE_ROI_SCALE)

    @staticmethod
    def landmarks_roi(points: np.ndarray) -> Rect:
        rotation = rotation_between(points[33, :2], points[263, :2], 0.0)
        return landmarks_box_rect(points, rotation).transformed(scale=FACE_ROI_SCALE)

    def mesh(self, rgb: np.ndarray, roi: Rect) -> tuple[np.ndarray, float] | None:
        """(468, 3) mesh points in frame pixels and the face presence, or None below the threshold."""
        tensor = crop_tensor(rgb, roi, MESH_SIZE, value_range=(0.0, 1.0))
        outputs = self._mesh(tensor)
        raw, flag = sorted(outputs, key=lambda a: -a.size)
        score = float(sigmoid(float(flag.reshape(-1)[0])))
        if score < self.min_tracking_confidence:
            return None
        points = raw.reshape(468, 3).astype(np.float32)
        if self.mirror_average:
            flipped = crop_tensor(rgb, roi, MESH_SIZE, value_range=(0.0, 1.0), flip=True)
            raw_flipped, _ = sorted(self._mesh(flipped), key=lambda a: -a.size)
            seen = raw_flipped.reshape(468, 3).astype(np.float32)
            seen[:, 0] = MESH_SIZE - seen[:, 0]
            # Point i of the mirrored crop is where its twin MESH_MIRROR[i] is in the crop.
            twins = np.empty_like(seen)
            twins[list(MESH_MIRROR)] = seen
            points = (points + twins) / 2
        return project(points / MESH_SIZE, roi), score

    def eye(self, rgb: np.ndarray, corners: np.ndarray, *, flip: bool) -> tuple[np.ndarray, np.ndarray]:
        """``IrisLandmarkCpu``: (71, 3) eye contour and (5, 3) iris points in frame pixels."""
        assert self._iris is not None
        rotation = rotation_between(corners[0, :2], corners[1, :2], 0.0)
        roi = landmarks_box_rect(corners, rotation).transformed(scale=EYE_ROI_SCALE)
        # The image-right eye is mirrored so that the model always sees a left eye.
        tensor = crop_tensor(rgb, roi, IRIS_SIZE, value_range=(0.0, 1.0), flip=flip)
        outputs = self._iris(tensor)
        contour_raw, iris_raw = sorted(outputs, key=lambda a: -a.size)
        contour = contour_raw.reshape(71, 3).astype(np.float32)
        iris = iris_raw.reshape(5, 3).astype(np.float32)
        if flip:
            contour[:, 0] = IRIS_SIZE - contour[:, 0]
            iris[:, 0] = IRIS_SIZE - iris[:, 0]
        return project(contour / IRIS_SIZE, roi), project(iris / IRIS_SIZE, roi)

    def refine(self, rgb: np.ndarray, mesh: np.ndarray) -> np.ndarray:
        """The 478 points: the mesh with its eyes redrawn by the iris model, then both irises."""
        points = mesh.copy()
        irises = []
        for corners, contour_ids, flip in (
            (LEFT_EYE_CORNERS, _LEFT_EYE_CONTOUR, False),
            (RIGHT_EYE_CORNERS, _RIGHT_EYE_CONTOUR, True),
        ):
            contour, iris = self.eye(rgb, mesh[list(corners)], flip=flip)
            # As UpdateFaceLandmarksCalculator, the eye's points take the iris model's x, y and z;
            # its depth is relative to the eye crop, so it is shifted onto the mesh's depth there.
            ids = list(contour_ids)
            shift = float(mesh[ids, 2].mean() - contour[:, 2].mean())
            contour[:, 2] += shift
            iris[:, 2] += shift
            points[ids] = contour
            if flip:
                # MediaPipe's 478-point order walks both irises the same way round in the image;
                # the mirrored crop walks the other way, so its second and fourth points trade places.
                iris = iris[[0, 3, 2, 1, 4]]
            irises.append(iris)
        return np.concatenate([points, *irises]).astype(np.float32)

    def process(self, rgb: np.ndarray) -> list[np.ndarray]:
        """Each face's (478, 3) landmarks (or 468 without iris), normalised like MediaPipe's."""
        h, w = rgb.shape[:2]
        rois = [] if self.static_image_mode else list(self._rois)
        if len(rois) < self.max_faces:
            fresh = [self.detection_roi(d) for d in self.detect(rgb)[: self.max_faces]]
            # AssociationNormRectCalculator: a tracked face wins over a detection on top of it.
            fresh = [r for r in fresh if all(r.iou(t) <= TRACK_OVERLAP for t in rois)]
            rois = (rois + fresh)[: self.max_faces]
        faces: list[np.ndarray] = []
        next_rois: list[Rect] = []
        for roi in rois:
            result = self.mesh(rgb, roi)
            if result is None:
                continue
            mesh, _score = result
            if self.static_image_mode:
                # A photo has no previous frame: mesh once more in the crop the landmarks give, so the
                # result depends on the face, not on where the (asymmetric) detector put its box.
                again = self.mesh(rgb, self.landmarks_roi(mesh))
                mesh = again[0] if again is not None else mesh
            points = self.refine(rgb, mesh) if self._iris is not None else mesh
            next_rois.append(self.landmarks_roi(mesh))
            faces.append((points / np.array([w, h, w], np.float32)).astype(np.float32))
        self._rois = next_rois
        return faces

    def reset(self) -> None:
        self._rois = []
