"""Gap filling over tracks of points (numpy only), shared by capture (landmark tracks) and
retargeting (skeleton positions): one implementation of "interpolate what was not observed"."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["fill_gaps", "runs_of_true"]


def runs_of_true(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of every run of True in a 1-D bool array."""
    padded = np.concatenate([[False], mask.astype(bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def fill_gaps(
    values: np.ndarray,
    valid: np.ndarray,
    max_gap: int | None = None,
    breaks: np.ndarray | None = None,
    *,
    hold_ends: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Linearly interpolate runs of invalid frames between two valid frames, along axis 0.

    Arguments:
        values: (T, ...) the track.
        valid: (T,) one flag per frame for the whole frame, or (T, K…) one per point (its shape a
            prefix of ``values``' shape): each point is filled from its own valid frames.
        max_gap: the longest run filled (None: any length); longer gaps are left as they are.
        breaks: (T,) frames where the track jumped (the tracker took someone else): a gap ending
            on one is never bridged.
        hold_ends: gaps at the start or end take the first/last valid value (default: left as they are).
    Returns:
        (a filled copy of values, bool mask shaped like ``valid`` of what was filled). A point with
        no valid frame at all stays as it is.
    """
    values = values.copy()
    valid = np.asarray(valid, dtype=bool)
    filled = np.zeros(valid.shape, bool)
    if max_gap is not None and max_gap <= 0:
        return values, filled
    count = valid.shape[0]
    for point in np.ndindex(valid.shape[1:]):
        where: tuple[Any, ...] = (slice(None), *point)
        ok = valid[where]
        if ok.all() or not ok.any():
            continue
        track, done = values[where], filled[where]  # views: filled in place
        for start, end in runs_of_true(~ok):
            at_start, at_end = start == 0, end == count
            if (at_start or at_end) and not hold_ends:
                continue
            if max_gap is not None and end - start > max_gap:
                continue
            if breaks is not None and not at_end and breaks[end]:
                continue
            if at_start:
                track[start:end] = track[end]
            elif at_end:
                track[start:end] = track[start - 1]
            else:
                before, after = track[start - 1], track[end]
                weights = (np.arange(start, end) - (start - 1)) / (end - start + 1)
                shape = (-1,) + (1,) * (track.ndim - 1)
                track[start:end] = before + (after - before) * weights.reshape(shape)
            done[start:end] = True
    return values, filled
