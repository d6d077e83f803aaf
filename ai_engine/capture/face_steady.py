"""Steady at rest: face curves held where the whole face is still, untouched where it moves.

The mesh's noise on a small face (a 2–3 px iris on a 60 px face) is slow — it drifts with the crop and
the codec's keyframes — so smoothing each curve on its own either leaves it or eats blinks. Here the
decision is taken on the face as a whole: the motion of each region (both eyes' rings, the lips) in
the head frame, averaged over its landmarks, is far above the noise whenever something fast moves (a
blink, a word). Frames where every region stays below ``STILL_MOTION`` are still; there each curve
moves toward its average over the same still run (a Gaussian of ``HOLD_SECONDS``, weighted by
stillness, so a blink or a word never leaks in), but never further than its band from what was
measured; between still and moving the two blend, and moving frames keep their values exactly.

What it costs: on a face this small a slow expression (a smile growing over a second, two pixels at
the mouth corner) moves no faster than the noise, so it is followed late by up to its band
(``LOOK_BAND`` for gaze, ``BAND`` for the rest); ``bench/capture.py --only facesteady`` measures both.
"""

from __future__ import annotations

import numpy as np

from ..gaps import runs_of_true

# Head-frame landmark rings whose mean motion decides stillness. The brows are left out: on a small
# face their head-frame points are the noisiest at rest (the forehead points that fix the head frame
# are beside them), and a brow raise moves them far faster than ``MOVING_MOTION`` anyway.
_REGIONS: tuple[tuple[int, ...], ...] = (
    (33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173),  # right eye
    (263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398),  # left eye
    (61, 291, 0, 17, 13, 14, 37, 267, 84, 314, 40, 270, 91, 321, 78, 308, 81, 311, 178, 402),  # lips
)
STILL_MOTION = 0.003  # face-size units per 1/30 s (the busiest region): still below this …
MOVING_MOTION = 0.006  # … moving above this (blended between)
STILL_MEDIAN_FRAMES = 9  # a codec keyframe's jump (one or two frames) does not break a still
HOLD_SECONDS = 2.0  # the Gaussian's sigma over the still run: a still face is held, not just smoothed
BAND = 0.1  # the most the hold moves a curve from its measured value …
LOOK_BAND = 0.3  # … and a gaze curve (the iris's noise is the largest: 2–3 px irises)


def stillness(local: np.ndarray, valid: np.ndarray, fps: float) -> np.ndarray:
    """(T) 1 where the face is still, 0 where any region moves, between in the blend band.

    Arguments:
        local: (T, N, 3) landmarks in the head frame (face-size units), NaN where not valid;
        valid: (T) bool; fps: frames per second.
    """
    count = local.shape[0]
    if count < 2:
        return np.zeros(count)
    steps = np.linalg.norm(np.diff(local, axis=0), axis=2)  # (T-1, N)
    busiest = np.stack([steps[:, list(r)].mean(1) for r in _REGIONS], axis=1).max(1) * fps / 30.0
    busiest = np.where(np.isfinite(busiest), busiest, np.inf)
    # A frame is as still as the larger of its two steps (in and out).
    motion = np.maximum(np.concatenate([busiest[:1], busiest]), np.concatenate([busiest, busiest[-1:]]))
    half = STILL_MEDIAN_FRAMES // 2
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(motion, half, mode="edge"), STILL_MEDIAN_FRAMES)
    settled = np.median(windows, axis=1)
    still = np.clip((MOVING_MOTION - settled) / (MOVING_MOTION - STILL_MOTION), 0.0, 1.0)
    return np.where(valid, still, 0.0)


def hold_at_rest(weights: np.ndarray, still: np.ndarray, fps: float, bands: np.ndarray) -> np.ndarray:
    """Curves averaged over the still frames of the same still run, blended by ``still``.

    Arguments:
        weights: (T, K) curves (NaN where no face); still: (T) in [0, 1] (``stillness``); fps;
        bands: (K) the most each curve may be moved (``BAND``, ``LOOK_BAND``).

    Returns:
        (T, K) curves: unchanged where ``still`` is 0; a run of still frames never borrows from another
        (two still faces a word apart are two rests, not one).
    """
    finite = np.isfinite(weights).all(1)
    w = np.where(finite, still, 0.0)
    out = weights.copy()
    if not (w > 0).any():
        return out
    sigma = HOLD_SECONDS * fps
    for first, last in runs_of_true(w > 0):
        values = weights[first:last].astype(np.float64)
        share = w[first:last]
        count = last - first
        offsets = np.arange(count)
        kernel = np.exp(-0.5 * ((offsets[:, None] - offsets[None, :]) / sigma) ** 2) * share[None, :]
        held = kernel @ values / kernel.sum(1, keepdims=True)
        # Never further than ``bands`` from what was measured: a slow real change is followed, late by
        # at most its band, while noise within the band is held flat.
        held = values + np.clip(held - values, -bands, bands)
        out[first:last] = share[:, None] * held + (1.0 - share[:, None]) * values
    return out
