"""Cut errors in rendered video, from the same decoding pass as cut detection.

* ``flash_frame``: a shot of 1–2 frames — the picture jumps away and, 1 or 2 frames later, jumps
  again (back, or on to a third shot), with no change between the flashed frames. The cut detector
  drops shots this short (its minimum shot length), so this looks at the per-frame differences.
* ``black_frames``: a run of frames that are all near black (a slug), unless the run is the bottom
  of a fade (brightness ramping down into it or up out of it over several frames).
* ``frozen_frames``: ``FROZEN_MIN`` or more consecutive frames that repeat the same picture inside
  a shot that moves around them (a still shot is not a freeze).
* ``jump_cut``: a cut whose two sides show the same set-up — colours and layout of the last frames
  before and the first frames after agree (see ``jump_cuts``).
"""

from __future__ import annotations

import numpy as np

from ..cuts.fast import one_step_jumps
from ..cuts.features import ClipFeatures, clip_steps
from .contract import Problem

BLACK_LUMA = 20.0  # HSV value (0..255) under which a frame counts as black
BLACK_SPREAD = 12.0  # and its pixels barely vary
FADE_RAMP = 6  # frames looked at either side of a black run
FADE_SHARE = 0.5  # the frame next to the run is under half as bright as the picture it ramps to: a fade
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
JUMP_LAYOUT = 0.8  # grey-level correlation of the thumbnails across a jump cut
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


def black_runs(features: ClipFeatures) -> list[tuple[int, int]]:
    """Black runs that are slugs: not the black leader/tail of the clip, not the bottom of a fade."""
    thumbs = features.thumbs.reshape(len(features.thumbs), -1).astype(np.float32)
    spread = thumbs.std(axis=1) if len(thumbs) else np.zeros(0)
    black = (features.luma < BLACK_LUMA) & (spread < BLACK_SPREAD)
    luma = features.luma
    count = len(luma)
    runs = []
    for first, last in _runs(black):
        if first == 0 or last == count - 1:
            continue  # a clip that starts or ends on black: leader, tail
        # A hard cut into or out of a slug jumps straight to a lit picture; a fade gets there gradually.
        before = luma[max(0, first - FADE_RAMP) : first]
        after = luma[last + 1 : last + 1 + FADE_RAMP]
        # (relative to the picture a few frames further on: letterboxed or night footage is dark too)
        fade_out = before.size == FADE_RAMP and float(before[-1]) < FADE_SHARE * float(before[0])
        fade_in = after.size == FADE_RAMP and float(after[0]) < FADE_SHARE * float(after[-1])
        if not (fade_out or fade_in):
            runs.append((first, last))
    return runs


def frozen_runs(
    features: ClipFeatures, black: list[tuple[int, int]], cut_frames: list[int]
) -> list[tuple[int, int]]:
    """Runs where the picture stops (difference under ``FROZEN_DIFF`` and a small share of the shot's
    own motion just before or after, within the same shot). A still shot is not a freeze."""
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
    for cut in cut_frames:
        if 0 <= cut < count:
            same[cut] = False
    is_black = np.zeros(count, bool)
    for first, last in black:
        is_black[max(0, first - 1) : last + 2] = True
    cuts = sorted(set(cut_frames))
    out = []
    for first, last in _runs(same & ~is_black):
        if last - first + 1 < FROZEN_MIN:
            continue
        shot_start = max([c for c in cuts if c <= first] or [0])
        shot_end = min([c for c in cuts if c > last] or [count])
        before = content[max(shot_start + 1, first - FROZEN_CONTEXT) : first]
        after = content[last + 2 : min(shot_end, last + 2 + FROZEN_CONTEXT)]  # last + 1 jumps out
        sides = [float(np.median(x)) for x in (before, after) if x.size >= 3]
        moving = max(sides, default=0.0)
        if moving >= FROZEN_MOVING and float(np.median(content[first : last + 1])) <= FROZEN_SHARE * moving:
            out.append((first - 1, last))  # the first repeat copies the frame before it
    return out


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
    """(colour intersection, grey correlation) of the ``SIDE`` frames before and after ``frame``."""
    from .embed import colour_histograms

    hist = colour_histograms(thumbs, [(frame - SIDE, frame - 1), (frame, frame + SIDE - 1)])
    colour = float(np.minimum(hist[0], hist[1]).sum())
    before = thumbs[frame - SIDE : frame].astype(np.float32).mean(axis=(0, 3)).ravel()
    after = thumbs[frame : frame + SIDE].astype(np.float32).mean(axis=(0, 3)).ravel()
    before -= before.mean()
    after -= after.mean()
    denominator = float(np.linalg.norm(before) * np.linalg.norm(after))
    correlation = float(before @ after / denominator) if denominator > 1e-6 else 1.0
    return colour, correlation


def jump_cuts(
    features: ClipFeatures, cut_frames: list[int], excluded: np.ndarray
) -> list[tuple[int, float, float]]:
    """``(frame, colour, correlation)`` of cuts whose two sides show the same set-up.

    Candidates: the detector's cuts and single-frame jumps of the picture difference standing
    ``SPIKE_RATIO`` above the local motion. A jump cut keeps the colours (histogram intersection ≥
    ``JUMP_COLOUR``) and the layout (grey-level correlation of the two sides ≥ ``JUMP_LAYOUT``) of
    the shot; a cut to another set-up changes at least one of them.
    """
    steps = clip_steps(features)
    count = len(steps)
    spikes = one_step_jumps(steps, _local_median(steps, 6), SPIKE_RATIO, SPIKE_FLOOR)
    candidates = sorted({int(f) for f in cut_frames} | {int(f) for f in spikes})
    out = []
    for f in candidates:
        if not SIDE <= f <= count - SIDE or excluded[max(0, f - SIDE) : f + SIDE].any():
            continue
        colour, correlation = _side_similarity(features.thumbs, f)
        if colour >= JUMP_COLOUR and correlation >= JUMP_LAYOUT:
            out.append((f, colour, correlation))
    return out


def find_problems(features: ClipFeatures, cut_frames: list[int]) -> list[Problem]:
    fps = features.info.fps or 25.0
    problems: list[Problem] = []
    black = black_runs(features)
    for first, last in black:
        problems.append(
            Problem(
                "black_frames",
                first,
                last,
                f"{last - first + 1} black frame(s) ({(last - first + 1) / fps:.2f} s)",
            )
        )
    frozen = frozen_runs(features, black, cut_frames)
    for first, last in frozen:
        problems.append(Problem("frozen_frames", first, last, f"the same picture {last - first + 1} times"))
    flashes = flash_frames(features, black)
    for first, last in flashes:
        problems.append(Problem("flash_frame", first, last, f"a shot of {last - first + 1} frame(s)"))
    excluded = np.zeros(len(features.content) + 1, bool)
    for first, last in [*black, *flashes]:
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
