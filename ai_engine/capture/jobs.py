"""Worker jobs of the capture feature: ``capture.capture`` and ``capture.capture_to_rig``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..progress import sub_progress
from ..registry import implements
from ..worker import JobContext
from .contract import (
    CAPTURE,
    CAPTURE_TO_RIG,
    RESOLVE,
    CaptureRequest,
    CaptureResult,
    CaptureToRigRequest,
    CaptureToRigResult,
    ResolveRequest,
)
from .overlay import contact_sheet
from .pipeline import capture as run_capture
from .track import MotionTrack

if TYPE_CHECKING:
    from ..retarget.rigspec import RigSpec


def _run_capture(request: CaptureRequest, ctx: JobContext, end: float) -> tuple[CaptureResult, MotionTrack]:
    video = request.video
    overlay_start = end - 0.05 * end if request.overlay else end
    if request.more_videos:
        from .multiview import capture_views

        assert request.calibration is not None  # the contract requires it
        captured = capture_views(
            [video, *request.more_videos],
            request.calibration,
            request.options,
            sync=request.sync,
            progress=sub_progress(ctx.progress, 0.0, overlay_start),
            should_stop=ctx.should_stop,
        )
    else:
        captured = run_capture(
            video,
            request.options,
            progress=sub_progress(ctx.progress, 0.0, overlay_start),
            should_stop=ctx.should_stop,
        )
    for message in captured.warnings:
        ctx.warn(message)
    out = Path(request.out) if request.out else Path(ctx.workdir) / f"{Path(video).stem}_track.npz"
    track_path = captured.track.save(out)
    overlay = None
    if request.overlay:
        overlay = contact_sheet(
            video,
            captured.track,
            track_path.with_name(track_path.stem + "_overlay.png"),
            progress=sub_progress(ctx.progress, overlay_start, end),
            should_stop=ctx.should_stop,
        )
    result = CaptureResult(
        track=Path(track_path),
        overlay=Path(overlay) if overlay else None,
        report=captured.report,
        frames=captured.track.frame_count,
        fps=float(captured.track.fps),
        source_name=Path(video).stem,
    )
    return result, captured.track


@implements(CAPTURE)
def capture(request: CaptureRequest, ctx: JobContext) -> CaptureResult:
    """Capture ``request.video`` into a ``MotionTrack`` .npz (+ a QA contact sheet); warnings via ``ctx``."""
    return _run_capture(request, ctx, 1.0)[0]


@implements(CAPTURE_TO_RIG)
def capture_to_rig(request: CaptureToRigRequest, ctx: JobContext) -> CaptureToRigResult:
    """Capture a video and, when a rig is given and the body was captured, retarget it onto the rig."""
    rig = request.rig
    if rig is not None:
        rig.validate()  # a bad rig fails before minutes of tracking, not after
    captured, track = _run_capture(request.capture, ctx, 0.85 if rig is not None else 1.0)
    return _retarget(captured, track, rig, request.foot_lock, ctx)


def _retarget(
    captured: CaptureResult, track: MotionTrack, rig: RigSpec | None, foot_lock: bool, ctx: JobContext
) -> CaptureToRigResult:
    from ..retarget.solve import solve
    from .to_skeleton import track_to_skeleton

    if rig is None or not track.body_valid.any():
        return CaptureToRigResult(capture=captured)
    skeleton = track_to_skeleton(track, with_fingers="hands" in track.parts)
    skeleton.source_name = captured.source_name
    anim = solve(
        skeleton,
        rig,
        foot_lock=foot_lock,
        progress=sub_progress(ctx.progress, 0.85, 1.0),
        should_stop=ctx.should_stop,
    )
    path = anim.save(Path(ctx.workdir) / "animation.npz")
    contacts = anim.contacts.sum(axis=0) if anim.contacts is not None else (0, 0)
    return CaptureToRigResult(
        capture=captured,
        animation=Path(path),
        bones=tuple(anim.bones),
        root_bone=anim.root_bone,
        contacts=(int(contacts[0]), int(contacts[1])),
    )


@implements(RESOLVE)
def resolve(request: ResolveRequest, ctx: JobContext) -> CaptureToRigResult:
    """Solve the take in ``request.track`` again with the given foot contacts; retarget onto the rig."""
    from ..contract import BadRequest
    from .contract import HealthReport
    from .solve import solve_track

    if request.rig is not None:
        request.rig.validate()
    track = MotionTrack.load(request.track)
    if "views" in track.meta:
        raise BadRequest(
            f"{Path(request.track).name} was captured with several cameras: capture it again to change its "
            "contacts (re-solving one camera's track only is supported)."
        )
    if not track.body_valid.any():
        raise BadRequest(f"{Path(request.track).name} has no body to solve: capture the body first.")
    frames = track.frame_count
    late = [f for f in request.left_contacts + request.right_contacts if f >= frames]
    if late:
        raise BadRequest(f"Contact frame {late[0]} is past the take's last frame ({frames - 1}).")
    contacts = np.zeros((frames, 2), bool)
    contacts[list(request.left_contacts), 0] = True
    contacts[list(request.right_contacts), 1] = True
    ctx.progress(0.05, "solving the take with the edited contacts")
    solve_track(track, contacts=contacts, smoothing=request.smoothing)
    ctx.progress(0.8, "saving the track")
    source = Path(request.track)
    out = (
        Path(request.out)
        if request.out
        else source.with_name(source.stem.removesuffix("_resolved") + "_resolved.npz")
    )
    path = track.save(out)
    report = HealthReport.from_dict(track.meta["health"])  # type: ignore[arg-type]
    name = source.stem.removesuffix("_resolved").removesuffix("_track")
    captured = CaptureResult(
        track=Path(path), overlay=None, report=report, frames=frames, fps=float(track.fps), source_name=name
    )
    return _retarget(captured, track, request.rig, request.foot_lock, ctx)
