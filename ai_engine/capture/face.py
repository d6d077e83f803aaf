"""Face: 52 ARKit-named blendshape curves and head rotation, derived geometrically from 478 landmarks.

MediaPipe's blendshape model is not shipped with 0.10.21, so each curve is a measured distance on the
face mesh, taken in a head-fixed frame (head rotation removed by a rigid fit of the skull's stable
points), divided by the face's size (outer eye-corner distance), compared with the same measure on a
neutral face, and scaled to [0, 1]. The neutral is a frame the artist picks; without one, measures that
depend on a person's anatomy use the track's median and the two with a physical rest (lips closed, eye
open) use fixed rest values, so single photos get meaningful values too.

``tongueOut`` has no landmark to measure and stays 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..retarget.quat import matrix_to_quat
from .geometry import CAMERA_TO_BLENDER, kabsch

ARKIT_BLENDSHAPES: tuple[str, ...] = (
    "browDownLeft", "browDownRight", "browInnerUp", "browOuterUpLeft", "browOuterUpRight",
    "cheekPuff", "cheekSquintLeft", "cheekSquintRight", "eyeBlinkLeft", "eyeBlinkRight",
    "eyeLookDownLeft", "eyeLookDownRight", "eyeLookInLeft", "eyeLookInRight", "eyeLookOutLeft",
    "eyeLookOutRight", "eyeLookUpLeft", "eyeLookUpRight", "eyeSquintLeft", "eyeSquintRight",
    "eyeWideLeft", "eyeWideRight", "jawForward", "jawLeft", "jawOpen", "jawRight", "mouthClose",
    "mouthDimpleLeft", "mouthDimpleRight", "mouthFrownLeft", "mouthFrownRight", "mouthFunnel",
    "mouthLeft", "mouthLowerDownLeft", "mouthLowerDownRight", "mouthPressLeft", "mouthPressRight",
    "mouthPucker", "mouthRight", "mouthRollLower", "mouthRollUpper", "mouthShrugLower",
    "mouthShrugUpper", "mouthSmileLeft", "mouthSmileRight", "mouthStretchLeft", "mouthStretchRight",
    "mouthUpperUpLeft", "mouthUpperUpRight", "noseSneerLeft", "noseSneerRight", "tongueOut",
)  # fmt: skip

# Skull-fixed landmarks (forehead, nose bridge, eye corners, temples): they move with the head only.
STABLE_POINTS: tuple[int, ...] = (
    10,
    151,
    9,
    8,
    168,
    6,
    197,
    195,
    33,
    133,
    362,
    263,
    127,
    356,
    234,
    454,
    1,
    4,
)

# Per side (subject's Left, Right): eye corners (outer, inner), lids (upper, lower) ×3, iris centre,
# brow inner / outer points, mouth corner, upper / lower lip points, nose wing, cheek.
_SIDES: dict[str, dict[str, Any]] = {
    "Left": dict(
        outer=263, inner=362, upper=(385, 386, 387), lower=(380, 374, 373), iris=473,
        brow_inner=(336, 296), brow_outer=(300, 293), corner=291, upper_lip=267, lower_lip=314,
        nose_wing=327, cheek=425,
    ),
    "Right": dict(
        outer=33, inner=133, upper=(160, 159, 158), lower=(144, 145, 153), iris=468,
        brow_inner=(107, 66), brow_outer=(70, 63), corner=61, upper_lip=37, lower_lip=84,
        nose_wing=98, cheek=205,
    ),
}  # fmt: skip

# Measures of the mouth's shape (their rest is taken on closed-mouth frames).
_MOUTH_MEASURES: tuple[str, ...] = (
    "chin_drop", "chin_x", "chin_z", "mouth_width", "mouth_x", "upper_lip_thickness", "lower_lip_thickness",
    "lips_height", "upper_lip_height", "lower_lip_to_chin", "cheek_width",
    *(f"{m}{side}" for m in ("corner_y", "corner_out", "upper_lip", "lower_lip") for side in ("Left", "Right")),
)  # fmt: skip

# Rest values with a physical meaning (used when no neutral frame is picked).
REST_LIP_GAP = 0.0  # lips closed
REST_EYE_ASPECT = 0.30  # a relaxed open eye (6-point eye aspect ratio)
CLOSED_EYE_ASPECT = 0.06
MIN_FRAMES_FOR_MEDIAN_EYE = 24  # about a second of video


@dataclass
class FaceCalibration:
    """The neutral face everything is measured against."""

    reference: np.ndarray  # (478, 3) neutral landmarks in the head frame, face-size units
    features: dict[str, float]  # neutral values of the measures
    neutral_rotation: np.ndarray  # (3, 3) camera-axes head rotation of the neutral frame
    neutral_frame: int | None


def _pixels(face: np.ndarray, image_size: tuple[int, int]) -> np.ndarray:
    w, h = image_size
    return face * np.array([w, h, w], np.float64)  # MediaPipe's z is on the scale of x


def _head_axes(points: np.ndarray) -> np.ndarray:
    """Rotation whose columns are the head's left, up and forward axes in camera coordinates."""
    left = points[263] - points[33]
    up = points[10] - points[152]
    x = left / np.linalg.norm(left)
    y = up - x * float(up @ x)
    y /= np.linalg.norm(y)
    return np.stack([x, y, np.cross(x, y)], axis=1)


def _to_head_frame(points: np.ndarray, reference: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """(landmarks in the head frame in face-size units, camera-axes head rotation)."""
    size = float(np.linalg.norm(points[263] - points[33])) or 1.0
    if reference is None:
        rotation = _head_axes(points)
        local = (points - points[list(STABLE_POINTS)].mean(0)) @ rotation / size
        return local, rotation
    stable = list(STABLE_POINTS)
    rotation, scale, offset = kabsch(reference[stable], points[stable])
    local = (points - offset) @ rotation / scale
    return local, rotation


def _eye_aspect(local: np.ndarray, side: dict[str, Any]) -> float:
    """Lid opening over eye width, measured along the head's up and left axes (the lid points are not
    exactly above one another, so straight-line distances would never reach zero on a closed eye)."""
    width = abs(local[side["outer"], 0] - local[side["inner"], 0])
    heights = [local[u, 1] - local[d, 1] for u, d in zip(side["upper"], side["lower"], strict=True)]
    return float(max(np.mean(heights), 0.0) / max(width, 1e-6))


def measure(local: np.ndarray) -> dict[str, float]:
    """The raw measures of one face in the head frame (X subject's left, Y up, Z forward; face units)."""
    f: dict[str, float] = {}
    nose = local[1]
    f["lip_gap"] = float(local[13, 1] - local[14, 1])
    f["chin_drop"] = float(local[6, 1] - local[152, 1])
    f["chin_x"] = float(local[152, 0] - local[6, 0])
    f["chin_z"] = float(local[152, 2] - local[6, 2])
    f["mouth_width"] = float(np.linalg.norm(local[291] - local[61]))
    f["mouth_x"] = float((local[291, 0] + local[61, 0]) / 2 - local[6, 0])
    f["upper_lip_thickness"] = float(local[0, 1] - local[13, 1])
    f["lower_lip_thickness"] = float(local[14, 1] - local[17, 1])
    f["lips_height"] = float(local[0, 1] - local[17, 1])
    f["upper_lip_height"] = float(local[0, 1] - nose[1])
    f["lower_lip_to_chin"] = float(local[17, 1] - local[152, 1])
    f["cheek_width"] = float(np.linalg.norm(local[50] - local[280]))
    for name, side in _SIDES.items():
        eye_mid = (local[side["outer"]] + local[side["inner"]]) / 2
        eye_width = float(np.linalg.norm(local[side["outer"]] - local[side["inner"]])) or 1e-6
        f[f"eye_aspect{name}"] = _eye_aspect(local, side)
        f[f"lower_lid{name}"] = float(np.mean([local[i, 1] for i in side["lower"]]) - eye_mid[1])
        f[f"iris_x{name}"] = float((local[side["iris"], 0] - eye_mid[0]) / eye_width)
        f[f"iris_y{name}"] = float((local[side["iris"], 1] - eye_mid[1]) / eye_width)
        f[f"brow_inner{name}"] = float(np.mean([local[i, 1] for i in side["brow_inner"]]) - eye_mid[1])
        f[f"brow_outer{name}"] = float(np.mean([local[i, 1] for i in side["brow_outer"]]) - eye_mid[1])
        corner = local[side["corner"]]
        # Relative to the mouth's centre, which drops with the jaw as the corners do: an open mouth
        # is not a frown.
        f[f"corner_y{name}"] = float(corner[1] - (local[13, 1] + local[14, 1]) / 2)
        f[f"corner_out{name}"] = float(abs(corner[0] - local[6, 0]))
        f[f"upper_lip{name}"] = float(local[side["upper_lip"], 1] - nose[1])
        f[f"lower_lip{name}"] = float(local[side["lower_lip"], 1] - local[152, 1])  # rides on the jaw
        f[f"nose_wing{name}"] = float(local[side["nose_wing"], 1] - nose[1])
        f[f"cheek{name}"] = float(local[side["cheek"], 1] - eye_mid[1])
    return f


def _ramp(value: float, span: float) -> float:
    return float(min(max(value / span, 0.0), 1.0))


def blendshapes_from_measures(f: dict[str, float], n: dict[str, float]) -> np.ndarray:
    """The 52 ARKit weights (in ``ARKIT_BLENDSHAPES`` order) from measures ``f`` and neutral ``n``.

    Spans (the change that means 1.0) are in face-size units (outer eye-corner distance ≈ 9 cm).
    """
    d = {k: f[k] - n[k] for k in f}
    w: dict[str, float] = {}
    lips_open = _ramp(d["lip_gap"], 0.45)
    jaw_drop = _ramp(d["chin_drop"], 0.35)
    w["jawOpen"] = float(min(1.0, 0.75 * lips_open + 0.25 * jaw_drop))
    w["mouthClose"] = _ramp(d["chin_drop"] - d["lip_gap"], 0.3)
    w["jawLeft"] = _ramp(d["chin_x"], 0.12)
    w["jawRight"] = _ramp(-d["chin_x"], 0.12)
    w["jawForward"] = _ramp(d["chin_z"], 0.12)
    w["mouthLeft"] = _ramp(d["mouth_x"], 0.12)
    w["mouthRight"] = _ramp(-d["mouth_x"], 0.12)
    pucker = _ramp(-d["mouth_width"], 0.25)
    w["mouthPucker"] = pucker
    w["mouthFunnel"] = float(min(pucker, _ramp(d["lip_gap"], 0.15)))
    w["mouthRollUpper"] = _ramp(-d["upper_lip_thickness"], 0.08)
    w["mouthRollLower"] = _ramp(-d["lower_lip_thickness"], 0.1)
    w["mouthShrugUpper"] = _ramp(d["upper_lip_height"], 0.08)
    w["mouthShrugLower"] = _ramp(d["lower_lip_to_chin"], 0.08) * (1.0 - lips_open)
    w["cheekPuff"] = _ramp(d["cheek_width"], 0.1)
    closed = 1.0 - lips_open
    open_eye = n["eye_aspectLeft"], n["eye_aspectRight"]
    for i, name in enumerate(("Left", "Right")):
        ear = f[f"eye_aspect{name}"]
        w[f"eyeBlink{name}"] = _ramp(open_eye[i] - ear, open_eye[i] - CLOSED_EYE_ASPECT)
        w[f"eyeWide{name}"] = _ramp(ear - open_eye[i], 0.12)
        w[f"eyeSquint{name}"] = _ramp(d[f"lower_lid{name}"], 0.06)
        w[f"cheekSquint{name}"] = _ramp(d[f"cheek{name}"], 0.08)
        # Looking toward the subject's left (+X) turns the left eye out and the right eye in.
        toward_left = d[f"iris_x{name}"]
        out_sign = 1.0 if name == "Left" else -1.0
        w[f"eyeLookOut{name}"] = _ramp(out_sign * toward_left, 0.12)
        w[f"eyeLookIn{name}"] = _ramp(-out_sign * toward_left, 0.12)
        w[f"eyeLookUp{name}"] = _ramp(d[f"iris_y{name}"], 0.08)
        w[f"eyeLookDown{name}"] = _ramp(-d[f"iris_y{name}"], 0.08)
        w[f"browDown{name}"] = _ramp(-(d[f"brow_inner{name}"] + d[f"brow_outer{name}"]) / 2, 0.08)
        w[f"browOuterUp{name}"] = _ramp(d[f"brow_outer{name}"], 0.1)
        raise_corner, widen = d[f"corner_y{name}"], d[f"corner_out{name}"]
        w[f"mouthSmile{name}"] = _ramp(raise_corner + 0.5 * widen, 0.15)
        w[f"mouthFrown{name}"] = _ramp(-raise_corner, 0.1)
        w[f"mouthStretch{name}"] = _ramp(widen - max(raise_corner, 0.0), 0.12)
        w[f"mouthDimple{name}"] = 0.5 * w[f"mouthStretch{name}"]
        w[f"mouthUpperUp{name}"] = _ramp(d[f"upper_lip{name}"], 0.08)
        w[f"mouthLowerDown{name}"] = _ramp(-d[f"lower_lip{name}"], 0.08)
        w[f"mouthPress{name}"] = closed * _ramp(-d["lips_height"], 0.1)
        w[f"noseSneer{name}"] = _ramp(d[f"nose_wing{name}"], 0.05)
    w["browInnerUp"] = _ramp((d["brow_innerLeft"] + d["brow_innerRight"]) / 2, 0.1)
    w["tongueOut"] = 0.0
    return np.array([w[name] for name in ARKIT_BLENDSHAPES], np.float32)


def calibrate(
    face: np.ndarray, valid: np.ndarray, image_size: tuple[int, int], neutral_frame: int | None = None
) -> FaceCalibration:
    """The neutral face: the picked frame, or (None) a median face with physical rest values.

    Raises:
        ValueError: the picked neutral frame has no tracked face.
    """
    frames = np.flatnonzero(valid)
    if frames.size == 0:
        raise ValueError("no tracked face to calibrate against")
    if neutral_frame is not None:
        if not (0 <= neutral_frame < valid.shape[0]) or not valid[neutral_frame]:
            raise ValueError(
                f"frame {neutral_frame} has no tracked face; pick a frame where the face is seen "
                f"(for example {int(frames[0])})"
            )
        chosen = [neutral_frame]
    else:
        chosen = list(frames)
    first_local, first_rotation = _to_head_frame(_pixels(face[chosen[0]], image_size), None)
    locals_, rotations = [first_local], [first_rotation]
    for t in chosen[1:]:
        local, rotation = _to_head_frame(_pixels(face[t], image_size), first_local)
        locals_.append(local)
        rotations.append(rotation)
    reference = np.median(np.stack(locals_), axis=0)
    measures = [measure(local) for local in locals_]
    features = {k: float(np.median([m[k] for m in measures])) for k in measures[0]}
    if neutral_frame is None and len(measures) >= 4:
        # A neutral face has its mouth closed: the mouth's rest shape comes from the quarter of the
        # frames with the smallest lip gap (a talking head's median mouth is half open).
        gaps = np.array([m["lip_gap"] for m in measures])
        closed = [m for m, g in zip(measures, gaps, strict=True) if g <= np.percentile(gaps, 25)]
        for k in _MOUTH_MEASURES:
            features[k] = float(np.median([m[k] for m in closed]))
    if neutral_frame is None:
        features["lip_gap"] = REST_LIP_GAP
        if len(chosen) < MIN_FRAMES_FOR_MEDIAN_EYE:
            # Too few frames to know this person's open eye (a photo): a typical relaxed eye.
            features["eye_aspectLeft"] = features["eye_aspectRight"] = REST_EYE_ASPECT
        # Otherwise the median: eyes are open far longer than they blink.
        neutral_rotation = _mean_rotation(np.stack(rotations))
    else:
        neutral_rotation = rotations[0]
    return FaceCalibration(reference, features, neutral_rotation, neutral_frame)


def _mean_rotation(rotations: np.ndarray) -> np.ndarray:
    u, _s, vt = np.linalg.svd(rotations.mean(0))
    r = u @ vt
    if np.linalg.det(r) < 0:
        u[:, -1] *= -1
        r = u @ vt
    return r


def face_curves(
    face: np.ndarray,
    valid: np.ndarray,
    image_size: tuple[int, int],
    neutral_frame: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Blendshape weights and head rotation for every frame.

    Arguments:
        face: (T, 478, 3) normalised landmarks; valid: (T,) bool.
        neutral_frame: the artist's neutral frame, or None (see module docstring).

    Returns:
        (weights (T, 52) in ``ARKIT_BLENDSHAPES`` order, head rotation (T, 4) wxyz in Blender axes
        relative to the neutral head pose); NaN on frames without a face.

    Raises:
        ValueError: ``neutral_frame`` has no tracked face.
    """
    frames = face.shape[0]
    weights = np.full((frames, len(ARKIT_BLENDSHAPES)), np.nan, np.float32)
    head = np.full((frames, 4), np.nan, np.float32)
    if not valid.any():
        return weights, head
    calibration = calibrate(face, valid, image_size, neutral_frame)
    for t in np.flatnonzero(valid):
        local, rotation = _to_head_frame(_pixels(face[t], image_size), calibration.reference)
        weights[t] = blendshapes_from_measures(measure(local), calibration.features)
        relative = rotation @ calibration.neutral_rotation.T
        head[t] = matrix_to_quat(CAMERA_TO_BLENDER @ relative @ CAMERA_TO_BLENDER.T)
    return weights, head
