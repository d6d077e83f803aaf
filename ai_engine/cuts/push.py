"""Pushes (slides): the new shot slides in from one side and pushes the old one out.

Each frame of a push is two whole pictures side by side, both translated: the outgoing one by
``tau`` of the frame's size along the push, the incoming one a frame's size behind it. Neither the
blend test (the middle frame is no mix of the ends) nor the wipe test (its pixels are near the ends
only after shifting) sees that, and TransNetV2 scores pushes ~0. So each frame of a candidate span
is explained as such a composite of the clean frames just before and after it, along the direction
the whole picture moves (phase correlation of consecutive thumbnails finds the runs where it moves
one way), for ``tau`` in one-pixel steps; a push is a run whose frames are explained while ``tau``
sweeps forward. A camera pan is explained by one ``tau`` that stays put (constant speed), not a sweep, and
camera motion that zooms or turns is explained by no composite.
"""

from __future__ import annotations

import itertools

import numpy as np

TRAVEL = (0.75, 1.25)  # how far the picture moves over a push, in frame widths (heights)
SPEED_CHANGE = (0.6, 1.6)  # step-to-step speed ratio within one push
MAX_PUSH = 60  # frames: longer steady motion is a camera move, not a push (they last 0.2-2 s)
PUSH_FIT = 0.6  # composite error over the distance between the ends that counts as explained
TAU_LOW = 0.08  # a best tau this close to 0 or 1 is just one of the ends (dissolves, wipes)
PUSH_FRAMES = 3  # explained frames one push needs
PUSH_SHARE = 0.5  # ... and at least this share of the frames between the clean ends
PUSH_SWEEP = 0.4  # how far tau must travel over those frames (a pan's stays within a step or two)
TAU_SLACK = 0.05  # tau may step back this much between frames (rounding, the shots' own motion)
COVERED_SHARE = 0.5  # a composite must cover at least this share of the frame to be judged


def _place(picture: np.ndarray, ox: int, oy: int) -> tuple[np.ndarray, np.ndarray]:
    """``picture`` moved by (ox, oy) pixels on a frame of its size, and where it covers that frame."""
    h, w = picture.shape[:2]
    out = np.zeros_like(picture)
    covered = np.zeros((h, w), bool)
    ys, yd = slice(max(0, -oy), min(h, h - oy)), slice(max(0, oy), min(h, h + oy))
    xs, xd = slice(max(0, -ox), min(w, w - ox)), slice(max(0, ox), min(w, w + ox))
    if ys.stop > ys.start and xs.stop > xs.start:
        out[yd, xd] = picture[ys, xs]
        covered[yd, xd] = True
    return out, covered


def composite_error(
    middle: np.ndarray, before: np.ndarray, after: np.ndarray, direction: tuple[int, int], tau: float
) -> float:
    """Mean |middle - push composite| over the pixels the two pictures cover (inf when too few)."""
    h, w = middle.shape[:2]
    dx, dy = direction
    ox, oy = round(dx * tau * w), round(dy * tau * h)
    old, old_covered = _place(before, ox, oy)
    new, new_covered = _place(after, ox - dx * w, oy - dy * h)
    picture = np.where(new_covered[..., None], new, old)
    covered = old_covered | new_covered
    if covered.mean() < COVERED_SHARE:
        return float("inf")
    return float(np.abs(middle[covered].astype(np.int16) - picture[covered]).mean())


def push_fit(
    thumbs: np.ndarray, t: int, before: int, after: int, direction: tuple[int, int]
) -> tuple[float, float]:
    """The best push composite along ``direction`` for frame ``t`` from frames ``before`` and
    ``after`` (the clean ends): (error over the ends' distance, tau)."""
    old, new = thumbs[before].astype(np.int16), thumbs[after].astype(np.int16)
    middle = thumbs[t].astype(np.int16)
    distance = float(np.abs(new - old).mean())
    if distance <= 0:
        return float("inf"), 0.0
    h, w = middle.shape[:2]
    steps = max(w if direction[0] else 0, h if direction[1] else 0)  # one pixel a step along the push
    errors = [composite_error(middle, old, new, direction, tau) for tau in np.arange(1, steps) / steps]
    best = int(np.argmin(errors))
    return errors[best] / distance, (best + 1) / steps


def is_push(thumbs: np.ndarray, before: int, after: int, direction: tuple[int, int]) -> bool:
    """True when the frames strictly between ``before`` and ``after`` (the two clean pictures) push
    one out with the other along ``direction``: most of them are explained by a composite whose
    ``tau`` sweeps forward.

    Both shots go on playing during a push, so a long one is explained only roughly by the two
    still ends (error ~0.4-0.5 of their distance mid-way on the tune part); what sets it apart is
    the sweep, which a dissolve or a wipe (best composite stuck at either end) and a pan (stuck at
    one offset) lack."""
    inner = range(before + 1, after)
    if len(inner) < PUSH_FRAMES:
        return False
    fits = [push_fit(thumbs, t, before, after, direction) for t in inner]
    taus = [tau for ratio, tau in fits if ratio <= PUSH_FIT and TAU_LOW <= tau <= 1 - TAU_LOW]
    if len(taus) < max(PUSH_FRAMES, PUSH_SHARE * len(inner)):
        return False
    forward = all(b >= a - TAU_SLACK for a, b in itertools.pairwise(taus))
    return forward and taus[-1] - taus[0] >= PUSH_SWEEP


def _same_way(step: np.ndarray, first: np.ndarray, previous: np.ndarray) -> bool:
    speed, before = float(np.linalg.norm(step)), float(np.linalg.norm(previous))
    same_direction = float(step @ first) > 0.5 * speed * float(np.linalg.norm(first))
    return same_direction and SPEED_CHANGE[0] <= speed / max(before, 1e-6) <= SPEED_CHANGE[1]


def push_candidates(
    dx: np.ndarray, dy: np.ndarray, size: tuple[int, int]
) -> list[tuple[int, int, tuple[int, int]]]:
    """``(before, after, direction)`` of every run of frames whose whole picture moves one way, step
    after step (``translation_steps``), for ``PUSH_FRAMES`` to ``MAX_PUSH`` frames, and by about one
    whole picture (``TRAVEL``) in all: the outgoing shot leaves the frame, where a pan moves on by
    whatever it moves. ``before`` is the last frame before the first step, ``after`` the frame the
    last step lands on; ``size`` is the thumbnails' (width, height)."""
    steps = np.stack([dx, dy], axis=1).astype(np.float64)
    moving = np.abs(np.round(steps)).sum(axis=1) >= 1
    out = []
    t, count = 1, len(dx)
    while t < count:
        if not moving[t]:
            t += 1
            continue
        end = t
        # The run goes on while the picture keeps moving the same way at about the same speed: within
        # 60 degrees of its first step (the correlation peak wanders a pixel across the axis during a
        # push) and SPEED_CHANGE of the step before (a shot's own motion next to a push is slower).
        while end + 1 < count and moving[end + 1] and _same_way(steps[end + 1], steps[t], steps[end]):
            end += 1
        total = steps[t : end + 1].sum(axis=0) / np.array(size, np.float64)  # in picture widths, heights
        direction = tuple(int(np.sign(v)) if abs(v) >= 0.5 else 0 for v in total)
        if (
            PUSH_FRAMES <= end - t + 1 <= MAX_PUSH
            and any(direction)
            and all(TRAVEL[0] <= abs(v) <= TRAVEL[1] for v, d in zip(total, direction, strict=True) if d)
        ):
            out.append((t - 1, end, (direction[0], direction[1])))
        t = end + 1
    return out


def translation_steps(
    thumbs: np.ndarray, chunk: int = 512, grey: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Whole-picture shift from frame t-1 to frame t by phase correlation of the grey thumbnails:
    (dx, dy) in pixels, sub-pixel (0 for frame 0), and the correlation peak (1: a pure translation).
    ``grey``: the thumbnails' (T, H, W) float32 channel mean, when the caller has it already."""
    count = len(thumbs)
    dx, dy, peak = np.zeros(count, np.float32), np.zeros(count, np.float32), np.zeros(count, np.float32)
    if count < 2:
        return dx, dy, peak
    h, w = thumbs.shape[1:3]
    window = np.outer(np.hanning(h), np.hanning(w)).astype(np.float32)
    for first in range(1, count, chunk):
        t = np.arange(first, min(first + chunk, count))
        span = slice(t[0] - 1, t[-1] + 1)
        part = thumbs[span].astype(np.float32).mean(axis=3) if grey is None else grey[span]
        part = (part - part.mean(axis=(1, 2), keepdims=True)) * window
        spectra = np.fft.rfft2(part)
        cross = spectra[1:] * np.conj(spectra[:-1])
        cross /= np.maximum(np.abs(cross), 1e-6)
        surface = np.fft.irfft2(cross, s=(h, w))
        n = np.arange(len(t))
        ys, xs = np.divmod(surface.reshape(len(t), -1).argmax(axis=1), w)
        centre = surface[n, ys, xs]
        peak[t] = centre
        # A parabola through the peak and its neighbours places it between pixels.
        left, right = surface[n, ys, (xs - 1) % w], surface[n, ys, (xs + 1) % w]
        up, down = surface[n, (ys - 1) % h, xs], surface[n, (ys + 1) % h, xs]
        fx = (
            0.5
            * (left - right)
            / np.where(np.abs(left - 2 * centre + right) > 1e-6, left - 2 * centre + right, 1e-6)
        )
        fy = 0.5 * (up - down) / np.where(np.abs(up - 2 * centre + down) > 1e-6, up - 2 * centre + down, 1e-6)
        dx[t] = np.where(xs > w // 2, xs - w, xs) + np.clip(fx, -0.5, 0.5)
        dy[t] = np.where(ys > h // 2, ys - h, ys) + np.clip(fy, -0.5, 0.5)
    return dx, dy, peak
