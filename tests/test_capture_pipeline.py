"""capture() end to end with real MediaPipe on real footage, and every bad input of issue #5:
no person, the person leaving the frame, two people, a face-only video, a video with no face,
corrupt and truncated files, cancel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from capture_media import CARPHONE, JUMPER, mocap, read_frames, still, write_clip

from ai_engine.capture import CaptureOptions, capture
from ai_engine.errors import Cancelled, NoPersonFound, VideoOpenError


@pytest.fixture(scope="module")
def carphone_frames() -> list[np.ndarray]:
    video = mocap(*CARPHONE)
    frames = read_frames(video, range(120))
    return [frames[i] for i in range(120)]


@pytest.fixture(scope="module")
def talking_head():  # type: ignore[no-untyped-def]
    return capture(mocap(*CARPHONE), CaptureOptions(smoothing=0.5))


def test_talking_head_tracks_body_and_face_and_reports_health(talking_head) -> None:  # type: ignore[no-untyped-def]
    track, report = talking_head.track, talking_head.report
    assert track.frame_count == 120 and track.fps == pytest.approx(29.97, abs=0.01)
    assert track.body_valid.all() and track.face_valid.all()
    assert report.body is not None and report.face is not None
    assert report.body.tracked_frames == 120 and report.face.tracked_frames == 120
    assert report.frames == 120 and report.parts == ("body", "face", "hands")
    assert np.isfinite(track.face_blendshapes).all() and track.face_blendshapes.shape == (120, 52)
    assert np.isfinite(track.head_rotation).all()
    # A talking head moves its jaw: the curve is not flat.
    jaw = track.face_blendshapes[:, track.blendshape_names.index("jawOpen")]
    assert jaw.max() - jaw.min() > 0.1
    # No hands in this shot: reported, not invented.
    assert not track.hands_valid.any()
    assert any("No hands" in w for w in report.warnings)
    assert report.hands is not None and report.hands.left.tracked_frames == 0


def test_progress_rises_to_the_end(carphone_frames, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    clip = write_clip(tmp_path / "short.mp4", carphone_frames[:20])
    fractions: list[float] = []
    capture(clip, CaptureOptions(parts=("body",)), progress=lambda f, m: fractions.append(f))
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_cancel_stops_the_capture(carphone_frames, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    clip = write_clip(tmp_path / "short.mp4", carphone_frames[:40])
    calls = {"n": 0}

    def should_stop() -> bool:
        calls["n"] += 1
        return calls["n"] > 10

    with pytest.raises(Cancelled):
        capture(clip, CaptureOptions(parts=("body",)), should_stop=should_stop)


def test_no_person_is_a_clear_error(tmp_path: Path) -> None:
    dogs = still(mocap("dlib_faces", "dogs.jpg"), (320, 240))
    clip = write_clip(tmp_path / "dogs.mp4", [dogs] * 15)
    with pytest.raises(NoPersonFound, match="No person found"):
        capture(clip)


def test_person_leaving_the_frame_is_filled_briefly_and_flagged_never_invented(
    carphone_frames, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    empty = still(mocap("dlib_faces", "dogs.jpg"), (176, 144))
    frames = list(carphone_frames)
    for t in range(40, 45):  # 5 frames (0.17 s): bridged
        frames[t] = empty
    for t in range(70, 106):  # 36 frames (1.2 s): longer than the 0.5 s limit
        frames[t] = empty
    clip = write_clip(tmp_path / "leaves.mp4", frames, fps=30.0)
    result = capture(clip, CaptureOptions(parts=("body", "face")))
    track, body = result.track, result.report.body
    assert body is not None
    assert track.body_interpolated[40:45].all() and np.isfinite(track.body_world[40:45]).all()
    # MediaPipe's tracker may coast a few frames after the person left; the rest is left empty.
    assert not track.body_interpolated[70:106].any()
    assert (~track.body_valid[70:106]).sum() >= 24 and not track.body_valid[90:106].any()
    assert np.isnan(track.body_world[90:106]).all()
    assert any(a <= 90 and b == 105 for a, b in body.gaps_left_empty)
    assert body.interpolated_frames == 5
    assert any("lost" in w for w in result.warnings)


def test_face_only_video_gives_face_curves_without_a_body(carphone_frames, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import cv2

    # A close-up: the face fills the picture, no shoulders.
    crops = [
        cv2.resize(f[8:104, 50:146], (288, 288), interpolation=cv2.INTER_CUBIC) for f in carphone_frames[:45]
    ]
    clip = write_clip(tmp_path / "closeup.mp4", crops)
    result = capture(clip, CaptureOptions(parts=("face",)))
    track = result.track
    assert track.face_valid.sum() >= 40
    assert np.isfinite(track.face_blendshapes[track.face_valid]).all()
    assert result.report.body is None and not track.body_valid.any()


def test_video_with_no_face_keeps_the_body_and_says_why_the_face_is_empty(tmp_path: Path) -> None:
    video = mocap("videos_people", "pose2sim_single_person", "videos", "cam03.mp4")
    frames = read_frames(video, range(30), max_side=960)
    clip = write_clip(tmp_path / "back.mp4", [frames[i] for i in range(30)], fps=60.0)
    result = capture(clip, CaptureOptions(parts=("body", "face")))
    assert result.track.body_valid.sum() >= 25
    assert not result.track.face_valid.any()
    assert np.isnan(result.track.face_blendshapes).all()
    assert any("No face" in w for w in result.warnings)


def test_two_people_the_tracker_jump_is_reported_and_not_bridged(tmp_path: Path) -> None:
    video = mocap(*JUMPER)
    frames = read_frames(video, range(150, 215), max_side=1280)
    clip = write_clip(tmp_path / "two.mp4", [frames[i] for i in range(150, 215)])
    result = capture(clip, CaptureOptions(parts=("body",)))
    jumps = result.report.tracker_jumps
    assert jumps, result.report
    track = result.track
    for t in jumps:  # nothing interpolated into the frames just before a jump
        assert not track.body_interpolated[max(t - 3, 0) : t].any()
    assert any("another person" in w for w in result.warnings)


def test_corrupt_file_is_refused_before_anything_runs(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.mp4"
    corrupt.write_bytes(np.random.default_rng(0).integers(0, 256, 50_000, dtype=np.uint8).tobytes())
    with pytest.raises(VideoOpenError, match="Re-export"):
        capture(corrupt)


def test_truncated_mp4_without_its_index_is_refused(tmp_path: Path) -> None:
    data = mocap(*CARPHONE).read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(VideoOpenError):
        capture(cut)


def test_truncated_stream_keeps_the_frames_that_decode(carphone_frames, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import cv2

    whole = tmp_path / "whole.avi"
    writer = cv2.VideoWriter(str(whole), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (176, 144))
    for frame in carphone_frames[:60]:
        writer.write(frame)
    writer.release()
    data = whole.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) // 2])
    result = capture(cut, CaptureOptions(parts=("body",)))
    assert 10 < result.track.frame_count < 60
    assert result.track.body_valid.all()
