"""Worker jobs of the cuts feature (contracts in ``contract.py``): detect, detect_many, export."""

from __future__ import annotations

from pathlib import Path

from ..errors import EngineError
from ..progress import sub_progress
from ..registry import implements
from ..worker import JobContext
from . import formats
from .contract import (
    DETECT,
    DETECT_MANY,
    EXPORT,
    DetectManyRequest,
    DetectManyResult,
    DetectRequest,
    DetectResult,
    ExportRequest,
    ExportResult,
)
from .curve import render_curve, save_curve
from .cutlist import CutList
from .detect import detect_cuts


@implements(DETECT)
def detect(request: DetectRequest, ctx: JobContext) -> DetectResult:
    """Detect the cuts of ``request.video``; writes the cut list and score curve into the workdir.

    Raises:
        VideoOpenError, Cancelled: from the detection.
    """
    detection = detect_cuts(
        request.video,
        request.detector,
        min_shot=request.min_shot,
        device=request.device,
        progress=ctx.progress,
        should_stop=ctx.should_stop,
    )
    cut_list = detection.cut_list
    for message in cut_list.warnings:
        ctx.warn(message)
    stem = Path(request.video).stem
    list_path = cut_list.save(ctx.workdir / f"{stem}.cuts.json")
    curve = render_curve(cut_list, detection.score, detection.threshold, detection.network)
    curve_path = save_curve(curve, ctx.workdir / f"{stem}.score_curve.png")
    assert detection.info is not None  # detect_cuts always probes
    return DetectResult(
        cut_list=cut_list,
        cut_list_path=str(list_path),
        curve_path=str(curve_path),
        threshold=detection.threshold,
        info=detection.info,
    )


@implements(DETECT_MANY)
def detect_many(request: DetectManyRequest, ctx: JobContext) -> DetectManyResult:
    """``detect`` for each video in turn (one worker, the network loaded once); the first failing
    video stops the job."""
    results = []
    count = len(request.videos)
    for index, video in enumerate(request.videos):
        sub = JobContext(
            workdir=ctx.workdir / f"video_{index:03d}",
            progress=sub_progress(ctx.progress, index / count, (index + 1) / count),
            should_stop=ctx.should_stop,
            warn=ctx.warn,
            warnings=ctx.warnings,
        )
        sub.workdir.mkdir(parents=True, exist_ok=True)
        results.append(detect(request.one(video), sub))
    return DetectManyResult(results=tuple(results))


@implements(EXPORT)
def export(request: ExportRequest, ctx: JobContext) -> ExportResult:
    """Write the cut list to every requested format.

    Raises:
        EngineError: ``cut_list_path`` is gone.
        ExportError: a file could not be written.
        ValueError: ``cut_list_path`` is not a cut list.
    """
    cut_list = request.cut_list
    if cut_list is None:
        source = Path(str(request.cut_list_path))
        if not source.exists():
            raise EngineError(f"The cut list {source} is gone: run Detect Cuts again, then export.")
        cut_list = CutList.load(source)
    written: dict[str, str] = {}
    for index, (fmt, target) in enumerate(request.targets.items()):
        ctx.progress(index / len(request.targets), f"writing {fmt.upper()}")
        written[fmt] = str(formats.write(cut_list, target, fmt))
    return ExportResult(written=written)
