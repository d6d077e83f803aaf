"""Worker jobs of the scenes feature (contracts in ``contract.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..registry import implements
from .contract import (
    CHECK,
    EXPORT_OTIO,
    GROUP,
    PLAN,
    CheckRequest,
    CheckResult,
    OtioRequest,
    OtioResult,
    PlanRequest,
    PlanResult,
    ScenesRequest,
    ScenesResult,
)
from .pipeline import check as check_analysis
from .pipeline import detect, group, scenes_result

if TYPE_CHECKING:
    from ..worker import JobContext


@implements(GROUP)
def group_scenes(request: ScenesRequest, ctx: JobContext) -> ScenesResult:
    """Detect the shots of ``request.video`` and group them into scenes.

    Raises:
        VideoOpenError, Cancelled: from decoding.
    """
    analysis = detect(
        request.video,
        request.detector,
        min_shot=request.min_shot,
        device=request.device,
        progress=ctx.progress,
        should_stop=ctx.should_stop,
    )
    for message in analysis.cut_list.warnings:
        ctx.warn(message)
    scenes = group(
        analysis,
        threshold=request.threshold,
        device=request.device,
        use_cnn=request.cnn,
        should_stop=ctx.should_stop,
    )
    ctx.progress(1.0, "scenes grouped")
    return scenes_result(analysis, scenes)


@implements(CHECK)
def check(request: CheckRequest, ctx: JobContext) -> CheckResult:
    """Find flash frames, black slugs, frozen runs and jump cuts in ``request.video``."""
    analysis = detect(
        request.video,
        request.detector,
        device=request.device,
        progress=ctx.progress,
        should_stop=ctx.should_stop,
    )
    for message in analysis.cut_list.warnings:
        ctx.warn(message)
    problems = check_analysis(analysis)
    return CheckResult(
        video=str(analysis.cut_list.video),
        fps=float(analysis.cut_list.fps),
        frame_count=analysis.features.frame_count,
        problems=tuple(problems),
    )


@implements(PLAN)
def plan(request: PlanRequest, ctx: JobContext) -> PlanResult:
    """Choose whole shots of ``request.video`` for an edit of about ``request.seconds``."""
    from .plan import plan_edit

    analysis = detect(
        request.video,
        request.detector,
        device=request.device,
        progress=ctx.progress,
        should_stop=ctx.should_stop,
    )
    scenes = group(analysis, device=request.device, should_stop=ctx.should_stop)
    return plan_edit(analysis, scenes, request, warn=ctx.warn)


@implements(EXPORT_OTIO)
def export_otio(request: OtioRequest, ctx: JobContext) -> OtioResult:
    """Write shots (clips) and scenes (markers + one nested stack per scene) to ``request.path``."""
    from .otio import write_scenes_otio

    return OtioResult(path=str(write_scenes_otio(request.scenes_result, request.path)))
