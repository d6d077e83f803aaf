"""The order a batch's tasks start in: the longest expected first.

With fewer workers than tasks the batch ends when its last task does; a long clip that starts last
runs alone while the other workers idle (bench/batch.py measured it: fades.mp4, one of the heaviest
clips for ``auto``, was the twelfth input). Starting the longest expected work first (the classic
longest-processing-time rule) lets the short tasks fill in at the end instead.

Expected work is the input's media duration read from its container header only (no packet scan,
no decoding: milliseconds a file); an input with no readable duration (a preset name, a motion
file, a file FFmpeg cannot open) counts by its size in bytes after every timed input. Reading
headers is bounded by ``budget`` seconds in all: past it the rest keep the order they were given.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

HEADER_BUDGET_S = 5.0


def media_seconds(path: str) -> float | None:
    """Duration of ``path``'s longest video (or audio) stream from its header; None if unknown."""
    if not os.path.isfile(path):
        return None
    try:
        import av

        with av.open(path, metadata_errors="ignore") as container:
            if container.duration is not None and container.duration > 0:
                return float(container.duration) / 1_000_000
            best = 0.0
            for stream in container.streams:
                if stream.duration is not None and stream.time_base is not None:
                    best = max(best, float(stream.duration * stream.time_base))
            return best or None
    except Exception:  # not media FFmpeg reads (a .bvh, a .blend): counted by size instead
        return None


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def longest_first(
    items: Sequence[T],
    path_of: Callable[[T], str],
    *,
    budget: float = HEADER_BUDGET_S,
    seconds_of: Callable[[str], float | None] = media_seconds,
    clock: Callable[[], float] = time.monotonic,
) -> list[T]:
    """``items`` ordered by expected work, longest first (stable: ties keep the given order)."""
    deadline = clock() + budget
    keys: list[tuple[int, float]] = []
    for item in items:
        path = path_of(item)
        seconds = seconds_of(path) if clock() < deadline else None
        if seconds is not None:
            keys.append((2, seconds))
        elif clock() < deadline:
            keys.append((1, float(_size(path))))
        else:
            keys.append((0, 0.0))  # past the budget: after the rest, in the order given
    ranked = sorted(range(len(items)), key=lambda i: (keys[i][0], keys[i][1]), reverse=True)
    # sorted(reverse=True) keeps equal keys in their original order, as stability asks
    return [items[i] for i in ranked]
