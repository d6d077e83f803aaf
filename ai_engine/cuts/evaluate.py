"""Scoring predicted cuts against ground truth (the rules of issue #3, shared by tests and bench).

* a hard cut ``N`` is found by a predicted boundary within ``tolerance`` frames (±2);
* a gradual transition ``[a, b]`` is found by a predicted boundary inside ``a..b``;
* a fade to black at the very end of the clip is ignored: it is not expected, and a boundary
  predicted inside it is not a false alarm;
* each predicted boundary matches at most one truth and vice versa (closest first).

Ground-truth format: ``ground_truth_cuts.json`` (``hard_cuts``, ``fade_in``, ``fade_out``,
``dissolve``, ``wipe`` lists; ``frames``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

TOLERANCE = 2
END_FADE_MARGIN = 30  # a fade-out ending this close to the last frame counts as "at the very end"


@dataclass(frozen=True)
class Truth:
    """One expected boundary: a hard cut (``start == end``) or a gradual span."""

    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class Score:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(
            self.true_positives + other.true_positives,
            self.false_positives + other.false_positives,
            self.false_negatives + other.false_negatives,
        )


def truths_from_annotation(entry: dict[str, Any]) -> tuple[list[Truth], list[Truth]]:
    """``(expected, ignored)`` from one clip's ground-truth entry."""
    frames = int(entry.get("frames", 0) or 0)
    expected = [Truth(int(n), int(n), "cut") for n in entry.get("hard_cuts", []) or []]
    ignored: list[Truth] = []
    for key, kind in (("fade_in", "fade"), ("fade_out", "fade"), ("dissolve", "dissolve"), ("wipe", "wipe")):
        for a, b in entry.get(key, []) or []:
            truth = Truth(int(a), int(b), kind)
            at_end = key == "fade_out" and frames and int(b) >= frames - 1 - END_FADE_MARGIN
            (ignored if at_end else expected).append(truth)
    return expected, ignored


@dataclass(frozen=True)
class Matching:
    """Which predicted boundary found which truth (indices into the sorted, non-ignored predictions)."""

    predicted: list[int]  # the boundary frames scored, sorted (ignored ones left out)
    pairs: list[tuple[int, int]]  # (index into ``predicted``, index into ``expected``)
    expected_count: int

    @property
    def score(self) -> Score:
        hits = len(self.pairs)
        return Score(hits, len(self.predicted) - hits, self.expected_count - hits)


def match_boundaries(
    predicted: Iterable[int],
    expected: Sequence[Truth],
    ignored: Sequence[Truth] = (),
    *,
    tolerance: int = TOLERANCE,
) -> Matching:
    """Pair predicted boundary frames with expected truths, closest first, each used once."""
    frames = sorted(
        f for f in predicted if not any(t.start - tolerance <= f <= t.end + tolerance for t in ignored)
    )

    def distance(frame: int, truth: Truth) -> int:
        slack = tolerance if truth.kind == "cut" else 0
        if truth.start - slack <= frame <= truth.end + slack:
            return (
                0
                if truth.start <= frame <= truth.end
                else min(abs(frame - truth.start), abs(frame - truth.end))
            )
        return -1

    candidates = sorted(
        (distance(f, t), fi, ti)
        for fi, f in enumerate(frames)
        for ti, t in enumerate(expected)
        if distance(f, t) >= 0
    )
    used_frames: set[int] = set()
    used_truths: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, fi, ti in candidates:
        if fi in used_frames or ti in used_truths:
            continue
        used_frames.add(fi)
        used_truths.add(ti)
        pairs.append((fi, ti))
    return Matching(predicted=frames, pairs=sorted(pairs), expected_count=len(expected))


def score_boundaries(
    predicted: Iterable[int],
    expected: Sequence[Truth],
    ignored: Sequence[Truth] = (),
    *,
    tolerance: int = TOLERANCE,
) -> Score:
    """Match predicted boundary frames to the expected truths and count hits and misses."""
    return match_boundaries(predicted, expected, ignored, tolerance=tolerance).score


def span_iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Intersection over union of two inclusive frame spans."""
    inter = min(a[1], b[1]) - max(a[0], b[0]) + 1
    union = max(a[1], b[1]) - min(a[0], b[0]) + 1
    return max(0, inter) / union if union > 0 else 0.0
