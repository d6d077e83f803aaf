"""Worker jobs for the add-on: ``ai_engine.cuts.jobs:detect`` and ``ai_engine.cuts.jobs:export``.

``detect`` request::

    {"video": "/abs/clip.mp4", "detector": "auto"|"fast"|"neural", "min_shot": 6 | null,
     "device": "cpu"|"cuda"|null}

result::

    {"cut_list": {...CutList JSON...}, "cut_list_path": ".../cuts.json",
     "curve_path": ".../score_curve.png", "threshold": 0.45, "warnings": [...]}

``detect_many``: ``{"videos": [...], ...}`` → ``{"results": [detect result, ...]}``.

``export`` request::

    {"cut_list": {...} | "cut_list_path": "...", "otio": path|null, "edl": path|null, "csv": path|null}

result: ``{"written": {"otio": path, ...}}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import EngineError
from ..progress import sub_progress
from ..registry import implements
from .contract import DETECT, DETECT_MANY, EXPORT
from .curve import render_curve, save_curve
from .cutlist import CutList
from .detect import DETECTORS, detect_cuts
from .export import WRITERS

if TYPE_CHECKING:
    from ..worker import JobContext


@implements(DETECT)
def detect(request: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Detect the cuts of ``request["video"]``; writes the cut list and score curve into the workdir.

    Raises:
        EngineError: no video given or an unknown detector (message says what to pass).
        VideoOpenError, Cancelled: from the detection.
    """
    video = request.get("video")
    if not video:
        raise EngineError("No video given: pass {'video': '/path/to/clip.mp4'}.")
    detector = str(request.get("detector") or "auto")
    if detector not in DETECTORS:
        raise EngineError(f"Unknown detector {detector!r}: use one of {', '.join(DETECTORS)}.")
    min_shot = request.get("min_shot")
    detection = detect_cuts(
        str(video),
        detector,
        min_shot=int(min_shot) if min_shot else None,
        device=request.get("device"),
        progress=ctx.progress,
        should_stop=ctx.should_stop,
    )
    cut_list = detection.cut_list
    for message in cut_list.warnings:
        ctx.warn(message)
    stem = Path(str(video)).stem
    list_path = cut_list.save(ctx.workdir / f"{stem}.cuts.json")
    curve = render_curve(cut_list, detection.score, detection.threshold, detection.network)
    curve_path = save_curve(curve, ctx.workdir / f"{stem}.score_curve.png")
    return {
        "cut_list": cut_list.to_dict(),
        "cut_list_path": str(list_path),
        "curve_path": str(curve_path),
        "threshold": detection.threshold,
        "info": detection.info.to_dict() if detection.info else None,
        "warnings": list(cut_list.warnings),
    }


@implements(DETECT_MANY)
def detect_many(request: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """``detect`` for each of ``request["videos"]`` in turn (one worker, the network loaded once).

    Returns:
        ``{"results": [detect result, ...]}`` in the order of ``videos``.

    Raises:
        EngineError: no videos; otherwise as ``detect`` (the first failing video stops the job).
    """
    from ..worker import JobContext

    videos = [str(v) for v in request.get("videos") or []]
    if not videos:
        raise EngineError("No videos given: pass {'videos': ['/path/a.mp4', ...]}.")
    results = []
    for index, video in enumerate(videos):
        sub = JobContext(
            workdir=ctx.workdir / f"video_{index:03d}",
            progress=sub_progress(ctx.progress, index / len(videos), (index + 1) / len(videos)),
            should_stop=ctx.should_stop,
            warn=ctx.warn,
            warnings=ctx.warnings,
        )
        sub.workdir.mkdir(parents=True, exist_ok=True)
        results.append(detect({**request, "video": video}, sub))
    return {"results": results}


@implements(EXPORT)
def export(request: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Write the given cut list to every requested format.

    Raises:
        EngineError: no cut list, or nothing to write.
        ExportError: a file could not be written.
    """
    if request.get("cut_list"):
        cut_list = CutList.from_dict(dict(request["cut_list"]))
    elif request.get("cut_list_path"):
        cut_list = CutList.load(str(request["cut_list_path"]))
    else:
        raise EngineError("No cut list given: run Detect Cuts first (pass 'cut_list' or 'cut_list_path').")
    targets = {fmt: request.get(fmt) for fmt in WRITERS if request.get(fmt)}
    if not targets:
        raise EngineError("Nothing to export: pass at least one of 'otio', 'edl' or 'csv' with a file path.")
    written: dict[str, str] = {}
    for index, (fmt, path) in enumerate(targets.items()):
        ctx.progress(index / len(targets), f"writing {fmt.upper()}")
        written[fmt] = str(WRITERS[fmt](cut_list, str(path)))
    return {"written": written}
