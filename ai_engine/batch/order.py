"""The order a batch's tasks start in: the longest expected first.

With fewer workers than tasks the batch ends when its last task does; a long clip that starts last
runs alone while the other workers idle (bench/batch.py measured it: fades.mp4, one of the heaviest
clips for ``auto``, was the twelfth input). Starting the longest expected work first (the classic
longest-processing-time rule) lets the short tasks fill in at the end instead.

Expected work is the input's media duration read from its container header only
(``video.media_seconds``: no packet scan, no decoding, milliseconds a file); an input with no
readable duration (a preset name, a motion file, a file FFmpeg cannot open) counts by its size in
bytes after every timed input. Reading headers is bounded by ``budget`` seconds in all: past it the
rest keep the order they were given.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from ..video import media_seconds

T = TypeVar("T")

HEADER_BUDGET_S = 5.0


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
