"""The whole-take body solve on real footage: constant bones, smooth, raw landmarks kept, per-frame
confidence, feet planted where contacts are found or given, and a take without floor contact."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from capture_media import mocap

from ai_engine.capture import CaptureOptions, capture
from ai_engine.capture.landmarks import POSE
from ai_engine.capture.solve import BONES, FEET, SolveWeights, find_contacts, solve_track
from ai_engine.capture.track import MotionTrack

CAM01 = ("videos_people", "pose2sim_single_person", "videos", "cam01.mp4")


@pytest.fixture(scope="module")
def takes() -> tuple[MotionTrack, MotionTrack]:
    """The same 100 frames captured with the whole-take solve and with the per-frame filter only."""
    video = mocap(*CAM01)
    solved = capture(video, CaptureOptions(parts=("body",))).track
    filtered = capture(video, CaptureOptions(parts=("body",), solve=False)).track
    return solved, filtered


def _bone_spread(world: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Per bone, the standard deviation of its length over the take (m)."""
    return np.array(
        [np.nanstd(np.linalg.norm(world[valid, POSE[a]] - world[valid, POSE[b]], axis=-1)) for a, b in BONES]
    )


def _acceleration(world: np.ndarray) -> float:
    """Mean joint acceleration magnitude, m/frame²."""
    return float(np.nanmean(np.linalg.norm(np.diff(world, n=2, axis=0), axis=-1)))


def test_bones_keep_one_length_and_the_motion_is_smoother(takes: tuple[MotionTrack, MotionTrack]) -> None:
    solved, filtered = takes
    valid = solved.body_valid
    assert valid.sum() >= 95
    spread, before = _bone_spread(solved.body_world, valid), _bone_spread(filtered.body_world, valid)
    assert spread.max() < 0.006, spread  # within a few millimetres on every frame
    assert spread.mean() < 0.3 * before.mean()
    # Left and right bones the same length.
    half = (len(BONES) - 2) // 2
    lengths = [
        np.nanmedian(
            np.linalg.norm(solved.body_world[valid, POSE[a]] - solved.body_world[valid, POSE[b]], axis=-1)
        )
        for a, b in BONES
    ]
    assert np.allclose(lengths[:half], lengths[half : 2 * half], atol=0.006)
    assert _acceleration(solved.body_world) < 0.7 * _acceleration(filtered.body_world)


def test_raw_landmarks_are_kept_and_confidence_is_reported(
    takes: tuple[MotionTrack, MotionTrack], tmp_path
) -> None:  # type: ignore[no-untyped-def]
    solved, filtered = takes
    assert solved.body_world_raw is not None and solved.body_confidence is not None
    np.testing.assert_allclose(solved.body_world_raw, filtered.body_world_raw)
    assert not np.allclose(solved.body_world_raw, solved.body_world, equal_nan=True)
    conf = solved.body_confidence
    assert conf.shape == (solved.frame_count,) and (conf >= 0).all() and (conf <= 1).all()
    assert conf[solved.body_valid].mean() > 0.5
    assert solved.body_root is not None and np.isfinite(solved.body_root[solved.body_valid]).all()
    assert 1.0 < float(np.nanmedian(solved.body_root[:, 2])) < 15.0  # metres in front of the camera
    again = MotionTrack.load(solved.save(tmp_path / "take.npz"))
    np.testing.assert_array_equal(again.foot_contacts, solved.foot_contacts)
    np.testing.assert_allclose(again.body_confidence, conf)
    assert again.meta["solve"]["floor_found"] in (True, False)  # type: ignore[index]


def _foot_camera(track: MotionTrack, side: int) -> np.ndarray:
    assert track.body_root is not None
    return track.body_world[:, list(FEET[side])] + track.body_root[:, None, :]


def test_given_contacts_plant_the_foot_and_are_kept(takes: tuple[MotionTrack, MotionTrack]) -> None:
    solved, _ = takes
    track = replace(solved)
    track.body_world = solved.body_world.copy()
    given = np.zeros((track.frame_count, 2), bool)
    given[20:50, 0] = True  # an animator says: the left foot is planted here
    solve_track(track, contacts=given)
    np.testing.assert_array_equal(track.foot_contacts, given)
    assert track.meta["solve"]["contacts_given"] is True  # type: ignore[index]
    foot = _foot_camera(track, 0)
    step = np.linalg.norm(np.diff(foot[20:50], axis=0), axis=-1).mean(axis=1)
    assert step.max() < 0.005, step  # ≤ 5 mm per frame while planted
    free = np.linalg.norm(np.diff(_foot_camera(solved, 0)[20:50], axis=0), axis=-1).mean(axis=1)
    assert step.mean() < free.mean()
    with pytest.raises(ValueError, match="cover 10 frames"):
        solve_track(track, contacts=np.zeros((10, 2), bool))


def test_no_floor_contact_at_all_plants_nothing(takes: tuple[MotionTrack, MotionTrack]) -> None:
    solved, _ = takes
    assert solved.body_root is not None
    camera = solved.body_world + solved.body_root[:, None, :]
    ok = np.isfinite(camera).all(axis=(1, 2))
    # A jump: the whole body rises and falls 40 cm, never slow near its lowest height for long.
    t = np.arange(camera.shape[0]) / solved.fps
    jump = camera[ok].copy()
    jump[..., 1] -= (0.4 * np.abs(np.sin(2 * np.pi * 1.5 * t[ok])))[:, None] + 0.5 * t[ok][:, None]
    contacts, normal, _ = find_contacts(jump, solved.fps, SolveWeights())
    assert not contacts.any() and normal is None
    track = replace(solved)
    track.body_world = solved.body_world.copy()
    solve_track(track, contacts=np.zeros((track.frame_count, 2), bool))
    assert not track.foot_contacts.any()
    assert np.isfinite(track.body_world[track.body_valid]).all()


def test_resolve_job_takes_the_edited_contacts_and_refuses_bad_ones(
    takes: tuple[MotionTrack, MotionTrack], tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from ai_engine.capture.contract import RESOLVE, ResolveRequest
    from ai_engine.contract import BadRequest
    from ai_engine.worker import JobContext, run_job

    solved, _ = takes
    path = solved.save(tmp_path / "walk_track.npz")
    ctx = JobContext(
        workdir=tmp_path, progress=lambda f, m: None, should_stop=lambda: False, warn=lambda m: None
    )
    result = run_job(
        RESOLVE, ResolveRequest(track=str(path), left_contacts=tuple(range(20, 50)), right_contacts=()), ctx
    )
    assert result.capture.track == tmp_path / "walk_track_resolved.npz" and result.animation is None  # no rig
    assert result.capture.source_name == "walk" and result.capture.frames == solved.frame_count
    again = MotionTrack.load(result.capture.track)
    np.testing.assert_array_equal(np.flatnonzero(again.foot_contacts[:, 0]), np.arange(20, 50))
    assert not again.foot_contacts[:, 1].any()
    with pytest.raises(BadRequest, match="past the take's last frame"):
        run_job(RESOLVE, ResolveRequest(track=str(path), left_contacts=(500,), right_contacts=()), ctx)
    with pytest.raises(BadRequest, match="count from 0"):
        ResolveRequest(track=str(path), left_contacts=(-1,), right_contacts=())
    several = replace(solved)
    several.meta = {**solved.meta, "views": []}
    other = several.save(tmp_path / "two_cams.npz")
    with pytest.raises(BadRequest, match="several cameras"):
        run_job(RESOLVE, ResolveRequest(track=str(other), left_contacts=(), right_contacts=()), ctx)
