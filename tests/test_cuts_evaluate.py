"""The scoring rules of issue #3, which the detector tests and the bench rely on."""

from __future__ import annotations

from ai_engine.cuts.evaluate import Truth, score_boundaries, truths_from_annotation


def test_hard_cuts_match_within_two_frames_once() -> None:
    truth = [Truth(100, 100, "cut"), Truth(200, 200, "cut")]
    score = score_boundaries([98, 101, 203], truth)
    # 98 and 101 both reach 100 but only one may count; 203 is 3 frames off.
    assert (score.true_positives, score.false_positives, score.false_negatives) == (1, 2, 1)


def test_gradual_needs_a_boundary_inside_its_span() -> None:
    truth = [Truth(50, 70, "dissolve")]
    assert score_boundaries([60], truth).f1 == 1.0
    assert score_boundaries([72], truth).true_positives == 0


def test_fade_to_black_at_the_very_end_is_ignored() -> None:
    entry = {"frames": 720, "hard_cuts": [30], "fade_out": [[331, 360], [664, 693]]}
    expected, ignored = truths_from_annotation(entry)
    assert [t.start for t in expected] == [30, 331] and [t.start for t in ignored] == [664]
    score = score_boundaries([30, 350, 690], expected, ignored)
    assert score.f1 == 1.0
    assert score_boundaries([30], expected, ignored).false_negatives == 1


def test_empty_clip_without_predictions_is_perfect() -> None:
    score = score_boundaries([], [])
    assert (score.precision, score.recall, score.f1) == (1.0, 1.0, 1.0)


def test_matching_pairs_each_truth_with_its_closest_boundary() -> None:
    from ai_engine.cuts.evaluate import match_boundaries

    truth = [Truth(100, 100, "cut"), Truth(150, 170, "dissolve")]
    matching = match_boundaries([171, 160, 99, 300], truth)
    assert matching.predicted == [99, 160, 171, 300]
    assert matching.pairs == [(0, 0), (1, 1)]  # 171 is outside the span: gradual spans get no slack
    assert matching.score == score_boundaries([171, 160, 99, 300], truth)


def test_span_iou_of_inclusive_spans() -> None:
    from ai_engine.cuts.evaluate import span_iou

    assert span_iou((10, 19), (10, 19)) == 1.0
    assert span_iou((10, 19), (15, 24)) == 5 / 15
    assert span_iou((10, 10), (20, 30)) == 0.0
