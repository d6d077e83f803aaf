"""Extraction: the concurrent pipeline gives exactly what one-at-a-time inference gives, sides of
the hands are the person's, and a full-body shot finds the face in a head crop."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from capture_media import CARPHONE, mocap, read_frames, write_clip

from ai_engine.capture.extract import _assign_hands, extract_track, head_box
from ai_engine.capture.mediapipe_runners import HandsRunner, PoseRunner


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    frames = read_frames(mocap(*CARPHONE), range(40))
    return write_clip(tmp_path_factory.mktemp("clip") / "talk.mp4", [frames[i] for i in range(40)])


def test_concurrent_lanes_lose_nothing(clip: Path) -> None:
    together, stats = extract_track(clip, concurrent=True)
    alone, _ = extract_track(clip, concurrent=False)
    assert stats.frames_decoded == 40
    for name in ("body_world", "body_image", "body_visibility", "face", "hands", "body_valid", "face_valid"):
        np.testing.assert_array_equal(getattr(together, name), getattr(alone, name), err_msg=name)


def test_parts_not_asked_for_are_not_run(clip: Path) -> None:
    track, _ = extract_track(clip, parts=("face",))
    assert track.face_valid.any() and not track.body_valid.any() and not track.hands_valid.any()
    with pytest.raises(ValueError, match="parts"):
        extract_track(clip, parts=("tail",))


def test_hands_are_matched_to_the_wrists_of_the_body() -> None:
    video = mocap("videos_people", "pose2sim_single_person", "videos", "cam01.mp4")
    frames = read_frames(video, range(0, 100, 4), max_side=960)
    pose_runner = PoseRunner(static_image_mode=True)
    hands_runner = HandsRunner(static_image_mode=True)
    matched = 0
    try:
        for frame in frames.values():
            rgb = frame[..., ::-1].copy()
            pose, hands = pose_runner.process(rgb), hands_runner.process(rgb)
            if pose is None or not hands.image:
                continue
            size = (rgb.shape[1], rgb.shape[0])
            for h, side in _assign_hands(hands, pose, size)[0]:
                wrist = pose.image[15 + side, :2] * size  # 15 left wrist, 16 right wrist
                other = pose.image[16 - side, :2] * size
                hand = hands.image[h][0, :2] * size
                assert np.linalg.norm(hand - wrist) <= np.linalg.norm(hand - other)
                matched += 1
    finally:
        pose_runner.close()
        hands_runner.close()
    assert matched > 0


def test_head_box_surrounds_the_face_of_a_full_body_shot() -> None:
    video = mocap("videos_people", "pose2sim_single_person", "videos", "cam01.mp4")
    frame = read_frames(video, [10])[10][..., ::-1].copy()
    runner = PoseRunner(static_image_mode=True)
    try:
        pose = runner.process(frame)
    finally:
        runner.close()
    assert pose is not None
    size = (frame.shape[1], frame.shape[0])
    box = head_box(pose, size)
    assert box is not None
    x0, y0, x1, y1 = box
    nose = pose.image[0, :2] * size
    assert x0 < nose[0] < x1 and y0 < nose[1] < y1
    assert (x1 - x0) < 0.6 * size[0]
