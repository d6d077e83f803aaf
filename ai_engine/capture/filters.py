"""Clean-up of raw landmark tracks: gap filling, One Euro smoothing, left/right swap repair.

All functions are pure numpy over (T, ...) arrays with a (T,) validity mask, so they are testable on
synthetic signals and reusable for any landmark set.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from ..gaps import runs_of_true  # gap filling is shared with retargeting: ai_engine/gaps.py
from .landmarks import POSE, POSE_LIMB_PAIRS, POSE_MIRROR


def smoothing_parameters(strength: float) -> tuple[float, float]:
    """One Euro (min_cutoff Hz, beta) for an artist strength in [0, 1] (0: off, 1: heavy).

    min_cutoff falls geometrically from 6 Hz to 0.4 Hz; beta (how fast the cutoff opens on quick
    moves, per body-size per second) stays high enough that fast gestures are not dragged.
    """
    strength = min(max(float(strength), 0.0), 1.0)
    return 6.0 * (0.4 / 6.0) ** strength, 0.8


def _alpha(cutoff: np.ndarray | float, dt: float) -> np.ndarray | float:
    tau = 1.0 / (2.0 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


def _one_euro_pass(x: np.ndarray, dt: float, min_cutoff: float, beta: float, scale: float) -> np.ndarray:
    """Causal One Euro filter over axis 0 of x (T, P, C); speed is per point (norm over C)."""
    out = np.empty_like(x)
    out[0] = x[0]
    speed_prev = np.zeros((*x.shape[1:-1], 1), x.dtype)
    alpha_d = _alpha(1.0, dt)
    for t in range(1, x.shape[0]):
        velocity = (x[t] - out[t - 1]) / dt
        speed = np.linalg.norm(velocity, axis=-1, keepdims=True) / scale
        speed_hat = alpha_d * speed + (1 - alpha_d) * speed_prev
        cutoff = min_cutoff + beta * speed_hat
        a = _alpha(cutoff, dt)
        out[t] = a * x[t] + (1 - a) * out[t - 1]
        speed_prev = speed_hat
    return out


def one_euro(
    values: np.ndarray,
    valid: np.ndarray,
    fps: float,
    strength: float,
    scale: float = 1.0,
    breaks: np.ndarray | None = None,
) -> np.ndarray:
    """Zero-lag One Euro smoothing: the filter runs forward and backward and the passes are averaged.

    Each run of valid frames is filtered on its own (a gap, or a ``breaks`` frame, resets the filter).

    Arguments:
        values: (T, P, C) points; valid: (T,) bool.
        strength: 0 (off) … 1 (heavy), see ``smoothing_parameters``.
        scale: the size of the subject in ``values``' units (speeds are measured in sizes per second).
    """
    if strength <= 0 or values.shape[0] < 3:
        return values.copy()
    min_cutoff, beta = smoothing_parameters(strength)
    dt = 1.0 / max(fps, 1e-3)
    out = values.copy()
    pieces: list[tuple[int, int]] = []
    for start, end in runs_of_true(valid):
        inner = [] if breaks is None else [int(b) + start for b in np.flatnonzero(breaks[start:end]) if b > 0]
        pieces += list(itertools.pairwise([start, *inner, end]))
    for start, end in pieces:
        if end - start < 3:
            continue
        segment = values[start:end].astype(np.float64)
        forward = _one_euro_pass(segment, dt, min_cutoff, beta, scale)
        backward = _one_euro_pass(segment[::-1], dt, min_cutoff, beta, scale)[::-1]
        out[start:end] = ((forward + backward) / 2).astype(values.dtype)
    return out


def _limb_distance(a: np.ndarray, b: np.ndarray, mirrored: bool) -> float:
    """Mean image distance of the limb landmarks of frame a to frame b (b mirrored if asked)."""
    left = [p[0] for p in POSE_LIMB_PAIRS]
    right = [p[1] for p in POSE_LIMB_PAIRS]
    if mirrored:
        return float(
            (np.linalg.norm(a[left] - b[right], axis=1) + np.linalg.norm(a[right] - b[left], axis=1)).mean()
        )
    return float(
        (np.linalg.norm(a[left] - b[left], axis=1) + np.linalg.norm(a[right] - b[right], axis=1)).mean()
    )


# Costs of the two-state (labels as given / labels mirrored) path through the frames.
_COST_SILENT_SWITCH = 3.0  # change state where the limbs did not visibly jump
_COST_IGNORE_JUMP = 3.0  # keep state where MediaPipe's labels visibly jumped
_COST_AGAINST_FACE = 1.0  # per frame whose seen face contradicts the state
_COST_MIRRORED = 0.05  # per mirrored frame without evidence: MediaPipe is right most of the time
# A label jump: the limbs sit closer to the previous frame's opposite side than to their own. MediaPipe
# often spreads a flip over two frames (one limb pair first), so the margin is modest.
_JUMP_RATIO = 0.8


def label_jumps(body_image: np.ndarray, valid: np.ndarray, image_size: tuple[int, int]) -> np.ndarray:
    """(T,) bool: frames whose limbs match the previous frame far better with left and right exchanged."""
    xy = body_image[..., :2] * np.asarray(image_size, np.float64)
    torso = np.linalg.norm(
        (xy[:, POSE["left_shoulder"]] + xy[:, POSE["right_shoulder"]]) / 2
        - (xy[:, POSE["left_hip"]] + xy[:, POSE["right_hip"]]) / 2,
        axis=1,
    )
    jumps = np.zeros(valid.shape[0], bool)
    for t in range(1, valid.shape[0]):
        if valid[t] and valid[t - 1]:
            same = _limb_distance(xy[t], xy[t - 1], mirrored=False)
            mirrored = _limb_distance(xy[t], xy[t - 1], mirrored=True)
            jumps[t] = mirrored < _JUMP_RATIO * same and same > 0.15 * max(float(torso[t]), 1.0)
    return jumps


def identity_jumps(
    body_image: np.ndarray, valid: np.ndarray, image_size: tuple[int, int], look_back: int = 15
) -> np.ndarray:
    """(T,) bool: frames where the body is far from where it was last seen (within ``look_back``
    frames) — more than a torso length, plus a third of one per frame in between. MediaPipe's tracker
    then jumped to someone else, or re-detected the person elsewhere; nothing is bridged across it."""
    xy = body_image[..., :2] * np.asarray(image_size, np.float64)
    hips = (xy[:, POSE["left_hip"]] + xy[:, POSE["right_hip"]]) / 2
    torso = np.linalg.norm((xy[:, POSE["left_shoulder"]] + xy[:, POSE["right_shoulder"]]) / 2 - hips, axis=1)
    jumps = np.zeros(valid.shape[0], bool)
    last = -1
    for t in np.flatnonzero(valid):
        if last >= 0 and t - last <= look_back:
            apart = t - last
            limit = max(float(torso[t]), 1.0) * max(1.0, apart / 3.0)
            jumps[t] = float(np.linalg.norm(hips[t] - hips[last])) > limit
        last = int(t)
    return jumps


def facing_evidence(
    body_image: np.ndarray, valid: np.ndarray, image_size: tuple[int, int], facing_camera: np.ndarray
) -> np.ndarray:
    """(T,) +1 where a seen face agrees with the labels (left shoulder on the image's right), -1 where
    it contradicts them, 0 without a face or with the shoulders too close to tell."""
    xy = body_image[..., :2] * np.asarray(image_size, np.float64)
    dx = xy[:, POSE["left_shoulder"], 0] - xy[:, POSE["right_shoulder"], 0]
    torso = np.linalg.norm(
        (xy[:, POSE["left_shoulder"]] + xy[:, POSE["right_shoulder"]]) / 2
        - (xy[:, POSE["left_hip"]] + xy[:, POSE["right_hip"]]) / 2,
        axis=1,
    )
    clear = np.abs(np.nan_to_num(dx)) > 0.2 * np.maximum(np.nan_to_num(torso), 1.0)
    return np.where(valid & facing_camera & clear, np.sign(np.nan_to_num(dx)), 0.0)


def detect_left_right_swaps(
    body_image: np.ndarray,
    valid: np.ndarray,
    image_size: tuple[int, int],
    facing_camera: np.ndarray | None = None,
) -> np.ndarray:
    """Frames whose left/right labels MediaPipe mirrored, to be exchanged back.

    A two-state path (labels right / labels mirrored) is chosen by dynamic programming from two cues:
    continuity — where the limbs match the previous frame far better with left and right exchanged,
    MediaPipe's labels jumped and the state must change there; and orientation — where a face is seen
    (``facing_camera``) the person faces the camera, so their left shoulder is on the image's right.
    Without evidence the labels are trusted. Gaps cut the continuity.

    Arguments:
        body_image: (T, 33, 3) normalised image landmarks; valid: (T,) bool.
        facing_camera: (T,) bool, frames where the face is seen (None: no orientation cue).

    Returns:
        (T,) bool, True where left and right must be exchanged.
    """
    frames = valid.shape[0]
    if frames == 0:
        return np.zeros(0, bool)
    jumps = label_jumps(body_image, valid, image_size)
    broken = identity_jumps(body_image, valid, image_size)
    evidence = (
        facing_evidence(body_image, valid, image_size, facing_camera)
        if facing_camera is not None
        else np.zeros(frames)
    )
    # unary[t, s]: state 0 keeps MediaPipe's labels, state 1 exchanges them.
    unary = np.zeros((frames, 2))
    unary[:, 1] = np.where(valid, _COST_MIRRORED, 0.0)
    unary[:, 0] += np.where(evidence < 0, _COST_AGAINST_FACE, 0.0)
    unary[:, 1] += np.where(evidence > 0, _COST_AGAINST_FACE, 0.0)
    cost = unary[0].copy()
    back = np.zeros((frames, 2), np.int8)
    for t in range(1, frames):
        if not (valid[t] and valid[t - 1]) or broken[t]:
            stay, change = 0.0, 0.0
        elif jumps[t]:
            stay, change = _COST_IGNORE_JUMP, 0.0
        else:
            stay, change = 0.0, _COST_SILENT_SWITCH
        new = np.empty(2)
        for s in (0, 1):
            from_same, from_other = cost[s] + stay, cost[1 - s] + change
            back[t, s] = s if from_same <= from_other else 1 - s
            new[s] = min(from_same, from_other) + unary[t, s]
        cost = new
    states = np.zeros(frames, np.int8)
    states[-1] = int(np.argmin(cost))
    for t in range(frames - 1, 0, -1):
        states[t - 1] = back[t, states[t]]
    return (states == 1) & valid


def apply_swaps(points: np.ndarray, swapped: np.ndarray) -> np.ndarray:
    """Exchange left and right pose landmarks on the flagged frames of a (T, 33, ...) array."""
    out = points.copy()
    out[swapped] = points[swapped][:, list(POSE_MIRROR)]
    return out
