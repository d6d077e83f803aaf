"""Contracts of the capture jobs: what the artist asks for, the health report, and what comes back.

Big arrays never cross the worker: the track (``MotionTrack`` .npz), the QA contact sheet (PNG) and the
retargeted ``BoneAnimation`` travel as paths in the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..contract import Contract, JobSpec, require
from ..retarget.rigspec import RigSpec

PARTS = ("body", "face", "hands")
"""What a capture can track, in the order the pipeline runs them."""

SYNC_MODES = ("motion", "as_filmed")
# Whom to capture when several people are in the picture: "first" follows whoever the tracker finds
# first (one tracker, the fastest); the others track up to MAX_PEOPLE and follow the one chosen on the
# first frame they are seen — largest, or leftmost/rightmost — through crossings, re-finding them by
# where they were last seen if the tracker loses them.
PERSON_CHOICES = ("first", "largest", "leftmost", "rightmost")
"""How several videos of one take are lined up: by their motion (the offset where the views agree
with the cameras' geometry) or as filmed (frame i of every video is the same instant: timecode-synced)."""


def parse_parts(text: str) -> tuple[str, ...]:
    """``"body, face"`` → ``("body", "face")`` (for command lines); checked by ``CaptureOptions``."""
    return tuple(p.strip() for p in text.split(",") if p.strip())


@dataclass(frozen=True)
class CaptureOptions(Contract):
    """What the artist chooses. ``smoothing`` 0 (raw) … 1 (heavy); gaps longer than
    ``max_gap_seconds`` stay empty; ``neutral_frame`` is the video frame with a relaxed face (None:
    found automatically); ``max_side`` shrinks big frames before tracking; ``concurrent`` runs body and
    face trackers side by side."""

    parts: tuple[str, ...] = PARTS
    smoothing: float = 0.5
    max_gap_seconds: float = 0.5
    neutral_frame: int | None = None
    fix_swaps: bool = True
    max_side: int | None = None
    concurrent: bool = True
    solve: bool = True  # the whole-take body solve (False: per-frame filter only, as before)
    backend: str | None = None  # runners.BACKENDS; None: runners.default_backend() (LiteRT)
    person: str = "first"  # PERSON_CHOICES

    def __post_init__(self) -> None:
        require(
            self.person in PERSON_CHOICES,
            f"Unknown person choice {self.person!r}: use one of {', '.join(PERSON_CHOICES)}.",
        )
        unknown = sorted(set(self.parts) - set(PARTS))
        require(not unknown, f"Unknown parts {unknown}: choose among {', '.join(PARTS)}.")
        require(bool(self.parts), f"No part chosen: pick at least one of {', '.join(PARTS)}.")
        # One order everywhere, whatever order the caller listed them in.
        object.__setattr__(self, "parts", tuple(p for p in PARTS if p in self.parts))
        require(0.0 <= self.smoothing <= 1.0, f"smoothing is 0 … 1, not {self.smoothing}.")
        require(
            self.max_gap_seconds >= 0.0, f"max_gap_seconds must be 0 or more, not {self.max_gap_seconds}."
        )
        if self.neutral_frame is not None and self.neutral_frame < 0:
            object.__setattr__(self, "neutral_frame", None)  # the panel's -1: automatic
        require(
            self.max_side is None or self.max_side >= 64, f"max_side must be ≥ 64 px, not {self.max_side}."
        )


# ---------------------------------------------------------------------------------- health report


@dataclass(frozen=True)
class PartHealth(Contract):
    """How well one part was tracked: frames seen, filled by interpolation, and left empty."""

    tracked_frames: int
    interpolated_frames: int
    missing_frames: int
    gaps_filled: int
    gaps_left_empty: tuple[tuple[int, int], ...]  # (first, last) frame of each, inclusive
    longest_gap_seconds: float


@dataclass(frozen=True)
class BodyHealth(PartHealth):
    swaps_fixed: int = 0  # runs of frames where left and right were exchanged back
    swapped_frames: int = 0


@dataclass(frozen=True)
class FaceHealth(PartHealth):
    """The face's tracking, and the neutral its curves are measured against: ``neutral_source`` is
    ``picked`` (the artist's frame), ``found`` (the still stretch ``neutral_frames`` where the face is
    most at rest; ``neutral_frame`` its most restful frame) or ``median`` (takes under a second: the
    median face with lips closed)."""

    neutral_frame: int | None = None
    neutral_frames: tuple[int, int] | None = None
    neutral_source: str = "median"


@dataclass(frozen=True)
class HandsHealth(Contract):
    left: PartHealth
    right: PartHealth


@dataclass(frozen=True)
class ViewHealth(Contract):
    """One camera of a multi-camera take: its offset found from the motion (frames it starts after
    the first video: the offset where both views' landmarks fit the cameras' geometry best), the
    median distance of its landmarks from the first view's epipolar lines there (px), frames whose
    left/right labels were exchanged to agree with the other views, frames with a body."""

    video: str
    camera: str
    offset_frames: int
    sync_error_px: float
    mirrored_frames: int
    tracked_frames: int


@dataclass(frozen=True)
class HealthReport(Contract):
    """The capture's health: per part, and what the artist should know (``warnings``)."""

    frames: int
    fps: float
    image_size: tuple[int, int]
    parts: tuple[str, ...]
    capture_fps: float
    max_gap_seconds: float
    max_faces_seen: int = 0
    truncated_after: int | None = None
    body: BodyHealth | None = None
    face: FaceHealth | None = None
    hands: HandsHealth | None = None
    hands_rejected: int = 0
    tracker_jumps: tuple[int, ...] = ()
    views: tuple[ViewHealth, ...] = ()
    warnings: tuple[str, ...] = ()

    def line(self) -> str:
        """One line for a panel or a log: frames tracked, gaps, swaps fixed, per part."""
        out = []
        if self.body is not None:
            b = self.body
            out.append(
                f"body {b.tracked_frames}/{self.frames} tracked, {b.interpolated_frames} filled, "
                f"{len(b.gaps_left_empty)} gaps left, {b.swaps_fixed} swaps fixed"
            )
        if self.face is not None:
            f = self.face
            neutral = (
                f" (neutral frame {f.neutral_frame}, {f.neutral_source})"
                if f.neutral_frame is not None
                else ""
            )
            out.append(f"face {f.tracked_frames}/{self.frames}{neutral}")
        if self.hands is not None:
            out.append(f"hands L {self.hands.left.tracked_frames} R {self.hands.right.tracked_frames}")
        return "; ".join(out)


# ---------------------------------------------------------------------------------- jobs


@dataclass(frozen=True)
class CaptureRequest(Contract):
    """Capture ``video``. ``out``: the track's .npz (default: in the job's workdir); ``overlay``: also
    write a QA contact sheet beside it. ``more_videos`` + ``calibration``: the same take filmed by
    other calibrated cameras (``video`` is the first camera; it gives the face, hands and axes)."""

    video: str
    options: CaptureOptions = field(default_factory=CaptureOptions)
    overlay: bool = True
    out: str | None = None
    more_videos: tuple[str, ...] = ()
    calibration: str | None = None
    sync: str = "motion"

    def __post_init__(self) -> None:
        require(self.sync in SYNC_MODES, f"sync is one of {', '.join(SYNC_MODES)}, not {self.sync!r}.")
        require(bool(self.video), "No video given: pass the path of the performance video.")
        require(
            not self.more_videos or bool(self.calibration),
            "Several videos need their cameras' calibration: pass a calibration file (.qca.txt, .toml, .yml).",
        )
        require(
            self.out is None or self.out.endswith(".npz"), f"The track is an .npz file, not {self.out!r}."
        )


@dataclass(frozen=True)
class CaptureResult(Contract):
    """``track``: the ``MotionTrack`` .npz; ``overlay``: the QA contact sheet PNG (None when not asked)."""

    track: Path
    overlay: Path | None
    report: HealthReport
    frames: int
    fps: float
    source_name: str


@dataclass(frozen=True)
class CaptureToRigRequest(Contract):
    """Capture, then (with a rig and a captured body) retarget onto ``rig``; ``foot_lock`` pins feet
    that stand still."""

    capture: CaptureRequest
    rig: RigSpec | None = None
    foot_lock: bool = True


@dataclass(frozen=True)
class CaptureToRigResult(Contract):
    """``animation``: the ``BoneAnimation`` .npz (None without a rig or without a body);
    ``contacts``: frames with the left and right foot locked."""

    capture: CaptureResult
    animation: Path | None = None
    bones: tuple[str, ...] = ()
    root_bone: str | None = None
    contacts: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class ResolveRequest(Contract):
    """Solve a captured one-camera take again with the foot contacts an animator edited on the rig
    (frames of the track, from 0, where each foot is planted), then retarget like ``capture_to_rig``.
    ``out``: the new track's .npz (default: beside the old one, ``…_resolved.npz``)."""

    track: str
    left_contacts: tuple[int, ...]
    right_contacts: tuple[int, ...]
    rig: RigSpec | None = None
    foot_lock: bool = True
    smoothing: float = 0.5
    out: str | None = None

    def __post_init__(self) -> None:
        require(bool(self.track), "No track given: capture the video first.")
        frames = self.left_contacts + self.right_contacts
        require(all(f >= 0 for f in frames), "Contact frames count from 0.")
        require(0.0 <= self.smoothing <= 1.0, f"smoothing is 0 … 1, not {self.smoothing}.")


CAPTURE = JobSpec("capture.capture", CaptureRequest, CaptureResult, "capture a video into a MotionTrack")
CAPTURE_TO_RIG = JobSpec(
    "capture.capture_to_rig", CaptureToRigRequest, CaptureToRigResult, "capture and retarget onto a rig"
)
RESOLVE = JobSpec(
    "capture.resolve", ResolveRequest, CaptureToRigResult, "solve a take again with edited foot contacts"
)
