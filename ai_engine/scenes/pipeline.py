"""One decoding pass → shots (the cuts detector), scenes and cut errors.

Decoding and cut detection are ``ai_engine.cuts`` (``extract_features`` + ``detect_from_features``,
the two halves of ``detect_cuts``); scenes and checks reuse those features, so they add only their
own small cost (see bench/scenes.py for the measured share).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ..cuts.cutlist import CutList
from ..cuts.detect import detect_from_features
from ..cuts.features import ClipFeatures, extract_features
from ..progress import ProgressFn, StopFn, check_stop, never_stop, no_progress, sub_progress
from ..video import probe
from .contract import Problem, Scene, ScenesResult, Shot
from .embed import ShotEmbeddings, embed_shots, interiors
from .group import CNN_THRESHOLD, CNN_WEIGHT, THRESHOLD, link_scenes, similarity


@dataclass
class Analysis:
    features: ClipFeatures
    cut_list: CutList
    shots: list[tuple[int, int]]
    embeddings: ShotEmbeddings | None = None


def shots_of(cut_list: CutList, frame_count: int) -> list[tuple[int, int]]:
    """Inclusive ``(first, last)`` per shot from the cut frames."""
    starts = [0, *sorted({c.frame for c in cut_list.cuts if 0 < c.frame < frame_count})]
    ends = [*(s - 1 for s in starts[1:]), frame_count - 1]
    return [(a, b) for a, b in zip(starts, ends, strict=True) if b >= a]


def detect(
    video: str | os.PathLike[str],
    detector: str = "auto",
    *,
    min_shot: int | None = None,
    device: str | None = None,
    progress: ProgressFn = no_progress,
    should_stop: StopFn = never_stop,
) -> Analysis:
    info = probe(video, should_stop=should_stop)
    features = extract_features(
        video, info=info, progress=sub_progress(progress, 0.0, 0.7), should_stop=should_stop
    )
    check_stop(should_stop)
    detection = detect_from_features(
        features,
        detector,
        min_shot=min_shot,
        device=device,
        progress=sub_progress(progress, 0.7, 0.9),
        should_stop=should_stop,
    )
    cut_list = detection.cut_list
    return Analysis(features, cut_list, shots_of(cut_list, features.frame_count))


def group(
    analysis: Analysis,
    *,
    threshold: float | None = None,
    device: str | None = None,
    use_cnn: bool = False,
    progress: ProgressFn = no_progress,
    should_stop: StopFn = never_stop,
) -> list[list[int]]:
    transitions = [(c.start, c.end) for c in analysis.cut_list.cuts if c.end > c.start]
    spans = interiors(analysis.shots, transitions)
    analysis.embeddings = embed_shots(
        analysis.features.thumbs,
        spans,
        use_cnn=use_cnn,
        device=device,
        progress=progress,
        should_stop=should_stop,
    )
    if use_cnn:
        return link_scenes(similarity(analysis.embeddings, CNN_WEIGHT), threshold or CNN_THRESHOLD)
    return link_scenes(similarity(analysis.embeddings), threshold or THRESHOLD)


def scenes_result(analysis: Analysis, scenes: list[list[int]]) -> ScenesResult:
    shots = analysis.shots
    return ScenesResult(
        video=str(analysis.cut_list.video),
        fps=float(analysis.cut_list.fps),
        frame_count=int(analysis.features.frame_count),
        shots=tuple(Shot(a, b) for a, b in shots),
        scenes=tuple(Scene(shots[m[0]][0], shots[m[-1]][1], tuple(m)) for m in scenes),
        cuts=tuple(int(s[0]) for s in shots[1:]),
    )


def check(analysis: Analysis) -> list[Problem]:
    from .check import find_problems

    transitions = [(c.start, c.end) for c in analysis.cut_list.cuts if c.end > c.start]
    return find_problems(analysis.features, [s[0] for s in analysis.shots[1:]], transitions)


def shot_motion(features: ClipFeatures, shots: list[tuple[int, int]]) -> np.ndarray:
    """Mean picture change per frame inside each shot (0..255 scale)."""
    content = features.content
    return np.array([float(content[a + 1 : b + 1].mean()) if b > a else 0.0 for a, b in shots], np.float32)
