"""Run-time settings the add-on's preferences (or a TD's environment) pass to the engine.

``CLAPPER_DEVICE``: ``auto`` (CUDA when present, else CPU), ``cpu`` or ``cuda``.
``CLAPPER_THREADS``: threads for torch, OpenCV and FFmpeg's decoder; 0 or unset = all cores (a batch
task sets it to the CPUs it declared, so two one-CPU tasks share two cores instead of fighting for them).
"""

from __future__ import annotations

import os


def threads_asked() -> int | None:
    """``CLAPPER_THREADS`` when it is a positive number, else ``None`` (each library's own default)."""
    try:
        value = int(os.environ.get("CLAPPER_THREADS", "0"))
    except ValueError:
        return None
    return value if value > 0 else None


def threads() -> int:
    """Threads for the engine's native libraries: ``CLAPPER_THREADS``, else every core."""
    return threads_asked() or os.cpu_count() or 1


def device(preference: str | None = None) -> str:
    """The torch device name for ``preference`` (``auto``, ``cpu`` or ``cuda``; default: the
    ``CLAPPER_DEVICE`` setting): CUDA when asked for or automatic and present, else the CPU — a long
    job falls back to the CPU rather than failing. Decided when a job starts, never at import."""
    wanted = (preference or os.environ.get("CLAPPER_DEVICE") or "auto").lower()
    if wanted == "cpu":
        return "cpu"
    import torch

    if torch.cuda.is_available():
        return "cuda"
    return "cpu"


def apply_threads() -> None:
    """Set the thread pools of the native libraries the engine uses."""
    n = threads()
    try:
        import cv2

        cv2.setNumThreads(n)
    except ImportError:
        pass
    if "torch" in __import__("sys").modules:
        import torch

        torch.set_num_threads(n)
