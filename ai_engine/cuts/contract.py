"""What crosses the worker for the cuts feature: typed requests and results, and the vocabularies.

Vocabularies (one tuple each; argparse ``choices``, the add-on's enum items and panel buttons read
them):

* ``DETECTORS``: one module per detector in ``ai_engine/cuts/detectors/`` (its file name is its
  name), ``auto`` first;
* ``EXPORT_FORMATS``: one module per format in ``ai_engine/cuts/formats/``, ``otio`` first;
* ``CUT_KINDS``: what a boundary can be.

The detector and format tuples are the module names found in those folders (a directory listing,
nothing imported), so adding a detector or a format is adding one file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..contract import Contract, JobSpec, require
from ..video import VideoInfo
from . import detectors, formats
from .cutlist import CutList

CUT_KINDS: tuple[str, ...] = ("cut", "dissolve", "fade", "wipe")
DETECTORS: tuple[str, ...] = detectors.names()
EXPORT_FORMATS: tuple[str, ...] = formats.names()


def _check_detection_options(detector: str, min_shot: int | None) -> None:
    require(detector in DETECTORS, f"Unknown detector {detector!r}: use one of {', '.join(DETECTORS)}.")
    require(min_shot is None or min_shot >= 1, f"min_shot is a number of frames (1 or more), not {min_shot}.")


@dataclass(frozen=True)
class DetectRequest(Contract):
    """Detect the cuts of ``video``. ``min_shot``: shortest shot in frames (None: a quarter second);
    ``device``: the network's device (None: CUDA when present)."""

    video: str
    detector: str = "auto"
    min_shot: int | None = None
    device: str | None = None

    def __post_init__(self) -> None:
        require(bool(self.video), "No video given: pass the path of a video file.")
        _check_detection_options(self.detector, self.min_shot)


@dataclass(frozen=True)
class DetectResult(Contract):
    """The cut list, and where its JSON and its score-curve picture were written (in the workdir)."""

    cut_list: CutList
    cut_list_path: str
    curve_path: str
    threshold: float  # the fast pass's hard-cut threshold drawn on the curve
    info: VideoInfo


@dataclass(frozen=True)
class DetectManyRequest(Contract):
    """``DetectRequest`` for several videos in one worker (the network is loaded once)."""

    videos: tuple[str, ...]
    detector: str = "auto"
    min_shot: int | None = None
    device: str | None = None

    def __post_init__(self) -> None:
        require(bool(self.videos), "No videos given: select one or more movie strips.")
        require(all(self.videos), "One of the videos has no path.")
        _check_detection_options(self.detector, self.min_shot)

    def one(self, video: str) -> DetectRequest:
        return DetectRequest(video=video, detector=self.detector, min_shot=self.min_shot, device=self.device)


@dataclass(frozen=True)
class DetectManyResult(Contract):
    results: tuple[DetectResult, ...]  # in the order of the request's videos


@dataclass(frozen=True)
class ExportRequest(Contract):
    """Write one cut list (given, or the JSON at ``cut_list_path``) to each ``format → path``."""

    targets: dict[str, str]
    cut_list: CutList | None = None
    cut_list_path: str | None = None

    def __post_init__(self) -> None:
        require(
            self.cut_list is not None or bool(self.cut_list_path),
            "No cut list given: run Detect Cuts first (pass cut_list or cut_list_path).",
        )
        require(
            bool(self.targets),
            f"Nothing to export: give at least one of {', '.join(EXPORT_FORMATS)} with a file path.",
        )
        unknown = sorted(set(self.targets) - set(EXPORT_FORMATS))
        require(not unknown, f"Unknown export format {', '.join(unknown)}: use {', '.join(EXPORT_FORMATS)}.")
        require(all(self.targets.values()), "Every export format needs a file path.")


@dataclass(frozen=True)
class ExportResult(Contract):
    written: dict[str, str] = field(default_factory=dict)  # format → the file written


DETECT = JobSpec("cuts.detect", DetectRequest, DetectResult, "detect the cuts of one video")
DETECT_MANY = JobSpec(
    "cuts.detect_many", DetectManyRequest, DetectManyResult, "detect cuts in several videos"
)
EXPORT = JobSpec("cuts.export", ExportRequest, ExportResult, "write a cut list as OTIO/EDL/CSV")
