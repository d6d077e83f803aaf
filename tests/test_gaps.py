"""``ai_engine.gaps.fill_gaps``: the one gap filler of capture (whole frames, bounded gaps, tracker
jumps) and retargeting (per joint, any length, ends held)."""

from __future__ import annotations

import numpy as np

from ai_engine.gaps import fill_gaps, runs_of_true


def test_runs_of_true() -> None:
    assert runs_of_true(np.array([1, 1, 0, 1, 0, 0, 1], bool)) == [(0, 2), (3, 4), (6, 7)]
    assert runs_of_true(np.zeros(4, bool)) == []


def test_per_joint_gaps_with_held_ends_as_the_solver_fills_them() -> None:
    t = np.arange(10, dtype=float)
    pos = np.stack(
        [np.stack([t, 2 * t, -t], axis=1), np.stack([t * 0 + 5, t, t], axis=1)], axis=1
    )  # (10, 2, 3)
    pos[3:6, 0] = np.nan  # inner gap of joint 0
    pos[:2, 1] = np.nan  # leading gap of joint 1
    pos[8:, 1] = np.nan  # trailing gap of joint 1
    never = np.full((10, 1, 3), np.nan)  # a joint never seen stays unseen
    values = np.concatenate([pos, never], axis=1)
    valid = ~np.isnan(values).any(axis=-1)
    filled_values, filled = fill_gaps(values, valid, hold_ends=True)
    np.testing.assert_allclose(filled_values[3:6, 0], np.stack([t[3:6], 2 * t[3:6], -t[3:6]], axis=1))
    np.testing.assert_allclose(filled_values[:2, 1], np.tile([5.0, 2.0, 2.0], (2, 1)))  # held: frame 2
    np.testing.assert_allclose(filled_values[8:, 1], np.tile([5.0, 7.0, 7.0], (2, 1)))  # held: frame 7
    assert np.isnan(filled_values[:, 2]).all() and not filled[:, 2].any()
    assert filled[:, 0].tolist() == [False] * 3 + [True] * 3 + [False] * 4
    assert filled[:, 1].sum() == 4
    # Same as numpy's linear interpolation per joint and axis.
    for c in range(3):
        ok = valid[:, 0]
        np.testing.assert_allclose(filled_values[:, 0, c], np.interp(t, t[ok], values[ok, 0, c]))


def test_whole_frame_mask_leaves_ends_and_long_gaps_without_hold() -> None:
    values = np.arange(12, dtype=float).reshape(12, 1)
    valid = np.ones(12, bool)
    valid[0] = valid[11] = False
    valid[4:9] = False  # 5 frames: longer than max_gap
    out, filled = fill_gaps(np.where(valid[:, None], values, -1.0), valid, max_gap=4)
    assert not filled.any() and (out[~valid] == -1.0).all()
    out, filled = fill_gaps(np.where(valid[:, None], values, -1.0), valid, max_gap=5)
    np.testing.assert_allclose(out[4:9, 0], values[4:9, 0])
    assert filled.tolist() == [False] * 4 + [True] * 5 + [False] * 3
