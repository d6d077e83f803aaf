"""Cut errors in rendered video, from the same decoding pass as cut detection.

* ``flash_frame``: a shot of 1–2 frames — the picture jumps away and, 1 or 2 frames later, jumps
  again (back, or on to a third shot), with no change between the flashed frames. The cut detector
  drops shots this short (its minimum shot length), so this looks at the per-frame differences.
* ``black_frames``: a run of frames that are all near black (a slug), unless the run is the bottom
  of a fade: brightness ramping down into it or up out of it step by step (``_ramps_to_black``).
* ``frozen_frames``: ``FROZEN_MIN`` or more consecutive frames that repeat the same picture inside
  a shot that moves both before and after them (a still shot, a title card, is not a freeze).
* ``jump_cut``: a hard cut whose two sides show the same set-up — colours and framing of the last
  frames before and the first frames after agree — and whose change is content moving, not light
  (see ``jump_cuts``); a dissolve's or a fade's frames are never one.
"""

from __future__ import annotations

import numpy as np

from ..cuts.fast import one_step_jumps
from ..cuts.features import ClipFeatures, clip_steps
from .contract import Problem

BLACK_LUMA = 20.0  # HSV value (0..255) under which a frame counts as black
BLACK_SPREAD = 12.0  # and its pixels barely vary
FADE_RAMP = 6  # frames looked at either side of a black run
FADE_DROP = 0.2  # over those frames the brightness falls into the run (or rises out of it) by this share
FADE_WOBBLE = 0.5  # HSV value: a ramp's step against its direction stays under this (encoder noise)
FROZEN_DIFF = 0.35  # mean |HSV difference| (0..255, at 96x54; 3-frame median) of a repeated picture
FROZEN_SHARE = 0.3  # ... and at most this share of the motion around it (encoders add a little noise)
FROZEN_MIN = 4  # repeated frames (beyond the first) that make a frozen run
FROZEN_CONTEXT = 6  # frames either side whose motion shows the shot was moving
FROZEN_MOVING = 0.5  # median difference on one side at least this: the picture stopped in a moving shot
FLASH_JUMP = 25.0  # a flash's in- and out-jumps: this far above the local motion
FLASH_QUIET = 0.35  # the change between two flashed frames stays under this share of the jumps
SPIKE_RATIO = (
    2.5  # a jump cut candidate: the difference this many times both neighbours' and the local median
)
SPIKE_FLOOR = 2.0  # grey levels: codec and VFR pulses (issue-134's every-8-frames keyframes) stay under it
JUMP_COLOUR = 0.8  # colour histogram intersection across a jump cut
JUMP_LAYOUT = 0.7  # picture correlation across a jump cut (tune: planted jumps >= 0.84, two cameras <= 0.52)
BAR_LUMA = 16.0  # grey level (0..255) under which an edge row/column on every compared frame is a bar
JUMP_LIGHT = 0.5  # a change whose mean (the whole picture brighter or darker) is this share of it: light
SIDE = 3  # frames on each side of a cut compared for a jump cut


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _local_median(values: np.ndarray, radius: int = 6) -> np.ndarray:
    count = len(values)
    out = np.zeros(count, np.float32)
    for t in range(count):
        lo, hi = max(0, t - radius), min(count, t + radius + 1)
        window = np.concatenate([values[lo:t], values[t + 1 : hi]])
        out[t] = float(np.median(window)) if window.size else 0.0
    return out


def dark_runs(features: ClipFeatures) -> list[tuple[int, int]]:
    """Every run of black frames, slug or not (a fade's black hold is no freeze and no flash either)."""
    thumbs = features.thumbs.reshape(len(features.thumbs), -1).astype(np.float32)
    spread = thumbs.std(axis=1) if len(thumbs) else np.zeros(0)
    return _runs((features.luma < BLACK_LUMA) & (spread < BLACK_SPREAD))


def black_runs(features: ClipFeatures, dark: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """Black runs that are slugs: not the black leader/tail of the clip, not the bottom of a fade."""
    luma = features.luma
    count = len(luma)
    runs = []
    for first, last in dark_runs(features) if dark is None else dark:
        if first == 0 or last == count - 1:
            continue  # a clip that starts or ends on black: leader, tail
        # A hard cut into or out of a slug jumps straight to a lit picture; a fade gets there gradually.
        fade_out = _ramps_to_black(luma[max(0, first - FADE_RAMP) : first])
        fade_in = _ramps_to_black(luma[last + 1 : last + 1 + FADE_RAMP][::-1])
        if not (fade_out or fade_in):
            runs.append((first, last))
    return runs


def _ramps_to_black(luma: np.ndarray) -> bool:
    """``FADE_RAMP`` frames that darken step by step towards the black run after them: a fade.

    The brightness never rises by more than ``FADE_WOBBLE`` and the frame next to the run is at least
    ``FADE_DROP`` darker than the first one (relative: letterboxed or night footage is dark too). A
    cut to black has no such ramp — the picture before it keeps its own level up to the last frame.
    A slow fade (1 s or more) moves only a few levels per frame, so no single step has to be large.
    """
    if luma.size != FADE_RAMP:
        return False
    steps = np.diff(luma.astype(np.float32))
    return bool(steps.max() <= FADE_WOBBLE and float(luma[-1]) <= (1.0 - FADE_DROP) * float(luma[0]))


def frozen_runs(
    features: ClipFeatures,
    black: list[tuple[int, int]],
    cut_frames: list[int],
    transitions: list[tuple[int, int]] | None = None,
) -> list[tuple[int, int]]:
    """Runs where the picture stops inside a shot that moves both before and after it.

    The run's difference stays under ``FROZEN_DIFF`` and a small share of the shot's own motion
    just before and just after, within the same shot. A still picture that is its own shot — a title
    card between two fades, a still between two cuts — moves on neither side: an intended still,
    not a freeze. A shot ends at a cut and at a gradual transition (``transitions``, inclusive
    frames): a fade's brightness ramp changes the picture but is no motion of the shot.
    """
    content = features.content.astype(np.float32)
    count = len(content)
    if count < 3:
        return []
    smooth = content.copy()
    smooth[1:-1] = np.median(np.stack([content[:-2], content[1:-1], content[2:]]), axis=0)
    # The median smooths the encoder's one-frame bumps inside a freeze; a cut or any real jump must
    # still end the run, so the raw difference is bounded too and the detector's cuts split runs.
    same = (smooth < FROZEN_DIFF) & (content < 4 * FROZEN_DIFF)
    same[:1] = False
    boundary = np.zeros(count + 1, bool)  # frames that are no part of a shot's own motion
    for cut in cut_frames:
        if 0 <= cut < count:
            boundary[cut] = True
    for start, end in transitions or []:
        boundary[max(0, start) : min(count, end + 1)] = True
    is_black = np.zeros(count, bool)
    for first, last in black:
        is_black[max(0, first - 1) : last + 2] = True
    out = []
    for first, last in _runs(same & ~is_black & ~boundary[:count]):
        if last - first + 1 < FROZEN_MIN:
            continue
        before = _shot_side(content, boundary, first - 1, -1)
        after = _shot_side(content, boundary, last + 2, 1)  # last + 1 jumps out of the freeze
        if before.size < 3 or after.size < 3:
            continue  # the shot starts or ends on the still picture: its own shot, or a held ending
        moving = min(float(np.median(before)), float(np.median(after)))
        if moving >= FROZEN_MOVING and float(np.median(content[first : last + 1])) <= FROZEN_SHARE * moving:
            out.append((first - 1, last))  # the first repeat copies the frame before it
    return out


def _shot_side(content: np.ndarray, boundary: np.ndarray, start: int, direction: int) -> np.ndarray:
    """Up to ``FROZEN_CONTEXT`` differences from ``start`` going ``direction`` (+1 or -1), stopping at
    the shot's edge (a ``boundary`` frame's difference is the cut's or the transition's, not motion)."""
    values: list[float] = []
    t = start
    while 1 <= t < len(content) and len(values) < FROZEN_CONTEXT and not boundary[t]:
        values.append(float(content[t]))
        t += direction
    return np.asarray(values, np.float32)


def flash_frames(features: ClipFeatures, black: list[tuple[int, int]]) -> list[tuple[int, int]]:
    diff = features.content.astype(np.float32)
    count = len(diff)
    background = _local_median(diff, 8)
    jump = diff > np.maximum(FLASH_JUMP, 3.0 * background)
    is_black = np.zeros(count, bool)
    for first, last in black:
        is_black[first : last + 1] = True
    found: list[tuple[int, int]] = []
    t = 1
    while t < count:
        if jump[t] and not is_black[t]:
            for length in (1, 2):
                out_at = t + length
                if out_at >= count or not jump[out_at]:
                    continue
                inside = diff[t + 1 : out_at]
                limit = FLASH_QUIET * min(diff[t], diff[out_at])
                if inside.size and float(inside.max()) > limit:
                    continue
                # Not a flash if the picture keeps jumping (noise, strobing): quiet on both sides.
                if t >= 2 and jump[t - 1]:
                    continue
                if out_at + 1 < count and jump[out_at + 1]:
                    continue
                found.append((t, out_at - 1))
                t = out_at
                break
        t += 1
    return found


def _side_similarity(thumbs: np.ndarray, frame: int) -> tuple[float, float]:
    """(colour intersection, grey correlation) of the ``SIDE`` frames before and after ``frame``.

    The correlation is taken over the picture only: letterbox or pillarbox bars — whole rows or
    columns at the edges that are dark (``BAR_LUMA``) on all ``2 * SIDE`` frames — are left out,
    since they agree across any cut and would lift two different framings of a portrait clip to a
    jump cut's correlation. Dark parts inside the picture (a title card's background) stay in."""
    from .embed import colour_histograms

    hist = colour_histograms(thumbs, [(frame - SIDE, frame - 1), (frame, frame + SIDE - 1)])
    colour = float(np.minimum(hist[0], hist[1]).sum())
    grey = thumbs[frame - SIDE : frame + SIDE].astype(np.float32).mean(axis=3)
    lit = (grey > BAR_LUMA).any(axis=0)
    rows, columns = np.flatnonzero(lit.any(axis=1)), np.flatnonzero(lit.any(axis=0))
    if rows.size == 0:
        rows, columns = np.arange(lit.shape[0]), np.arange(lit.shape[1])  # a black frame
    picture = (slice(int(rows[0]), int(rows[-1]) + 1), slice(int(columns[0]), int(columns[-1]) + 1))
    before = grey[:SIDE].mean(axis=0)[picture].ravel()
    after = grey[SIDE:].mean(axis=0)[picture].ravel()
    before -= before.mean()
    after -= after.mean()
    denominator = float(np.linalg.norm(before) * np.linalg.norm(after))
    correlation = float(before @ after / denominator) if denominator > 1e-6 else 1.0
    return colour, correlation


def _light_change(thumbs: np.ndarray, frame: int) -> bool:
    """The step into ``frame`` is mostly the whole picture getting brighter or darker (the camera's
    exposure, a flicker, the sun coming out): the mean grey change is at least ``JUMP_LIGHT`` of the
    mean absolute change. When people or things jump in place, parts of the picture get brighter and
    others darker, so the mean change stays a small share of it."""
    step = thumbs[frame].astype(np.float32).mean(axis=2) - thumbs[frame - 1].astype(np.float32).mean(axis=2)
    size = float(np.abs(step).mean())
    return size > 0.0 and abs(float(step.mean())) >= JUMP_LIGHT * size


def jump_cuts(
    features: ClipFeatures, cut_frames: list[int], excluded: np.ndarray
) -> list[tuple[int, float, float]]:
    """``(frame, colour, correlation)`` of cuts whose two sides show the same set-up.

    Candidates: the detector's cuts and single-frame jumps of the picture difference standing
    ``SPIKE_RATIO`` above the local motion. A jump cut keeps the colours (histogram intersection ≥
    ``JUMP_COLOUR``) and the framing (grey-level correlation of the two sides ≥ ``JUMP_LAYOUT``) of
    the shot; a cut to another set-up changes at least one of them — a second camera on the same
    room keeps the colours but not the framing. A step that is a change of light (``_light_change``)
    is no jump: nothing moved.
    """
    steps = clip_steps(features)
    count = len(steps)
    spikes = one_step_jumps(steps, _local_median(steps, 6), SPIKE_RATIO, SPIKE_FLOOR)
    candidates = sorted({int(f) for f in cut_frames} | {int(f) for f in spikes})
    out = []
    for f in candidates:
        if not SIDE <= f <= count - SIDE or excluded[max(0, f - SIDE) : f + SIDE].any():
            continue
        if _light_change(features.thumbs, f):
            continue
        colour, correlation = _side_similarity(features.thumbs, f)
        if colour >= JUMP_COLOUR and correlation >= JUMP_LAYOUT:
            out.append((f, colour, correlation))
    return out


def find_problems(
    features: ClipFeatures, cut_frames: list[int], transitions: list[tuple[int, int]] | None = None
) -> list[Problem]:
    """Problems of the clip; ``cut_frames`` are the shots' first frames, ``transitions`` the
    detector's gradual transitions (fades, dissolves) as inclusive ``(start, end)`` frames."""
    fps = features.info.fps or 25.0
    problems: list[Problem] = []
    dark = dark_runs(features)
    black = black_runs(features, dark)
    for first, last in black:
        problems.append(
            Problem(
                "black_frames",
                first,
                last,
                f"{last - first + 1} black frame(s) ({(last - first + 1) / fps:.2f} s)",
            )
        )
    frozen = frozen_runs(features, dark, cut_frames, transitions)
    for first, last in frozen:
        problems.append(Problem("frozen_frames", first, last, f"the same picture {last - first + 1} times"))
    flashes = flash_frames(features, dark)
    for first, last in flashes:
        problems.append(Problem("flash_frame", first, last, f"a shot of {last - first + 1} frame(s)"))
    excluded = np.zeros(len(features.content) + 1, bool)
    # A jump cut is a hard cut inside one set-up: not the middle of a dissolve (its two sides are
    # the same mix of both shots), not a fade's ramp or black hold, not next to another problem.
    for first, last in [*dark, *flashes, *(transitions or [])]:
        excluded[max(0, first - 1) : last + 2] = True
    for first, last in frozen:
        excluded[first : last + 1] = True
    for frame, colour, layout in jump_cuts(features, cut_frames, excluded):
        problems.append(
            Problem(
                "jump_cut",
                frame,
                frame,
                f"same set-up either side of the cut (colour {colour:.2f}, layout {layout:.2f}): a small jump in time",
            )
        )
    return sorted(problems, key=lambda p: (p.first, p.kind))
