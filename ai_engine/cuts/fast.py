"""The classic detector: decisions from the per-frame features of ``features.py``.

Hard cuts
    A frame's change (HSV content difference and HSV-histogram distance to the previous frame)
    is compared with its neighbourhood's typical change (median over ±``BASELINE_RADIUS``
    frames, the frame itself excluded): ``score = x / (x + 2·baseline + floor)``, averaged over
    the two measures. The threshold adapts because the baseline does: a cut in a calm shot scores
    high, the same change amid fast motion scores low. Peaks above ``FAST_THRESHOLD`` are cuts.

Flashes and glitches
    A flash (a few brightened frames) or a single corrupt frame changes the picture and then gives
    it back. Before a peak is accepted, the frame before it is compared with the frames just after
    (and the frame at it with the frames just before); if the picture comes back within
    ``RETURN_WINDOW`` frames, it was not a cut. A brightness-normalised comparison also catches
    lighting changes that keep the picture's structure.

Gradual transitions
    Fades: runs of black frames with brightness ramping to/from them. Dissolves and wipes: frames
    ``2K`` apart differ like a cut while consecutive frames change little, and the middle frame is
    (close to) a blend of the two ends — which camera motion is not.

Minimum shot length: of two boundaries closer than ``min_shot`` frames, the weaker one goes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .classify import DARK_LUMA, classify_transition
from .cutlist import Cut
from .features import ClipFeatures, clip_steps, grey_steps
from .push import is_push, push_candidates, translation_steps

BASELINE_RADIUS = 6
CONTENT_FLOOR = 15.0
HISTOGRAM_FLOOR = 0.08
FAST_THRESHOLD = 0.45  # the fast detector's decision
CONFIDENT_THRESHOLD = 0.55  # the cascade accepts these without the network
CANDIDATE_THRESHOLD = 0.4  # the cascade asks the network about these
RETURN_WINDOW = 6  # frames within which a flash or glitch gives the picture back
RETURN_RATIO = 0.4  # "gives it back": the distance falls under this share of the jump
GRADUAL_HALF = 8  # K: frames on each side compared for gradual transitions
GRADUAL_DISTANCE = 18.0  # mean RGB difference between frames 2K apart that looks like a new shot
CANDIDATE_GRADUAL_DISTANCE = 12.0
BLEND_RATIO = 0.2  # blend error / distance under which the middle frame is a mix of both ends
CANDIDATE_BLEND_RATIO = 0.3
LINEARITY = 0.9  # a dissolve moves every pixel one way; motion goes back and forth
CANDIDATE_LINEARITY = 0.6  # 0.7 left tune dissolves with camera motion unasked (bench/cuts_tune.py)
CONFIDENT_BLEND_RATIO = 0.1
CONFIDENT_LINEARITY = 0.95
# Wipes: frames 2K apart differ like a new shot, no single step carries the change, the middle frame
# is no copy of either end as a whole, yet each of its pixels is close to one end or the other (a
# moving edge). Fitted on the constructed set's TUNE part only (bench/cuts_tune.py): 4 of its 9 wipes,
# nothing in its shots, flashes, corrupt frames or camera moves.
WIPE_EITHER = 0.25  # mean per-pixel distance to the nearer end, relative to ``distance``
WIPE_MIXED = 0.25  # the middle frame's distance to the nearer end as a whole, relative to ``distance``
WIPE_DOMINANCE = 0.35  # the largest consecutive step's share of the change (a hard cut: ~1)
WIPE_RUN = 7  # frames the three tests must hold in a row
WIPE_EDGE_FIT = 0.85  # median share of pixels one straight edge puts on the right side (motion: ~0.7)
RAMP_STEP_RATIO = 2.0  # a hard cut's step is over twice some step on each side of it
JUMP_RATIO = 3.0  # a jump cut's step over the larger of its neighbours' and the local median
JUMP_FLOOR = 4.0  # ... and at least this mean grey-level change (keyframe pulses stay under it)
FADE_RAMP = 10  # brightness must ramp over at least this many frames to be a fade (else a cut)
BAR_LEVEL = 24  # RGB (0..255): a letterbox or pillarbox bar's pixels stay at or under this
FLAT_STD = 10.0  # a thumbnail whose pixels spread less than this is one flat colour (a fade's middle)
FADE_JOIN_GAP = 6  # a fade out and a fade in held this few frames in the colour are one transition
FADE_STILL, FADE_STILL_LEVELS = 4, 1.0  # a fade's ramp moves more than 1 level in 4 frames (≥ 28 in ≤ 40)
FADE_SETTLED = 0.05  # a fade's ramp ends where the brightness is within this share of its change
HOLD_STEP = 0.5  # grey levels: a frame that changes less than this from the one before is held


@dataclass
class FastAnalysis:
    """The classic pass: its own decisions and what the cascade needs."""

    score: np.ndarray  # (T,) hard-cut score 0..1, for the score-curve display
    threshold: float
    cuts: list[Cut]  # the fast detector's answer
    confident: list[Cut] = field(default_factory=list)  # the cascade keeps these as they are
    regions: list[tuple[int, int]] = field(default_factory=list)  # inclusive frame ranges to verify


def default_min_shot(fps: float) -> int:
    """A quarter of a second, at least 4 frames."""
    return max(4, round(0.25 * fps)) if fps > 0 else 6


def _baseline(values: np.ndarray) -> np.ndarray:
    radius = BASELINE_RADIUS
    padded = np.pad(values, radius, mode="edge")
    windows = sliding_window_view(padded, 2 * radius + 1)
    return np.median(np.delete(windows, radius, axis=1), axis=1)


def hard_cut_score(features: ClipFeatures) -> np.ndarray:
    """Per-frame score in 0..1 that frame ``t`` starts a new shot (frame 0 scores 0)."""
    content, histogram = features.content, features.histogram
    if len(content) == 0:
        return np.zeros(0, np.float32)
    by_content = content / (content + 2 * _baseline(content) + CONTENT_FLOOR)
    by_histogram = histogram / (histogram + 2 * _baseline(histogram) + HISTOGRAM_FLOOR)
    score = (0.5 * (by_content + by_histogram)).astype(np.float32)
    score[0] = 0.0
    return score


def _distance(thumbs: np.ndarray, a: np.ndarray | int, b: np.ndarray | int) -> np.ndarray:
    return np.abs(thumbs[a].astype(np.int16) - thumbs[b].astype(np.int16)).mean(axis=(-1, -2, -3))


def _normalised_distance(thumbs: np.ndarray, a: int, b: int) -> float:
    """Distance after matching brightness and contrast: small when only the lighting changed."""
    x = thumbs[a].astype(np.float32).ravel()
    y = thumbs[b].astype(np.float32).ravel()
    x = (x - x.mean()) / (x.std() + 1.0)
    y = (y - y.mean()) / (y.std() + 1.0)
    return float(np.abs(x - y).mean())


def is_flash_or_glitch(thumbs: np.ndarray, frame: int) -> bool:
    """True when the change at ``frame`` is undone within a few frames, or is only lighting."""
    last = len(thumbs) - 1
    if frame <= 0 or frame > last:
        return False
    jump = float(_distance(thumbs, frame - 1, frame))
    if jump <= 0:
        return True
    after = np.arange(frame + 1, min(last, frame + RETURN_WINDOW) + 1)
    if (
        after.size
        and float(_distance(thumbs, np.full(after.size, frame - 1), after).min()) < RETURN_RATIO * jump
    ):
        return True
    before = np.arange(max(0, frame - 1 - RETURN_WINDOW), frame - 1)
    if (
        before.size
        and float(_distance(thumbs, np.full(before.size, frame), before).min()) < RETURN_RATIO * jump
    ):
        return True
    # A lighting change (flash, exposure jump) moves the mean brightness by most of the jump and
    # keeps the picture's structure: after matching brightness and contrast the frames agree.
    brightness = abs(float(thumbs[frame].mean()) - float(thumbs[frame - 1].mean()))
    return brightness > 0.5 * jump and _normalised_distance(thumbs, frame - 1, frame) < 0.25


def flatness(thumbs: np.ndarray) -> np.ndarray:
    """Per frame, the standard deviation of its thumbnail's pixels (0 for one flat colour).

    Every third pixel each way is plenty to tell a flat frame, and nine times cheaper."""
    if len(thumbs) == 0:
        return np.zeros(0, np.float32)
    sample = thumbs[:, ::3, ::3]
    out = np.empty(len(thumbs), np.float32)
    for first in range(0, len(thumbs), 2048):
        part = sample[first : first + 2048].reshape(-1, sample[0].size).astype(np.float32)
        out[first : first + 2048] = part.std(axis=1)
    return out


def _peaks(score: np.ndarray, threshold: float, radius: int = 2) -> np.ndarray:
    """Frames scoring at least ``threshold`` that are the maximum of their ±radius neighbourhood."""
    if len(score) == 0:
        return np.zeros(0, np.int64)
    padded = np.pad(score, radius, mode="constant", constant_values=-1.0)
    local_max = sliding_window_view(padded, 2 * radius + 1).max(axis=1)
    return np.flatnonzero((score >= threshold) & (score >= local_max))


@dataclass
class GradualMeasures:
    """Per frame t, comparing frames t-K and t+K (zero within K of either end)."""

    distance: np.ndarray  # mean RGB difference between the two ends
    blend_ratio: np.ndarray  # how far frame t is from the ends' average, relative to ``distance``
    linearity: np.ndarray  # distance / (sum of consecutive differences): 1 = steady one-way change
    either: np.ndarray  # how far frame t's pixels are from the NEARER end, relative to ``distance``
    mixed: np.ndarray  # frame t's distance to the nearer end as a whole, relative to ``distance``
    dominance: np.ndarray  # the largest consecutive difference in the window / the sum of them
    # ``distance`` over the picture inside black bars (letterbox, pillarbox) that all three frames
    # share: the bars' unchanging pixels would dilute a wipe's change (equal to ``distance`` without bars)
    active_distance: np.ndarray


def gradual_measures(thumbs: np.ndarray) -> GradualMeasures:
    """Compute ``GradualMeasures`` in chunks (vectorised, bounded temporary memory)."""
    count = len(thumbs)
    distance = np.zeros(count, np.float32)
    blend_error = np.zeros(count, np.float32)
    either = np.zeros(count, np.float32)
    mixed = np.zeros(count, np.float32)
    active_distance = np.zeros(count, np.float32)
    steps = np.zeros(count, np.float32)
    k = GRADUAL_HALF
    chunk = 1024
    for first in range(1, count, chunk):
        t = np.arange(first, min(first + chunk, count))
        steps[t] = np.abs(thumbs[t].astype(np.int16) - thumbs[t - 1]).mean(axis=(1, 2, 3))
    for first in range(k, count - k, chunk):
        t = np.arange(first, min(first + chunk, count - k))
        before = thumbs[t - k].astype(np.int16)
        after = thumbs[t + k].astype(np.int16)
        middle = thumbs[t].astype(np.int16)
        apart = np.abs(after - before)
        distance[t] = apart.mean(axis=(1, 2, 3))
        inside = _inside_bars(before, middle, after)
        active_distance[t] = (apart.sum(axis=3) * inside).sum(axis=(1, 2)) / np.maximum(
            3 * inside.sum(axis=(1, 2)), 1
        )
        blend_error[t] = np.abs(2 * middle - before - after).mean(axis=(1, 2, 3)) / 2
        to_before, to_after = np.abs(middle - before), np.abs(middle - after)
        either[t] = np.minimum(to_before, to_after).mean(axis=(1, 2, 3))
        mixed[t] = np.minimum(to_before.mean(axis=(1, 2, 3)), to_after.mean(axis=(1, 2, 3)))
    travelled = np.zeros(count, np.float32)
    largest = np.zeros(count, np.float32)
    if count > 2 * k:
        cumulative = np.concatenate([[0.0], np.cumsum(steps, dtype=np.float64)])
        t = np.arange(k, count - k)
        travelled[t] = cumulative[t + k + 1] - cumulative[t - k + 1]
        # steps[t-k+1 .. t+k]: the window of 2k steps that leads from frame t-k to frame t+k
        largest[t] = sliding_window_view(steps[1:], 2 * k).max(axis=1)[: len(t)]
    return GradualMeasures(
        distance=distance,
        blend_ratio=blend_error / np.maximum(distance, 1e-3),
        linearity=distance / np.maximum(travelled, 1e-3),
        either=either / np.maximum(distance, 1e-3),
        mixed=mixed / np.maximum(distance, 1e-3),
        dominance=largest / np.maximum(travelled, 1e-3),
        active_distance=active_distance,
    )


def _inside_bars(*frames: np.ndarray) -> np.ndarray:
    """(N, H, W) bool: the pixels inside the black bars of ``frames`` (each (N, H, W, 3)). Bars are
    what letterbox and pillarbox make: whole rows (columns) at both edges, of the same width within
    a pixel, near black in every one of the frames; a dark corner of a scene is not one."""
    dark = np.ones(frames[0].shape[:3], bool)
    for frame in frames:
        dark &= frame.max(axis=3) <= BAR_LEVEL
    _, h, w = dark.shape

    def inside(lines: np.ndarray, size: int) -> np.ndarray:  # (N, size) dark lines -> (N, size) kept
        first = np.cumprod(lines, axis=1).sum(axis=1)
        last = np.cumprod(lines[:, ::-1], axis=1).sum(axis=1)
        bars = (first > 0) & (last > 0) & (np.abs(first - last) <= 1) & (first + last < size)
        first, last = np.where(bars, first, 0), np.where(bars, last, 0)
        at = np.arange(size)[None, :]
        return (at >= first[:, None]) & (at < size - last[:, None])

    return inside(dark.all(axis=2), h)[:, :, None] & inside(dark.all(axis=1), w)[:, None, :]


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Inclusive (first, last) of every run of True."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1, strict=True))


def _fades(features: ClipFeatures, score: np.ndarray) -> list[Cut]:
    """Fade-outs into and fade-ins out of black runs (a black run entered abruptly is a cut).

    The ramp is followed away from the black while the brightness keeps moving the fade's way, but
    never across a hard cut (a shot that happens to be brighter than the one fading is not part of
    the fade) nor on through a shot whose brightness stands still (``FADE_STILL`` frames moving less
    than ``FADE_STILL_LEVELS``), and, once followed, trimmed to where the brightness is still within ``FADE_SETTLED``
    of its change: a shot that then holds still (or drifts by noise) is not part of the fade either.
    """
    luma = features.luma
    cuts: list[Cut] = []

    def held(a: int, b: int) -> bool:
        """The brightness stood (nearly) still from frame a to frame b: the ramp is over."""
        return 0 <= a and b < len(luma) and abs(float(luma[a]) - float(luma[b])) < FADE_STILL_LEVELS

    def settled(ramp: int, dark: int, step: int) -> int:
        """The frame nearest ``dark`` (walking from ``ramp``) whose brightness is still within
        ``FADE_SETTLED`` of the change from ``luma[ramp]`` to ``luma[dark]``."""
        level = luma[ramp] - FADE_SETTLED * (luma[ramp] - luma[dark])
        frame = ramp
        while frame != dark and luma[frame + step] >= level:
            frame += step
        return frame

    for first, last in _runs(luma < DARK_LUMA):
        if first > 0:
            ramp = first
            while (
                ramp > 0
                and luma[ramp - 1] >= luma[ramp] - 0.5
                and first - ramp < 4 * FADE_RAMP
                and score[ramp] < FAST_THRESHOLD
                and not held(ramp, ramp + FADE_STILL)
            ):
                ramp -= 1
            fall = luma[ramp] - luma[first]
            ramp = settled(ramp, first, 1)
            if first - ramp >= FADE_RAMP and fall >= 2 * DARK_LUMA and score[first] < FAST_THRESHOLD:
                cuts.append(Cut(frame=int(first), kind="fade", start=int(ramp), end=int(first), score=0.9))
        if last < len(luma) - 1:
            ramp = last + 1
            while (
                ramp < len(luma) - 1
                and luma[ramp + 1] >= luma[ramp] - 0.5
                and ramp - last < 4 * FADE_RAMP
                and score[ramp + 1] < FAST_THRESHOLD
                and not held(ramp - FADE_STILL, ramp)
            ):
                ramp += 1
            rise = luma[ramp] - luma[last]
            ramp = settled(ramp, last, -1)
            if ramp - last >= FADE_RAMP and rise >= 2 * DARK_LUMA and score[last + 1] < FAST_THRESHOLD:
                cuts.append(
                    Cut(frame=int(last + 1), kind="fade", start=int(last + 1), end=int(ramp), score=0.9)
                )
    return cuts


def _gradual(
    features: ClipFeatures,
    measures: GradualMeasures,
    min_distance: float,
    max_blend: float,
    min_linearity: float,
) -> list[tuple[int, int]]:
    """Spans (inclusive) where frames 2K apart differ a lot, steadily, and the middle blends them."""
    mask = (
        (measures.distance >= min_distance)
        & (measures.blend_ratio <= max_blend)
        & (measures.linearity >= min_linearity)
        & (features.luma >= DARK_LUMA)
    )
    spans = []
    for first, last in _runs(mask):
        if last - first + 1 >= 3:
            spans.append((max(0, int(first) - GRADUAL_HALF // 2), int(last) + GRADUAL_HALF // 2))
    return spans


def _edge_fit(thumbs: np.ndarray, t: int) -> float:
    """How well one straight edge (in any of 8 directions) splits frame ``t``'s pixels into those
    nearer frame ``t+K`` and those nearer frame ``t-K``: the share it puts on the right side.

    A wipe's incoming picture fills a half-plane; motion inside a shot changes scattered pixels."""
    k = GRADUAL_HALF
    before, after = thumbs[t - k].astype(np.int16), thumbs[t + k].astype(np.int16)
    middle = thumbs[t].astype(np.int16)
    valid = np.abs(after - before).sum(axis=2) > 30  # pixels where the two pictures differ
    incoming = (np.abs(middle - after).sum(axis=2) < np.abs(middle - before).sum(axis=2))[valid]
    n = int(incoming.size)
    if n < 50:
        return 0.0
    h, w = valid.shape
    ys, xs = np.mgrid[0:h, 0:w]
    xs, ys = xs / (w - 1), ys / (h - 1)
    total = int(incoming.sum())
    best = 0.0
    for along in (xs, ys, xs + ys, xs - ys):
        ordered = incoming[np.argsort(along[valid], kind="stable")].astype(np.int32)
        ones_below = np.concatenate([[0], np.cumsum(ordered)])
        below = np.arange(n + 1)
        # the incoming side below the edge, or above it (both senses of each direction)
        low = ones_below + (n - below) - (total - ones_below)
        high = (below - ones_below) + (total - ones_below)
        best = max(best, float(low.max()) / n, float(high.max()) / n)
    return best


def _wipes(features: ClipFeatures, measures: GradualMeasures) -> list[Cut]:
    """Wipes (a moving edge between the two shots): see ``WIPE_EITHER`` and its neighbours."""
    mask = (
        (measures.active_distance >= GRADUAL_DISTANCE)
        & (measures.either <= WIPE_EITHER)
        & (measures.mixed >= WIPE_MIXED)
        & (measures.dominance <= WIPE_DOMINANCE)
        & (features.luma >= DARK_LUMA)
    )
    last_frame = features.frame_count - 1
    cuts = []
    for first, last in _runs(mask):
        if last - first + 1 < WIPE_RUN:
            continue
        fits = [_edge_fit(features.thumbs, t) for t in range(int(first), int(last) + 1)]
        if float(np.median(fits)) >= WIPE_EDGE_FIT:
            start, end = max(0, int(first) - 2), min(last_frame, int(last) + 2)
            peak = float(measures.active_distance[first : last + 1].max())
            cuts.append(
                Cut(frame=(start + end) // 2, kind="wipe", start=start, end=end, score=min(1.0, peak / 50.0))
            )
    return cuts


def one_step_jumps(steps: np.ndarray, background: np.ndarray, ratio: float, floor: float) -> np.ndarray:
    """Frames whose step stands ``ratio`` times above both neighbours' and ``background``, and is at
    least ``floor``: an isolated one-frame jump (motion that starts or stops suddenly stays high on
    the next frame)."""
    neighbours = np.maximum(np.concatenate([[0.0], steps[:-1]]), np.concatenate([steps[1:], [0.0]]))
    return np.flatnonzero((steps > ratio * np.maximum(neighbours, background)) & (steps >= floor))


def _continues_a_ramp(steps: np.ndarray, frame: int) -> bool:
    """The picture's change at ``frame`` is no step out of the ordinary for the three frames on one
    side of it (each of them changed more than 1 / ``RAMP_STEP_RATIO`` of it): the steady change of a
    gradual transition going on, not a hard cut, which stands out from both sides (a damaged frame
    next to a cut makes one large neighbour, not three)."""
    before = steps[max(1, frame - 3) : frame]
    after = steps[frame + 1 : frame + 4]
    value = float(steps[frame])
    return any(len(side) == 3 and value < RAMP_STEP_RATIO * float(side.min()) for side in (before, after))


def _jumps(steps: np.ndarray) -> list[int]:
    """Jump cuts (the same set-up a moment later): the picture jumps in one step while the frames
    either side hardly move, which the hard-cut score's floor keeps under its threshold when the
    two sides still share colours and layout."""
    if len(steps) < 3:
        return []
    return [int(t) for t in one_step_jumps(steps, _baseline(steps), JUMP_RATIO, JUMP_FLOOR)]


def _pushes(features: ClipFeatures) -> list[Cut]:
    """Pushes: runs where the whole picture moves one way (``push.push_candidates``) that the two
    pictures either side explain as one pushing the other out (``push.is_push``)."""
    thumbs = features.thumbs
    if features.shift is not None and len(features.shift) == len(thumbs):
        dx, dy = features.shift[:, 0], features.shift[:, 1]
    else:
        dx, dy, _peak = translation_steps(thumbs)
    cuts = []
    for before, after, direction in push_candidates(dx, dy, (thumbs.shape[2], thumbs.shape[1])):
        apart = float(_distance(thumbs, before, after))
        if apart >= GRADUAL_DISTANCE and is_push(thumbs, before, after, direction):
            score = min(1.0, apart / 50.0)
            cuts.append(
                Cut(
                    frame=(before + after + 1) // 2, kind="wipe", start=before + 1, end=after - 1, score=score
                )
            )
    return cuts


def join_fades(
    cuts: list[Cut],
    thumbs: np.ndarray,
    luma: np.ndarray,
    gap: int = FADE_JOIN_GAP,
    *,
    steps: np.ndarray | None = None,
) -> list[Cut]:
    """Merge consecutive gradual boundaries joined only by flat frames (black, white or any one
    colour) into one fade — out of one shot, through the colour, into the next — when the picture
    holds still in the colour for at most ``gap`` frames. ``steps``: the thumbnails' ``grey_steps``
    when already known (``clip_steps``).

    Both passes see such a fade as two transitions (TransNetV2 peaks on each ramp); an editor sees
    one. The hold is counted in frames that do not change (under ``HOLD_STEP``), not in dark frames:
    the slow ends of two ramps near black are dark but still moving. Fades with a longer hold in the
    colour (testvideo's 34 black frames) stay two boundaries.
    """
    flat = (flatness(thumbs) < FLAT_STD) | (luma < DARK_LUMA)
    held = flat & ((grey_steps(thumbs) if steps is None else steps) < HOLD_STEP)
    out: list[Cut] = []
    for cut in sorted(cuts, key=lambda c: c.frame):
        prev = out[-1] if out else None
        if prev is not None and prev.is_gradual and cut.is_gradual and prev.frame < cut.frame:
            # The first ramp ends in the colour and the second starts from it (a push or a dissolve
            # ending on a picture next to a fade is not part of it), with nothing but colour between.
            def near_flat(frame: int) -> bool:
                return bool(flat[max(0, frame - 2) : frame + 3].any())

            between = flat[prev.end + 1 : cut.start]
            joined_by_flat = near_flat(prev.end) and near_flat(cut.start) and bool(between.all())
            hold = int(held[prev.frame : cut.frame + 1].sum())
            inside = np.flatnonzero(flat[prev.frame : cut.frame + 1]) + prev.frame
            if joined_by_flat and hold <= gap and inside.size:
                first, last = prev.start, cut.end
                spread = flatness(thumbs[first : last + 1])
                frame = int(inside[np.argmin(spread[inside - first])])
                out[-1] = Cut(
                    frame=frame, kind="fade", start=first, end=last, score=max(prev.score, cut.score)
                )
                continue
        out.append(cut)
    return out


def enforce_min_shot(cuts: list[Cut], min_shot: int) -> list[Cut]:
    """Drop the weaker of two boundaries that leave less than ``min_shot`` frames of shot between
    them — counted from the end of one transition to the start of the next, so the last step of a
    long dissolve into its clean shot is not a second boundary (fades pair up freely)."""
    kept: list[Cut] = []
    for cut in sorted(cuts, key=lambda c: c.frame):
        if kept and cut.start - kept[-1].end < min_shot and not (cut.kind == kept[-1].kind == "fade"):
            if cut.score > kept[-1].score:
                kept[-1] = cut
            continue
        kept.append(cut)
    return kept


def _overlaps(cut: Cut, spans: list[Cut], slack: int) -> bool:
    """True when ``cut``'s span comes within ``slack`` frames of any of ``spans``."""
    return any(cut.start <= other.end + slack and other.start <= cut.end + slack for other in spans)


def analyse(features: ClipFeatures, *, min_shot: int | None = None) -> FastAnalysis:
    """Run the classic detector on one clip's features.

    Arguments:
        min_shot: shortest shot in frames (default: a quarter of a second).

    Returns:
        ``FastAnalysis`` with the fast decisions, the confident subset and the regions to verify.
    """
    thumbs = features.thumbs
    count = features.frame_count
    min_shot = min_shot or default_min_shot(features.info.fps)
    score = hard_cut_score(features)
    fades = _fades(features, score)

    confident: list[Cut] = []
    regions: list[tuple[int, int]] = []
    measures = gradual_measures(thumbs)
    steps = clip_steps(features)
    gradual: list[Cut] = []
    for first, last in _gradual(features, measures, GRADUAL_DISTANCE, BLEND_RATIO, LINEARITY):
        first, last = max(0, first), min(count - 1, last)
        if score[first : last + 1].max() >= FAST_THRESHOLD or _overlaps(Cut(frame=first, end=last), fades, 2):
            continue
        kind, frame = classify_transition(thumbs, features.luma, first, last)
        span = slice(first, last + 1)
        peak = float(measures.distance[span].max())
        cut = Cut(frame=frame, kind=kind, start=first, end=last, score=min(1.0, peak / 50.0))
        gradual.append(cut)
        if (
            measures.blend_ratio[span].min() <= CONFIDENT_BLEND_RATIO
            and measures.linearity[span].max() >= CONFIDENT_LINEARITY
        ):
            confident.append(cut)  # a near-perfect mix of two pictures: nothing else looks like that
    for cut in _wipes(features, measures):
        if not any(_overlaps(cut, others, 2) for others in (fades, gradual)):
            gradual.append(cut)
            confident.append(cut)  # TransNetV2 scores ~0 on wipes: the network cannot confirm them
    for cut in _pushes(features):
        if not any(_overlaps(cut, others, 2) for others in (fades, gradual)):
            gradual.append(cut)
            confident.append(cut)  # TransNetV2 scores ~0 on pushes too
    hard: list[Cut] = []
    for frame in _peaks(score, CANDIDATE_THRESHOLD):
        value = float(score[frame])
        if frame < min_shot or frame > count - min_shot:
            continue  # a shot shorter than the minimum at either end of the clip
        if _overlaps(Cut(frame=int(frame)), fades, FADE_RAMP) or _overlaps(Cut(frame=int(frame)), gradual, 2):
            continue  # the steps into and out of a fade's black, or at a gradual transition's ends
        if _overlaps(Cut(frame=int(frame)), gradual, 2 * GRADUAL_HALF) and _continues_a_ramp(
            steps, int(frame)
        ):
            continue  # a dissolve's last (or first) step, past where its span was measured to end
        if is_flash_or_glitch(thumbs, int(frame)):
            continue  # the picture came back: no cut, whatever a network would say
        if value >= FAST_THRESHOLD:
            cut = Cut(frame=int(frame), kind="cut", score=value)
            hard.append(cut)
            if value >= CONFIDENT_THRESHOLD:
                confident.append(cut)
                continue
        regions.append((int(frame) - 2, int(frame) + 1))

    for frame in _jumps(steps):
        if frame < min_shot or frame > count - min_shot or any(abs(c.frame - frame) <= 2 for c in hard):
            continue
        cut = Cut(frame=frame, kind="cut", score=FAST_THRESHOLD)
        if not any(
            _overlaps(cut, others, FADE_RAMP) for others in (fades, gradual)
        ) and not is_flash_or_glitch(thumbs, frame):
            hard.append(cut)
            confident.append(cut)  # the network scores jump cuts ~0 too: it cannot confirm them

    for first, last in _gradual(
        features, measures, CANDIDATE_GRADUAL_DISTANCE, CANDIDATE_BLEND_RATIO, CANDIDATE_LINEARITY
    ):
        first, last = max(0, first), min(count - 1, last)
        # A confident hard cut at a dissolve's end (its last mixed frame to the clean shot) must not
        # hide the dissolve: only fades and confident gradual transitions make the network unneeded.
        if not _overlaps(Cut(frame=first, end=last), fades + [c for c in confident if c.is_gradual], 2):
            regions.append((first, last))
    # Wipes and pushes: frames 2K apart differ like a new shot and the change runs one way, but the
    # middle frame is no blend of the ends (each half is one of them), so the blend test above
    # misses them. Camera motion travels much further than it ends up from where it started.
    for first, last in _runs(
        (measures.distance >= CANDIDATE_GRADUAL_DISTANCE) & (measures.linearity >= CANDIDATE_LINEARITY)
    ):
        first, last = max(0, int(first) - GRADUAL_HALF), min(count - 1, int(last) + GRADUAL_HALF)
        # A hard cut inside the 2K window looks the same (one big one-way change): not where it is sure.
        if last - first + 1 >= 3 + 2 * GRADUAL_HALF and not _overlaps(
            Cut(frame=first, end=last), fades + confident, GRADUAL_HALF
        ):
            regions.append((first, last))
    # Fades through white or any flat colour: the classic fade rule knows only black.
    for first, last in _runs((flatness(thumbs) < FLAT_STD) & (features.luma >= DARK_LUMA)):
        regions.append((max(0, int(first) - 3 * FADE_RAMP), min(count - 1, int(last) + 3 * FADE_RAMP)))

    confident.extend(fades)
    cuts = enforce_min_shot(join_fades(hard + gradual + fades, thumbs, features.luma, steps=steps), min_shot)
    return FastAnalysis(
        score=score,
        threshold=FAST_THRESHOLD,
        cuts=cuts,
        confident=enforce_min_shot(join_fades(confident, thumbs, features.luma, steps=steps), min_shot),
        regions=_merge_regions(regions),
    )


def _merge_regions(regions: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for first, last in sorted(regions):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged
