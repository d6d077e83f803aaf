"""Contracts of the scenes jobs: group shots into scenes, check a rendered edit, plan an edit."""

from __future__ import annotations

from dataclasses import dataclass

from ..contract import Contract, JobSpec, require
from ..cuts.contract import DETECTORS  # passed through to the cuts detector (one vocabulary)

# Cut errors found in rendered video (``python -m ai_engine check``).
PROBLEM_KINDS = ("flash_frame", "black_frames", "frozen_frames", "jump_cut")


@dataclass(frozen=True)
class Shot(Contract):
    """Frames ``first..last`` (0-based, decode order, inclusive) of one shot."""

    first: int
    last: int

    def __post_init__(self) -> None:
        require(
            0 <= self.first <= self.last, f"A shot needs 0 <= first <= last (got {self.first}..{self.last})."
        )


@dataclass(frozen=True)
class Scene(Contract):
    """Consecutive shots ``shots`` (indices into the shot list) covering frames ``first..last``."""

    first: int
    last: int
    shots: tuple[int, ...]

    def __post_init__(self) -> None:
        require(len(self.shots) > 0, "A scene holds at least one shot.")
        require(self.first <= self.last, f"A scene needs first <= last (got {self.first}..{self.last}).")


@dataclass(frozen=True)
class ScenesRequest(Contract):
    video: str
    detector: str = "auto"
    min_shot: int | None = None
    device: str | None = None
    # Linking threshold on the shot similarity (0..1); None: the tuned default.
    threshold: float | None = None
    cnn: bool = False  # add TransNetV2's learned frame features to the colour cue (see group.py)

    def __post_init__(self) -> None:
        require(bool(self.video), "No video given: pass the path of a video file.")
        require(
            self.detector in DETECTORS,
            f"Unknown detector {self.detector!r}: use one of {', '.join(DETECTORS)}.",
        )
        require(self.threshold is None or 0.0 < self.threshold < 1.0, "threshold must lie between 0 and 1.")


@dataclass(frozen=True)
class ScenesResult(Contract):
    video: str
    fps: float
    frame_count: int
    shots: tuple[Shot, ...]
    scenes: tuple[Scene, ...]
    cuts: tuple[int, ...]  # first frame of every shot after the first (the detector's cut frames)

    def to_json(self) -> dict[str, object]:
        """The documented CLI shape: ``{"shots": [[f, l], ...], "scenes": [{first, last, shots}]}``."""
        return {
            "shots": [[s.first, s.last] for s in self.shots],
            "scenes": [{"first": s.first, "last": s.last, "shots": list(s.shots)} for s in self.scenes],
        }


@dataclass(frozen=True)
class Problem(Contract):
    kind: str
    first: int
    last: int
    detail: str

    def __post_init__(self) -> None:
        require(
            self.kind in PROBLEM_KINDS,
            f"Unknown problem kind {self.kind!r}: one of {', '.join(PROBLEM_KINDS)}.",
        )


@dataclass(frozen=True)
class CheckRequest(Contract):
    video: str
    detector: str = "auto"
    device: str | None = None

    def __post_init__(self) -> None:
        require(bool(self.video), "No video given: pass the path of a video file.")
        require(
            self.detector in DETECTORS,
            f"Unknown detector {self.detector!r}: use one of {', '.join(DETECTORS)}.",
        )


@dataclass(frozen=True)
class CheckResult(Contract):
    video: str
    fps: float
    frame_count: int
    problems: tuple[Problem, ...]

    def to_json(self) -> dict[str, object]:
        return {"problems": [p.to_dict() for p in self.problems]}


@dataclass(frozen=True)
class PlanRequest(Contract):
    """Make Edit: choose whole shots of ``video`` filling about ``seconds``."""

    video: str
    seconds: float
    min_shot_seconds: float = 1.0
    detector: str = "auto"
    device: str | None = None

    def __post_init__(self) -> None:
        require(bool(self.video), "No video given: pass the path of a video file.")
        require(self.seconds > 0, f"--seconds must be positive (got {self.seconds}).")
        require(self.min_shot_seconds >= 0, "the minimum shot length cannot be negative.")
        require(
            self.detector in DETECTORS,
            f"Unknown detector {self.detector!r}: use one of {', '.join(DETECTORS)}.",
        )


@dataclass(frozen=True)
class PlannedShot(Contract):
    """One chosen shot: source frames ``first..last`` from ``scene``, with why it ranked."""

    shot: int
    scene: int
    first: int
    last: int
    score: float
    faces: float
    motion: float
    novelty: float


@dataclass(frozen=True)
class PlanResult(Contract):
    video: str
    fps: float
    frame_count: int
    seconds: float  # length of the chosen shots
    shots: tuple[PlannedShot, ...]  # in source order
    scenes: tuple[Scene, ...]
    skipped_scenes: tuple[int, ...]  # scenes with no shot in the edit (time ran out / too short)


@dataclass(frozen=True)
class OtioRequest(Contract):
    """Write an OTIO timeline of the shots with one marker per scene and a nested stack per scene."""

    scenes_result: ScenesResult
    path: str

    def __post_init__(self) -> None:
        require(self.path.endswith(".otio"), f"The OTIO file must end in .otio (got {self.path}).")


@dataclass(frozen=True)
class OtioResult(Contract):
    path: str


GROUP: JobSpec[ScenesRequest, ScenesResult] = JobSpec(
    "scenes.group", ScenesRequest, ScenesResult, "detect the shots of a video and group them into scenes"
)
CHECK: JobSpec[CheckRequest, CheckResult] = JobSpec(
    "scenes.check", CheckRequest, CheckResult, "find flash, black, frozen frames and jump cuts in a video"
)
PLAN: JobSpec[PlanRequest, PlanResult] = JobSpec(
    "scenes.plan", PlanRequest, PlanResult, "choose whole shots of a video for an edit of a given length"
)
EXPORT_OTIO: JobSpec[OtioRequest, OtioResult] = JobSpec(
    "scenes.export_otio", OtioRequest, OtioResult, "write shots and scenes as an OpenTimelineIO timeline"
)
