"""Typed errors of the engine.

Every error an artist or a TD can meet carries a message that says what went wrong *and* what to
do next. The add-on shows ``str(error)`` as is; the worker sends ``type(error).__name__`` with it so
the add-on can react to a kind of failure (e.g. offer the bone map on ``BadRig``).
"""

from __future__ import annotations


class EngineError(Exception):
    """Base of every error the engine raises on purpose (bad input, missing data, cancel)."""


class Cancelled(EngineError):
    """The caller asked the job to stop (``should_stop()`` returned True)."""

    def __init__(self, message: str = "Cancelled by the user; nothing was changed.") -> None:
        super().__init__(message)


class VideoOpenError(EngineError):
    """A video file is missing, unreadable, not a video, or holds no decodable frame."""


class VideoDecodeError(EngineError):
    """Decoding failed part-way; ``last_good_frame`` is the last frame that decoded (-1: none)."""

    def __init__(self, message: str, last_good_frame: int = -1) -> None:
        super().__init__(message)
        self.last_good_frame = last_good_frame


class NoPersonFound(EngineError):
    """Motion capture found nobody in the video."""


class NoFaceAtNeutralFrame(EngineError, ValueError):
    """The neutral frame the artist picked has no tracked face (or the take has no face at all)."""


class BadRig(EngineError):
    """A target rig lacks bones the map needs, or is not an armature."""

    def __init__(self, message: str, missing_bones: list[str] | None = None) -> None:
        super().__init__(message)
        self.missing_bones = list(missing_bones or [])


class BadMotionFile(EngineError):
    """A motion file (BVH, track .npz) cannot be read."""


class BadModelFile(EngineError):
    """A model file is corrupt or is not a Clapper model; it was refused without running it."""


class BadImageSet(EngineError):
    """Training images are missing, unreadable or too small."""


class MissingRuntime(EngineError):
    """A library a feature needs is not in this build (e.g. PyTorch where no CPU wheel exists)."""


class ResourceLimit(EngineError):
    """A request would not fit in memory (refused before allocating)."""


def error_payload(exc: BaseException) -> dict[str, object]:
    """The JSON-able form of an error, as the worker sends it and the CLI prints it."""
    payload: dict[str, object] = {"type": type(exc).__name__, "message": str(exc) or type(exc).__name__}
    for attr in ("last_good_frame", "missing_bones"):
        if hasattr(exc, attr):
            payload[attr] = getattr(exc, attr)
    return payload


class ExportError(EngineError):
    """A cut list (or other result) could not be exported: bad folder, or the format refused it."""
