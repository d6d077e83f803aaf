"""Where a take's face is most at rest: the still stretch the face is calibrated from when the artist
picks no neutral frame.

Each frame gets a rest cost from what a neutral face is — mouth closed, eyes at their usual opening,
little motion of the face and of the head, head near its median pose — measured on the curves of a
first pass against the track's median face (``face.calibrate`` without a neutral: lips closed and the
median eye are physical rests, so those curves already say "open" and "blinking"). The stretch of
``REST_SECONDS`` whose mean cost is lowest wins; only frames the tracker saw (not interpolated) count.

The weights make each term's typical value about 1 on the tuning takes (the carphone talking head
with constructed still stretches, ``bench/capture.py --only facerest``); brows and other shapes whose
rest is a person's own are left out: measured against a median they mark a raised-brow talker's
rest as an expression.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

REST_SECONDS = 0.2  # the stretch calibrated from: long enough to average the mesh's noise
MOUTH_WEIGHT = 1.0  # per unit of the summed mouth and jaw curves
EYE_WEIGHT = 2.0  # per unit of the summed blink / wide / squint curves
FACE_MOTION_WEIGHT = 100.0  # per face-size unit of mean landmark motion per 1/30 s
HEAD_MOTION_WEIGHT = 0.5  # per degree of head rotation per 1/30 s
HEAD_POSE_WEIGHT = 1.0 / 15.0  # per degree away from the take's median head pose


@dataclass(frozen=True)
class RestStretch:
    """The stretch found: ``first``…``last`` inclusive, ``frame`` its most restful frame, ``cost`` the
    stretch's mean rest cost (0 would be a perfectly still, closed, open-eyed, median-posed face)."""

    frame: int
    first: int
    last: int
    cost: float


def _angles(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Degrees between rotation matrices ``a`` and ``b`` (…, 3, 3)."""
    cosine = (np.einsum("...ij,...ij->...", a, b) - 1.0) / 2.0
    return np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0)))


def _per_frame(steps: np.ndarray) -> np.ndarray:
    """(T-1) frame-to-frame values → (T) per frame: the mean of the steps either side."""
    if steps.size == 0:
        return np.zeros(1)
    return np.concatenate([steps[:1], (steps[1:] + steps[:-1]) / 2, steps[-1:]])


def rest_costs(
    mouth: np.ndarray,
    eyes: np.ndarray,
    local: np.ndarray,
    rotations: np.ndarray,
    median_rotation: np.ndarray,
    fps: float,
) -> np.ndarray:
    """(T) rest cost of each frame of a run of consecutive tracked frames.

    Arguments:
        mouth, eyes: (T) summed mouth/jaw and eyelid curves against the median face.
        local: (T, N, 3) landmarks in the head frame (face-size units); rotations: (T, 3, 3) head
        rotations (camera axes); median_rotation: (3, 3); fps: frames per second.
    """
    per_30th = fps / 30.0
    face_motion = _per_frame(np.linalg.norm(np.diff(local, axis=0), axis=2).mean(1) * per_30th)
    head_motion = _per_frame(_angles(rotations[1:], rotations[:-1]) * per_30th)
    pose = _angles(rotations, np.broadcast_to(median_rotation, rotations.shape))
    return (
        MOUTH_WEIGHT * mouth
        + EYE_WEIGHT * eyes
        + FACE_MOTION_WEIGHT * face_motion
        + HEAD_MOTION_WEIGHT * head_motion
        + HEAD_POSE_WEIGHT * pose
    )


def find_rest(costs: np.ndarray, usable: np.ndarray, fps: float) -> RestStretch | None:
    """The ``REST_SECONDS`` stretch of usable frames with the lowest mean cost.

    Arguments:
        costs: (T) per-frame rest cost (any value where not usable); usable: (T) bool, frames the
        tracker saw; fps: frames per second.

    Returns:
        The stretch, or None when no run of usable frames is that long.
    """
    length = max(3, int(round(REST_SECONDS * fps)))
    if usable.size < length:
        return None
    masked = np.where(usable & np.isfinite(costs), costs, np.inf)
    windows = np.lib.stride_tricks.sliding_window_view(masked, length)
    means = windows.mean(axis=1)
    if not np.isfinite(means).any():
        return None
    first = int(np.argmin(means))
    frame = first + int(np.argmin(masked[first : first + length]))
    return RestStretch(frame=frame, first=first, last=first + length - 1, cost=float(means[first]))
