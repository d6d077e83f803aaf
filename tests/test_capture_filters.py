"""Gap filling, One Euro smoothing and left/right swap repair on signals with known answers, and
swap repair on real MediaPipe landmarks mirrored over a stretch."""

from __future__ import annotations

import numpy as np
import pytest
from capture_media import CARPHONE, mocap

from ai_engine.capture.filters import (
    apply_swaps,
    detect_left_right_swaps,
    identity_jumps,
    one_euro,
    smoothing_parameters,
)
from ai_engine.capture.landmarks import POSE, POSE_MIRROR
from ai_engine.gaps import fill_gaps


def test_fill_gaps_fills_short_inner_gaps_only() -> None:
    values = np.arange(20, dtype=float).reshape(20, 1, 1)
    valid = np.ones(20, bool)
    valid[[0, 1]] = False  # leading: never invented
    valid[5:8] = False  # 3 frames: filled
    valid[10:16] = False  # 6 frames: too long
    valid[19] = False  # trailing
    filled_values, filled = fill_gaps(np.where(valid[:, None, None], values, np.nan), valid, max_gap=4)
    assert filled.tolist() == [t in (5, 6, 7) for t in range(20)]
    np.testing.assert_allclose(filled_values[5:8, 0, 0], [5, 6, 7])
    assert np.isnan(filled_values[[0, 1, 12, 19], 0, 0]).all()


def test_fill_gaps_never_bridges_a_tracker_jump() -> None:
    values = np.arange(10, dtype=float).reshape(10, 1)
    valid = np.ones(10, bool)
    valid[4] = False
    breaks = np.zeros(10, bool)
    breaks[5] = True
    _, filled = fill_gaps(values, valid, max_gap=3, breaks=breaks)
    assert not filled.any()


def test_one_euro_removes_jitter_without_lag() -> None:
    fps = 30.0
    t = np.arange(300) / fps
    # A limb of a body of size 1 swinging 0.2 at 0.3–0.5 Hz, with 1 % landmark jitter.
    truth = (
        0.2 * np.stack([np.sin(2 * np.pi * 0.5 * t), np.cos(2 * np.pi * 0.3 * t), 0 * t], axis=1)[:, None, :]
    )
    noisy = truth + np.random.default_rng(0).normal(scale=0.01, size=truth.shape)
    valid = np.ones(300, bool)
    smoothed = one_euro(noisy, valid, fps, strength=0.5)
    raw_error = np.abs(noisy - truth)[10:-10].mean()
    smooth_error = np.abs(smoothed - truth)[10:-10].mean()
    assert smooth_error < 0.6 * raw_error
    # Zero lag: the smoothed curve is not shifted in time against the truth.
    lags = range(-5, 6)
    best = min(lags, key=lambda k: np.abs(np.roll(smoothed[:, 0, 0], k) - truth[:, 0, 0])[20:-20].mean())
    assert best == 0


def test_smoothing_strength_orders_the_result() -> None:
    rng = np.random.default_rng(1)
    noisy = rng.normal(size=(120, 4, 3))
    valid = np.ones(120, bool)
    roughness = [np.abs(np.diff(one_euro(noisy, valid, 30, s), axis=0)).mean() for s in (0.0, 0.3, 0.7, 1.0)]
    assert roughness == sorted(roughness, reverse=True)
    np.testing.assert_array_equal(one_euro(noisy, valid, 30, 0.0), noisy)
    assert smoothing_parameters(0.2)[0] > smoothing_parameters(0.8)[0]


def test_one_euro_restarts_after_gaps() -> None:
    values = np.concatenate([np.zeros((10, 1, 1)), np.full((5, 1, 1), np.nan), np.ones((10, 1, 1))])
    valid = ~np.isnan(values[:, 0, 0])
    out = one_euro(values, valid, 30, 1.0)
    np.testing.assert_allclose(out[15:, 0, 0], 1.0)  # the second run is not pulled toward the first


def _synthetic_body(frames: int) -> np.ndarray:
    """A walking-in-place body facing the camera (left side on the image's right)."""
    body = np.zeros((frames, 33, 3))
    t = np.arange(frames)
    for name, (x, y) in {
        "shoulder": (0.06, 0.3), "elbow": (0.08, 0.4), "wrist": (0.09, 0.5), "hip": (0.04, 0.55),
        "knee": (0.045, 0.7), "ankle": (0.05, 0.85), "heel": (0.05, 0.87), "foot_index": (0.05, 0.9),
    }.items():  # fmt: skip
        swing = 0.01 * np.sin(t / 5.0)
        body[:, POSE[f"left_{name}"], 0] = 0.5 + x + swing
        body[:, POSE[f"right_{name}"], 0] = 0.5 - x - swing
        body[:, POSE[f"left_{name}"], 1] = y
        body[:, POSE[f"right_{name}"], 1] = y
    return body


def test_a_mirrored_stretch_is_found_by_continuity() -> None:
    body = _synthetic_body(90)
    mirrored = body.copy()
    mirrored[30:60] = body[30:60][:, list(POSE_MIRROR)]
    swapped = detect_left_right_swaps(mirrored, np.ones(90, bool), (1000, 1000))
    assert swapped.tolist() == [30 <= t < 60 for t in range(90)]
    np.testing.assert_allclose(apply_swaps(mirrored, swapped), body)


def test_a_seen_face_decides_which_labelling_is_right() -> None:
    body = _synthetic_body(60)
    wrong_from_start = body[:, list(POSE_MIRROR)]  # mirrored for the whole clip: continuity alone can't tell
    valid = np.ones(60, bool)
    assert not detect_left_right_swaps(wrong_from_start, valid, (1000, 1000)).any()
    facing = np.ones(60, bool)
    assert detect_left_right_swaps(wrong_from_start, valid, (1000, 1000), facing).all()
    assert not detect_left_right_swaps(body, valid, (1000, 1000), facing).any()


def test_a_jump_to_another_place_is_flagged() -> None:
    body = _synthetic_body(20)
    body[12:, :, 0] -= 0.4  # the tracker moved to someone 0.4 image widths away
    jumps = identity_jumps(body, np.ones(20, bool), (1000, 1000))
    assert np.flatnonzero(jumps).tolist() == [12]


@pytest.fixture(scope="module")
def carphone_body() -> np.ndarray:
    from ai_engine.capture.extract import extract_track

    track, _ = extract_track(mocap(*CARPHONE), parts=("body",))
    assert track.body_valid.all()
    return track.body_image.astype(np.float64)


def test_swap_repair_on_real_mediapipe_landmarks(carphone_body: np.ndarray) -> None:
    frames = carphone_body.shape[0]
    valid = np.ones(frames, bool)
    assert detect_left_right_swaps(carphone_body, valid, (176, 144)).sum() == 0
    broken = carphone_body.copy()
    broken[40:80] = carphone_body[40:80][:, list(POSE_MIRROR)]
    swapped = detect_left_right_swaps(broken, valid, (176, 144))
    assert swapped.tolist() == [40 <= t < 80 for t in range(frames)]
