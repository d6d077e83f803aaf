"""Run-time settings the add-on's preferences (or a TD's environment) pass to the engine.

``CLAPPER_DEVICE``: ``auto`` (CUDA when present, else CPU), ``cpu`` or ``cuda``.
``CLAPPER_THREADS``: worker threads for torch/OpenCV; 0 or unset = all cores.
"""

from __future__ import annotations

import os


def threads() -> int:
    try:
        value = int(os.environ.get("CLAPPER_THREADS", "0"))
    except ValueError:
        value = 0
    return value if value > 0 else (os.cpu_count() or 1)


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
