"""Face: 52 ARKit-named blendshape curves and head rotation, derived geometrically from 478 landmarks.

MediaPipe's blendshape model is not shipped with 0.10.21, so each curve is a measured distance on the
face mesh, taken in a head-fixed frame (head rotation removed by a rigid fit of the skull's stable
points), divided by the face's size (outer eye-corner distance), compared with the same measure on a
neutral face, and scaled to [0, 1]. The neutral is a frame the artist picks; without one, the still
stretch where the face is most at rest (``face_rest``) on takes of a second or more; on shorter takes
and photos, measures that depend on a person's anatomy use the track's median and the two with a
physical rest (lips closed, eye open) use fixed rest values, so single photos get meaningful values too.
Where the whole face is still, the curves are held (``face_steady``).

``tongueOut`` has no landmark to measure and stays 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import NoFaceAtNeutralFrame
from ..retarget.quat import matrix_to_quat
from .face_rest import RestStretch, find_rest, rest_costs
from .face_steady import BAND, LOOK_BAND, hold_at_rest, stillness
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


# Where the neutral came from: the artist's frame, a still stretch found in the take, or (short takes
# and photos) the median face with physical rest values.
NEUTRAL_SOURCES: tuple[str, ...] = ("picked", "found", "median")


@dataclass
class FaceCalibration:
    """The neutral face everything is measured against."""

    reference: np.ndarray  # (478, 3) neutral landmarks in the head frame, face-size units
    features: dict[str, float]  # neutral values of the measures
    neutral_rotation: np.ndarray  # (3, 3) camera-axes head rotation of the neutral frame
    neutral_frame: int | None
    source: str = "median"  # NEUTRAL_SOURCES
    neutral_frames: tuple[int, int] | None = None  # the stretch calibrated from (inclusive)
    rest_cost: float | None = None  # the found stretch's mean rest cost (face_rest)


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


# How far the still hold may move each curve (``face_steady``): gaze has the noisiest landmarks.
_HOLD_BANDS = np.array([LOOK_BAND if n.startswith("eyeLook") else BAND for n in ARKIT_BLENDSHAPES])

# The mouth and eyelid curves a neutral face has at rest (the rest cost of ``face_rest``).
_MOUTH_CURVES = [
    i
    for i, n in enumerate(ARKIT_BLENDSHAPES)
    if n.startswith(("mouth", "jaw", "cheekPuff")) and n != "mouthClose"
]
_EYE_CURVES = [
    i for i, n in enumerate(ARKIT_BLENDSHAPES) if n.startswith(("eyeBlink", "eyeWide", "eyeSquint"))
]


def _locals(
    face: np.ndarray, frames: Sequence[int], image_size: tuple[int, int]
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Head-frame landmarks and head rotations of ``frames``, all fitted onto the first one."""
    first_local, first_rotation = _to_head_frame(_pixels(face[frames[0]], image_size), None)
    locals_, rotations = [first_local], [first_rotation]
    for t in frames[1:]:
        local, rotation = _to_head_frame(_pixels(face[t], image_size), first_local)
        locals_.append(local)
        rotations.append(rotation)
    return locals_, rotations


def _from_frames(
    face: np.ndarray, frames: Sequence[int], image_size: tuple[int, int]
) -> tuple[np.ndarray, dict[str, float], list[dict[str, float]], list[np.ndarray]]:
    """(median head-frame face, median measures, each frame's measures, each frame's rotation)."""
    locals_, rotations = _locals(face, frames, image_size)
    reference = np.median(np.stack(locals_), axis=0)
    measures = [measure(local) for local in locals_]
    features = {k: float(np.median([m[k] for m in measures])) for k in measures[0]}
    return reference, features, measures, rotations


def calibrate(
    face: np.ndarray,
    valid: np.ndarray,
    image_size: tuple[int, int],
    neutral_frame: int | None = None,
    *,
    observed: np.ndarray | None = None,
    fps: float = 30.0,
    find_neutral: bool = True,
) -> FaceCalibration:
    """The neutral face: the picked frame; else (takes of ``MIN_FRAMES_FOR_MEDIAN_EYE`` frames or more,
    ``find_neutral``) the still stretch where the face is most at rest; else a median face with
    physical rest values.

    Arguments:
        observed: (T) frames the tracker saw (default ``valid``); only those can be the neutral.

    Raises:
        ValueError: no frame has a face; NoFaceAtNeutralFrame (a ValueError): the picked frame has none.
    """
    frames = np.flatnonzero(valid)
    if frames.size == 0:
        raise ValueError(
            "no tracked face to calibrate against: film the face toward the camera, or leave the face out"
        )
    if neutral_frame is not None:
        if not (0 <= neutral_frame < valid.shape[0]) or not valid[neutral_frame]:
            raise NoFaceAtNeutralFrame(
                f"The neutral frame {neutral_frame} has no tracked face: pick a frame where the face is "
                f"seen (for example {int(frames[0])}), or leave it automatic (-1)."
            )
        reference, features, _measures, rotations = _from_frames(face, [neutral_frame], image_size)
        return FaceCalibration(
            reference, features, rotations[0], neutral_frame, "picked", (neutral_frame, neutral_frame)
        )
    median = _median_calibration(face, list(frames), image_size)
    if not find_neutral or frames.size < MIN_FRAMES_FOR_MEDIAN_EYE:
        return median
    stretch = _rest_stretch(face, valid if observed is None else valid & observed, image_size, fps, median)
    if stretch is None:
        return median
    chosen = list(range(stretch.first, stretch.last + 1))
    reference, features, _measures, rotations = _from_frames(face, chosen, image_size)
    return FaceCalibration(
        reference,
        features,
        _mean_rotation(np.stack(rotations)),
        stretch.frame,
        "found",
        (stretch.first, stretch.last),
        stretch.cost,
    )


def _median_calibration(face: np.ndarray, frames: list[int], image_size: tuple[int, int]) -> FaceCalibration:
    reference, features, measures, rotations = _from_frames(face, frames, image_size)
    if len(measures) >= 4:
        # A neutral face has its mouth closed: the mouth's rest shape comes from the quarter of the
        # frames with the smallest lip gap (a talking head's median mouth is half open).
        gaps = np.array([m["lip_gap"] for m in measures])
        closed = [m for m, g in zip(measures, gaps, strict=True) if g <= np.percentile(gaps, 25)]
        for k in _MOUTH_MEASURES:
            features[k] = float(np.median([m[k] for m in closed]))
    features["lip_gap"] = REST_LIP_GAP
    if len(frames) < MIN_FRAMES_FOR_MEDIAN_EYE:
        # Too few frames to know this person's open eye (a photo): a typical relaxed eye.
        features["eye_aspectLeft"] = features["eye_aspectRight"] = REST_EYE_ASPECT
    # Otherwise the median: eyes are open far longer than they blink.
    return FaceCalibration(reference, features, _mean_rotation(np.stack(rotations)), None)


def _rest_stretch(
    face: np.ndarray,
    usable: np.ndarray,
    image_size: tuple[int, int],
    fps: float,
    median: FaceCalibration,
) -> RestStretch | None:
    """``face_rest.find_rest`` on the curves measured against the median face."""
    count = face.shape[0]
    mouth, eyes = np.full(count, np.nan), np.full(count, np.nan)
    local = np.full((count, face.shape[1], 3), np.nan)
    rotations = np.tile(np.eye(3), (count, 1, 1))
    for t in np.flatnonzero(usable):
        local[t], rotations[t] = _to_head_frame(_pixels(face[t], image_size), median.reference)
        weights = blendshapes_from_measures(measure(local[t]), median.features)
        mouth[t], eyes[t] = weights[_MOUTH_CURVES].sum(), weights[_EYE_CURVES].sum()
    costs = rest_costs(mouth, eyes, local, rotations, median.neutral_rotation, fps)
    return find_rest(costs, usable, fps)


def _mean_rotation(rotations: np.ndarray) -> np.ndarray:
    u, _s, vt = np.linalg.svd(rotations.mean(0))
    r = u @ vt
    if np.linalg.det(r) < 0:
        u[:, -1] *= -1
        r = u @ vt
    return r


@dataclass
class FaceCurves:
    """What ``face_track`` measures: curves, head rotation and the neutral they are measured against."""

    weights: np.ndarray  # (T, 52) in ``ARKIT_BLENDSHAPES`` order, NaN without a face
    head: np.ndarray  # (T, 4) wxyz, Blender axes, relative to the neutral head pose
    calibration: FaceCalibration | None  # None when no frame has a face


def face_track(
    face: np.ndarray,
    valid: np.ndarray,
    image_size: tuple[int, int],
    neutral_frame: int | None = None,
    *,
    observed: np.ndarray | None = None,
    fps: float = 30.0,
    steady: bool = True,
) -> FaceCurves:
    """Blendshape weights and head rotation for every frame, and the neutral they are measured against.

    Arguments:
        face: (T, 478, 3) normalised landmarks; valid: (T,) bool.
        neutral_frame: the artist's neutral frame, or None (see module docstring).
        observed: (T,) frames the tracker saw, not filled in (default ``valid``); fps: the take's rate.
        steady: hold the curves where the whole face is still (``face_steady``); frames that move
        keep their measured values.

    Raises:
        NoFaceAtNeutralFrame: ``neutral_frame`` has no tracked face (a ``ValueError`` too).
    """
    frames = face.shape[0]
    weights = np.full((frames, len(ARKIT_BLENDSHAPES)), np.nan, np.float32)
    head = np.full((frames, 4), np.nan, np.float32)
    if not valid.any():
        if neutral_frame is not None:
            raise NoFaceAtNeutralFrame(
                f"The neutral frame {neutral_frame} has no tracked face: no frame of this take has one. "
                "Film the face toward the camera, or leave the neutral frame automatic (-1)."
            )
        return FaceCurves(weights, head, None)
    calibration = calibrate(face, valid, image_size, neutral_frame, observed=observed, fps=fps)
    locals_ = np.full((frames, face.shape[1], 3), np.nan)
    for t in np.flatnonzero(valid):
        locals_[t], rotation = _to_head_frame(_pixels(face[t], image_size), calibration.reference)
        weights[t] = blendshapes_from_measures(measure(locals_[t]), calibration.features)
        relative = rotation @ calibration.neutral_rotation.T
        head[t] = matrix_to_quat(CAMERA_TO_BLENDER @ relative @ CAMERA_TO_BLENDER.T)
    if steady:
        weights = hold_at_rest(weights, stillness(locals_, valid, fps), fps, _HOLD_BANDS)
    return FaceCurves(weights, head, calibration)


def face_curves(
    face: np.ndarray,
    valid: np.ndarray,
    image_size: tuple[int, int],
    neutral_frame: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``face_track``'s (weights (T, 52), head rotation (T, 4)) for frames measured each on its own (photos,
    landmarks moved by known amounts): 30 fps, every valid frame observed, no still hold.

    Raises:
        ValueError: ``neutral_frame`` has no tracked face.
    """
    curves = face_track(face, valid, image_size, neutral_frame, steady=False)
    return curves.weights, curves.head
