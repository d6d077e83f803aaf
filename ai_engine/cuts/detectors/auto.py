"""``auto``: the classic pass proposes, TransNetV2 confirms and localises, only where needed.

1. The fast pass (``fast.analyse``) splits what it saw into *confident* boundaries (a large
   isolated jump; a fade through black; a near-perfect mix of two pictures) and *regions* it
   is unsure about (weaker peaks, anything that might be gradual). Flashes and glitches (the
   picture comes back within a few frames) are dropped before either.
   Its candidate thresholds are permissive on purpose: a region costs one network window, a
   missed region costs a missed cut.
2. TransNetV2 runs only on the grid windows covering those regions (``neural.predict`` with a
   window list), so its scores there are exactly those of a whole-clip run. Its boundaries
   inside the covered windows are kept as TransNetV2 alone would keep them; a transition that
   runs into an uncovered frame pulls in the neighbouring window.
   Its hard cuts go through the same flash/glitch test (TransNetV2 takes some flashes for cuts).
3. Confident fast boundaries are added unless the network already placed the same boundary.

A clip with only clean cuts never loads the network at all.
"""

from __future__ import annotations

import numpy as np

from .. import neural
from ..cutlist import Cut
from ..fast import FastAnalysis, enforce_min_shot, is_flash_or_glitch, join_fades
from ..features import ClipFeatures, clip_steps
from . import DetectOptions, Detector, Found

MAX_GROW_ROUNDS = 4
# TransNetV2 hard cuts at least this sure stand even when the picture seems to come back (a cut next
# to a damaged frame looks like a glitch to the classic test); below it, the test drops flashes.
NETWORK_CONFIDENT = 0.9
DUPLICATE_SLACK = 2


def _covered_windows(regions: list[tuple[int, int]], frame_count: int) -> list[int]:
    frames: set[int] = set()
    for first, last in regions:
        frames.update(range(max(0, first), min(frame_count - 1, last) + 1))
    return neural.windows_for_frames(frames, frame_count)


def _windows_to_grow(single: np.ndarray, many: np.ndarray, done: set[int]) -> set[int]:
    """Windows next to covered ones where a transition runs off the covered frames."""
    count = len(single)
    grow: set[int] = set()
    for k in done:
        first, last = k * neural.STEP, min(count, (k + 1) * neural.STEP) - 1
        hot = np.nan_to_num(many, nan=0.0) > neural.THRESHOLD
        if first > 0 and hot[first] and (k - 1) not in done:
            grow.add(k - 1)
        if last < count - 1 and hot[last] and (k + 1) not in done:
            grow.add(k + 1)
    return grow


class AutoDetector(Detector):
    name = "auto"
    summary = "classic pass everywhere, TransNetV2 only where the classic pass is unsure (default)"

    def detect(self, features: ClipFeatures, analysis: FastAnalysis, options: DetectOptions) -> Found:
        """Raises ``Cancelled`` between network batches."""
        cuts, network = _cascade(features, analysis, options)
        return Found(cuts=cuts, network=network)


def _cascade(
    features: ClipFeatures, analysis: FastAnalysis, options: DetectOptions
) -> tuple[list[Cut], np.ndarray | None]:
    """The cascade's cuts, and the network's per-frame scores (NaN where it did not run; None if never)."""
    count = features.frame_count
    windows = _covered_windows(analysis.regions, count)
    if not windows:
        return list(analysis.confident), None
    done: set[int] = set()
    single = np.full(count, np.nan, np.float32)
    many = np.full(count, np.nan, np.float32)
    for _ in range(MAX_GROW_ROUNDS):
        todo = [k for k in windows if k not in done]
        if not todo:
            break
        s, m = neural.predict(
            features.thumbs,
            todo,
            device=options.device,
            progress=options.progress,
            should_stop=options.should_stop,
        )
        ran = ~np.isnan(s)
        single[ran], many[ran] = s[ran], m[ran]
        done.update(todo)
        windows = sorted(_windows_to_grow(single, many, done))
    confirmed = [
        cut
        for cut in neural.transitions_from_scores(single, many, features.thumbs, features.luma)
        # TransNetV2 takes some flashes for cuts; the picture coming back says otherwise.
        if cut.kind != "cut"
        or cut.score >= NETWORK_CONFIDENT
        or not is_flash_or_glitch(features.thumbs, cut.frame)
    ]
    cuts = list(confirmed)
    for cut in analysis.confident:
        if not any(
            other.start - DUPLICATE_SLACK <= cut.frame <= other.end + DUPLICATE_SLACK
            or cut.start - DUPLICATE_SLACK <= other.frame <= cut.end + DUPLICATE_SLACK
            for other in confirmed
        ):
            cuts.append(cut)
    return enforce_min_shot(
        join_fades(cuts, features.thumbs, features.luma, steps=clip_steps(features)), options.min_shot
    ), single
