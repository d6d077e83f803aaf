"""``capture()``: video → clean ``MotionTrack`` + health report (extract, unswap, fill, smooth, face)."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

import numpy as np

from .. import runtimes
from ..errors import NoPersonFound
from ..gaps import fill_gaps, runs_of_true
from ..progress import ProgressFn, StopFn, check_stop, never_stop, no_progress, sub_progress
from .contract import PARTS, BodyHealth, CaptureOptions, FaceHealth, HandsHealth, HealthReport, PartHealth
from .extract import ExtractStats, extract_track
from .face import ARKIT_BLENDSHAPES, FaceCalibration, face_track
from .filters import apply_swaps, detect_left_right_swaps, identity_jumps, one_euro
from .solve import solve_track
from .track import MotionTrack


@dataclass
class Captured:
    """What ``capture()`` returns in-process: the cleaned track and its health report."""

    track: MotionTrack
    report: HealthReport

    @property
    def warnings(self) -> tuple[str, ...]:
        return self.report.warnings


def _part_health(
    observed: np.ndarray, filled: np.ndarray, valid: np.ndarray, fps: float
) -> dict[str, object]:
    missing = [(a, b) for a, b in runs_of_true(~valid)]
    return {
        "tracked_frames": int(observed.sum()),
        "interpolated_frames": int(filled.sum()),
        "missing_frames": int((~valid).sum()),
        "gaps_filled": len(runs_of_true(filled)),
        "gaps_left_empty": tuple((int(a), int(b) - 1) for a, b in missing),
        "longest_gap_seconds": round(max((b - a for a, b in missing), default=0) / max(fps, 1e-6), 3),
    }


def _check_found(track: MotionTrack, video: str, parts: tuple[str, ...]) -> None:
    found = {
        "body": bool(track.body_valid.any()),
        "face": bool(track.face_valid.any()),
        "hands": bool(track.hands_valid.any()),
    }
    if not any(found[p] for p in parts):
        what = {"body": "body", "face": "face", "hands": "hand"}
        asked = ", ".join(what[p] for p in parts)
        raise NoPersonFound(
            f"No person found in {video}: no {asked} was tracked in any of its {track.frame_count} frames. "
            "Use a clip where the performer is clearly visible and lit (the whole body for body capture, "
            "the face toward the camera for face capture), or choose other parts."
        )


def capture(
    video: str | os.PathLike[str],
    options: CaptureOptions | None = None,
    *,
    progress: ProgressFn = no_progress,
    should_stop: StopFn = never_stop,
) -> Captured:
    """Capture one performer's body, hands and face from a video.

    Returns:
        The cleaned track (swaps undone, short gaps filled and flagged, smoothed, face curves) and a
        JSON-able health report.

    Raises:
        NoPersonFound: none of the requested parts was seen in any frame (nothing is produced).
        VideoOpenError, Cancelled, NoFaceAtNeutralFrame (the picked neutral frame has no face).
    """
    options = options or CaptureOptions()
    parts = tuple(p for p in PARTS if p in options.parts)
    track, stats = extract_track(
        video,
        parts=parts,
        max_side=options.max_side,
        concurrent=options.concurrent,
        backend=options.backend,
        person=options.person,
        progress=sub_progress(progress, 0.0, 0.92),
        should_stop=should_stop,
    )
    check_stop(should_stop)
    _check_found(track, str(video), parts)
    if options.solve and "body" in parts and not runtimes.has_torch():
        options = replace(options, solve=False)
        stats.warnings.append(
            "The whole-take body solve needs PyTorch, which this build lacks: the body is filtered "
            "frame by frame instead. " + runtimes.TORCH_INSTALL.format(python="python")
        )
    progress(0.93, "cleaning up the track")
    track.body_world_raw = track.body_world.copy()
    observed = {
        "body": track.body_valid.copy(),
        "face": track.face_valid.copy(),
        "hands": track.hands_valid.copy(),
    }
    swap_runs = 0
    jumps = identity_jumps(track.body_image, track.body_valid, track.image_size) if "body" in parts else None
    if "body" in parts and options.fix_swaps:
        facing = track.face_valid if "face" in parts else None
        swapped = detect_left_right_swaps(track.body_image, track.body_valid, track.image_size, facing)
        track.body_swapped = swapped
        swap_runs = len(runs_of_true(swapped))
        track.body_world = apply_swaps(track.body_world, swapped)
        track.body_image = apply_swaps(track.body_image, swapped)
        track.body_visibility = apply_swaps(track.body_visibility, swapped)
        # Hands were matched to the (mirrored) wrists on those frames: exchange them too.
        track.hands[swapped] = track.hands[swapped][:, ::-1]
        track.hands_image[swapped] = track.hands_image[swapped][:, ::-1]
        track.hands_valid[swapped] = track.hands_valid[swapped][:, ::-1]
        observed["hands"] = track.hands_valid.copy()
    _fill_and_smooth(track, options, jumps)
    check_stop(should_stop)
    track.with_defaults()
    if "body" in parts and options.solve and track.body_valid.sum() >= 2:
        progress(0.94, "solving the whole take")
        solve_track(track, breaks=jumps)
        check_stop(should_stop)
    if "face" in parts and track.face_valid.any():
        progress(0.96, "measuring the face")
        curves = face_track(
            track.face, track.face_valid, track.image_size, options.neutral_frame,
            observed=observed["face"], fps=track.fps,
        )  # fmt: skip
        track.face_blendshapes, track.head_rotation, neutral = curves.weights, curves.head, curves.calibration
        track.blendshape_names = list(ARKIT_BLENDSHAPES)
    else:
        neutral = None
        track.face_blendshapes = np.full((track.frame_count, len(ARKIT_BLENDSHAPES)), np.nan, np.float32)
        track.blendshape_names = list(ARKIT_BLENDSHAPES)
    tracker_jumps = tuple(int(t) for t in np.flatnonzero(jumps)) if jumps is not None else ()
    report = _report(track, stats, observed, parts, swap_runs, options, tracker_jumps, neutral)
    track.meta = {**track.meta, "options": options.to_dict(), "health": report.to_dict()}
    progress(1.0, "capture done")
    return Captured(track, report)


def _fill_and_smooth(track: MotionTrack, options: CaptureOptions, jumps: np.ndarray | None) -> None:
    max_gap = int(round(options.max_gap_seconds * track.fps))
    s = options.smoothing
    if track.body_valid.any():
        observed = track.body_valid.copy()
        track.body_world, filled = fill_gaps(track.body_world, observed, max_gap, jumps)
        track.body_image, _ = fill_gaps(track.body_image, observed, max_gap, jumps)
        track.body_visibility, _ = fill_gaps(track.body_visibility, observed, max_gap, jumps)
        track.body_interpolated = filled
        track.body_valid = observed | filled
        height = np.nanmedian(np.ptp(track.body_image[track.body_valid][..., 1], axis=1))
        if not options.solve:  # the whole-take solve smooths the body itself
            track.body_world = one_euro(track.body_world, track.body_valid, track.fps, s, 0.5, jumps)
        track.body_image = one_euro(track.body_image, track.body_valid, track.fps, s, float(height), jumps)
    if track.face_valid.any():
        observed = track.face_valid.copy()
        track.face, filled = fill_gaps(track.face, observed, max_gap)
        track.face_interpolated = filled
        track.face_valid = observed | filled
        width = np.nanmedian(np.ptp(track.face[track.face_valid][..., 0], axis=1))
        # Lighter on the face: blinks last a few frames and must survive.
        track.face = one_euro(track.face, track.face_valid, track.fps, s * 0.5, scale=float(width))
    for side in (0, 1):
        observed = track.hands_valid[:, side].copy()
        if not observed.any():
            continue
        track.hands[:, side], filled = fill_gaps(track.hands[:, side], observed, max_gap)
        track.hands_image[:, side], _ = fill_gaps(track.hands_image[:, side], observed, max_gap)
        track.hands_interpolated[:, side] = filled
        track.hands_valid[:, side] = observed | filled
        valid = track.hands_valid[:, side]
        track.hands[:, side] = one_euro(track.hands[:, side], valid, track.fps, s, scale=0.1)
        track.hands_image[:, side] = one_euro(track.hands_image[:, side], valid, track.fps, s, scale=0.1)


def _report(
    track: MotionTrack,
    stats: ExtractStats,
    observed: dict[str, np.ndarray],
    parts: tuple[str, ...],
    swap_runs: int,
    options: CaptureOptions,
    tracker_jumps: tuple[int, ...],
    neutral: FaceCalibration | None = None,
) -> HealthReport:
    fps = track.fps
    warnings = list(stats.warnings)
    body = face = hands = None
    if "body" in parts:
        body = BodyHealth(
            **_part_health(observed["body"], track.body_interpolated, track.body_valid, fps),  # type: ignore[arg-type]
            swaps_fixed=swap_runs,
            swapped_frames=int(track.body_swapped.sum()),
        )
        if not observed["body"].any():
            warnings.append(
                "No body was tracked: film the performer's whole body (or at least the upper body)."
            )
        elif body.gaps_left_empty:
            warnings.append(
                f"The body was lost for up to {body.longest_gap_seconds} s (frames "
                + ", ".join(f"{a}–{b}" for a, b in body.gaps_left_empty[:5])
                + f"); gaps at the ends or longer than {options.max_gap_seconds} s are left empty, not invented."
            )
    if "face" in parts:
        face = FaceHealth(
            **_part_health(observed["face"], track.face_interpolated, track.face_valid, fps),  # type: ignore[arg-type]
            neutral_frame=neutral.neutral_frame if neutral else None,
            neutral_frames=neutral.neutral_frames if neutral else None,
            neutral_source=neutral.source if neutral else "median",
        )
        if not observed["face"].any():
            warnings.append(
                "No face was found, so there are no face curves: film the face closer and toward the camera."
            )
    if "hands" in parts:
        left, right = (
            PartHealth(
                **_part_health(  # type: ignore[arg-type]
                    observed["hands"][:, i], track.hands_interpolated[:, i], track.hands_valid[:, i], fps
                )
            )
            for i in (0, 1)
        )
        hands = HandsHealth(left=left, right=right)
        if not observed["hands"].any():
            warnings.append(
                "No hands were found, so there are no finger curls: keep the hands in the picture."
            )
    if stats.frames_with_two_faces > max(3, 0.05 * track.frame_count):
        warnings.append(
            f"Two faces were seen in {stats.frames_with_two_faces} frames: the capture follows the person "
            "the body tracker locked onto. Crop the video to one performer if the track jumps between people."
        )
    if tracker_jumps:
        warnings.append(
            f"The body tracker jumped to another place (another person?) at frame(s) {list(tracker_jumps[:5])}. "
            "Trim the clip or crop it to one performer if the motion there is wrong."
        )
    return HealthReport(
        frames=track.frame_count,
        fps=float(fps),
        image_size=(int(track.image_size[0]), int(track.image_size[1])),
        parts=parts,
        capture_fps=round(float(stats.frames_per_second), 2),
        max_gap_seconds=options.max_gap_seconds,
        max_faces_seen=int(stats.max_faces_seen),
        truncated_after=stats.truncated_after,
        body=body,
        face=face,
        hands=hands,
        hands_rejected=int(stats.hands_rejected) if "hands" in parts else 0,
        tracker_jumps=tracker_jumps,
        warnings=tuple(warnings),
    )
