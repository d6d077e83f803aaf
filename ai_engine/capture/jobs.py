"""Worker jobs of the capture feature (``ai_engine.capture.jobs:capture``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..progress import sub_progress
from ..registry import implements
from ..worker import JobContext
from .contract import CAPTURE, CAPTURE_TO_RIG
from .overlay import contact_sheet
from .pipeline import CaptureOptions
from .pipeline import capture as run_capture
from .track import PARTS


def options_from_request(request: dict[str, Any]) -> CaptureOptions:
    """Read the artist's choices from a JSON request (missing keys take the defaults)."""
    parts = request.get("parts") or list(PARTS)
    if isinstance(parts, str):
        parts = [p.strip() for p in parts.split(",") if p.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        raise ValueError(f"Unknown parts {unknown}: choose among {', '.join(PARTS)}.")
    neutral = request.get("neutral_frame")
    return CaptureOptions(
        parts=tuple(parts),
        smoothing=float(request.get("smoothing", 0.5)),
        max_gap_seconds=float(request.get("max_gap_seconds", 0.5)),
        neutral_frame=None if neutral is None or int(neutral) < 0 else int(neutral),
        fix_swaps=bool(request.get("fix_swaps", True)),
    )


def _run_capture(request: dict[str, Any], ctx: JobContext, end: float) -> dict[str, Any]:
    video = str(request["video"])
    options = options_from_request(request)
    want_overlay = bool(request.get("overlay", True))
    overlay_start = end - 0.05 * end if want_overlay else end
    result = run_capture(
        video, options, progress=sub_progress(ctx.progress, 0.0, overlay_start), should_stop=ctx.should_stop
    )
    for message in result.warnings:
        ctx.warn(message)
    out = Path(request.get("out") or ctx.workdir / f"{Path(video).stem}_track.npz")
    track_path = result.track.save(out)
    overlay = None
    if want_overlay:
        overlay = contact_sheet(
            video,
            result.track,
            track_path.with_name(track_path.stem + "_overlay.png"),
            progress=sub_progress(ctx.progress, overlay_start, end),
            should_stop=ctx.should_stop,
        )
    return {
        "track": str(track_path),
        "overlay": str(overlay) if overlay else None,
        "report": result.report,
        "warnings": list(result.warnings),
        "frames": result.track.frame_count,
        "fps": result.track.fps,
        "source_name": Path(video).stem,
        "_track": result.track,
    }


@implements(CAPTURE)
def capture(request: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Capture ``request["video"]`` into ``workdir/<name>.npz`` (+ a QA contact sheet).

    Request: ``video`` (path), optional ``parts`` (list or "body,face"), ``smoothing`` (0–1),
    ``max_gap_seconds``, ``neutral_frame`` (int, -1/None automatic), ``overlay`` (bool, default True),
    ``out`` (path of the .npz; default in the workdir).

    Returns:
        {"track": path, "overlay": path or None, "report": health report, "warnings": [...]}
    """
    result = _run_capture(request, ctx, 1.0)
    result.pop("_track")
    return result


@implements(CAPTURE_TO_RIG)
def capture_to_rig(request: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Capture a video and, when a rig is given and the body was captured, retarget it onto the rig.

    Request: everything ``capture`` takes, plus ``rig_spec`` (RigSpec dict, optional) and
    ``foot_lock`` (bool, default True).

    Returns:
        ``capture``'s result plus, with a rig: ``animation`` (BoneAnimation .npz), ``bones``,
        ``root_bone``, ``contacts``.
    """
    from ..retarget.rigspec import RigSpec
    from ..retarget.solve import solve
    from .to_skeleton import track_to_skeleton

    rig_data = request.get("rig_spec")
    rig = RigSpec.from_dict(rig_data) if rig_data else None
    if rig is not None:
        rig.validate()  # a bad rig fails before minutes of tracking, not after
    result = _run_capture(request, ctx, 0.85 if rig is not None else 1.0)
    track = result.pop("_track")
    if rig is None or not track.body_valid.any():
        return result
    skeleton = track_to_skeleton(track, with_fingers="hands" in track.parts)
    skeleton.source_name = result["source_name"]
    anim = solve(
        skeleton,
        rig,
        foot_lock=bool(request.get("foot_lock", True)),
        progress=sub_progress(ctx.progress, 0.85, 1.0),
        should_stop=ctx.should_stop,
    )
    path = anim.save(Path(ctx.workdir) / "animation.npz")
    contacts = anim.contacts.sum(axis=0).tolist() if anim.contacts is not None else [0, 0]
    return {
        **result,
        "animation": str(path),
        "bones": anim.bones,
        "root_bone": anim.root_bone,
        "contacts": contacts,
    }
