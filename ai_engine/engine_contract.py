"""Contracts of the jobs every feature shares: probing footage and checking the engine itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from .contract import Contract, JobSpec, require
from .video import VideoInfo

CRASH_KINDS = ("abort", "segv", "exit")
DEFAULT_LIBRARIES = ("numpy", "cv2", "torch", "mediapipe", "opentimelineio")


@dataclass(frozen=True)
class ProbeRequest(Contract):
    """``audio_dir``: where to copy the audio tracks after the first (Blender plays only a file's
    first audio stream, so each further track needs a file of its own to become a sound strip)."""

    video: str
    audio_dir: str | None = None

    def __post_init__(self) -> None:
        require(bool(self.video), "No video given: pass the path of a video file.")


@dataclass(frozen=True)
class ProbeResult(Contract):
    """``audio_files``: the copies of audio tracks 2, 3 … in ``audio_dir`` (empty when not asked)."""

    info: VideoInfo
    audio_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class DiagnosticsRequest(Contract):
    """``steps`` > 0 makes a job of known length (to check progress and cancel); ``crash`` ends the
    process abruptly the way a native library would (to check that Blender survives it)."""

    steps: int = 0
    step_seconds: float = 0.01
    crash: str | None = None
    libraries: tuple[str, ...] = DEFAULT_LIBRARIES

    def __post_init__(self) -> None:
        require(self.steps >= 0, "steps must be 0 or more.")
        require(self.crash is None or self.crash in CRASH_KINDS, f"crash is one of {', '.join(CRASH_KINDS)}.")


@dataclass(frozen=True)
class DiagnosticsResult(Contract):
    python: str
    executable: str
    platform: str
    pid: int
    steps: int
    libraries: dict[str, str] = field(default_factory=dict)


PROBE = JobSpec("engine.probe", ProbeRequest, ProbeResult, "describe a video file")
DIAGNOSTICS = JobSpec("engine.diagnostics", DiagnosticsRequest, DiagnosticsResult, "check the engine")
