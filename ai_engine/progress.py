"""The two callbacks every long engine entry point takes, and helpers to use them.

``progress(fraction, message)`` — fraction in [0, 1] (or -1 when unknown), a short human message.
``should_stop()`` — True when the caller wants the job to end; the job then raises ``Cancelled``.
"""

from __future__ import annotations

from collections.abc import Callable

from .errors import Cancelled

ProgressFn = Callable[[float, str], None]
StopFn = Callable[[], bool]


def no_progress(fraction: float, message: str) -> None:
    """A progress callback that ignores everything."""


def never_stop() -> bool:
    """A should_stop callback that never asks to stop."""
    return False


def check_stop(should_stop: StopFn) -> None:
    """Raise ``Cancelled`` if the caller asked to stop."""
    if should_stop():
        raise Cancelled()


def sub_progress(progress: ProgressFn, start: float, end: float) -> ProgressFn:
    """A progress callback that maps [0, 1] of a sub-step onto [start, end] of the whole job."""

    def report(fraction: float, message: str) -> None:
        if fraction < 0:
            progress(-1.0, message)
        else:
            progress(start + (end - start) * min(max(fraction, 0.0), 1.0), message)

    return report
