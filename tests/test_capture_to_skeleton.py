"""MotionTrack → canonical SkeletonAnimation on a real full-body capture: Blender axes (Z up),
metres, plausible bone lengths, feet on the floor, fingers where a hand was seen."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from capture_media import mocap, read_frames, write_clip

from ai_engine.capture import CaptureOptions, capture, track_to_skeleton
from ai_engine.retarget.skeleton import BODY_JOINTS, FINGER_JOINTS, SkeletonAnimation


@pytest.fixture(scope="module")
def skeleton(tmp_path_factory: pytest.TempPathFactory) -> SkeletonAnimation:
    video = mocap("videos_people", "pose2sim_single_person", "videos", "cam01.mp4")
    frames = read_frames(video, range(40), max_side=960)
    clip = write_clip(tmp_path_factory.mktemp("sk") / "cam01.mp4", [frames[i] for i in range(40)], fps=60.0)
    result = capture(clip, CaptureOptions(parts=("body", "hands")))
    assert result.track.body_valid.all()
    return track_to_skeleton(result.track)


def _length(s: SkeletonAnimation, a: str, b: str) -> np.ndarray:
    return np.linalg.norm(s.positions[:, s.index(a)] - s.positions[:, s.index(b)], axis=1)


def test_every_canonical_joint_is_present(skeleton: SkeletonAnimation) -> None:
    assert skeleton.joints == list(BODY_JOINTS) + list(FINGER_JOINTS)
    assert skeleton.positions.shape == (40, len(BODY_JOINTS) + len(FINGER_JOINTS), 3)
    assert skeleton.fps == pytest.approx(60.0)


def test_blender_axes_z_up_and_feet_on_the_floor(skeleton: SkeletonAnimation) -> None:
    z = skeleton.positions[..., 2]
    head, hips = z[:, skeleton.index("head_top")], z[:, skeleton.index("hips")]
    feet = z[:, [skeleton.index("foot.L"), skeleton.index("foot.R")]]
    assert np.all(head > hips) and np.all(hips[:, None] > feet)
    ground = z[:, [skeleton.index(j) for j in ("foot.L", "foot.R", "toe_tip.L", "toe_tip.R")]]
    assert abs(float(np.nanmin(ground))) < 0.05  # the floor is under the lowest point of the feet
    assert 0.03 < float(np.nanmedian(feet.min(axis=1))) < 0.25  # ankles stand a little above it


def test_bone_lengths_are_human_in_metres(skeleton: SkeletonAnimation) -> None:
    for a, b in (("thigh.L", "shin.L"), ("shin.R", "foot.R"), ("upper_arm.L", "forearm.L")):
        length = float(np.median(_length(skeleton, a, b)))
        assert 0.2 < length < 0.6, (a, b, length)


def test_left_is_the_performers_left(skeleton: SkeletonAnimation) -> None:
    # Left and right thighs sit on opposite sides of the hips, about a hip-width apart.
    width = _length(skeleton, "thigh.L", "thigh.R")
    assert np.all((width > 0.1) & (width < 0.5))


def test_fingers_only_where_a_hand_was_seen(skeleton: SkeletonAnimation) -> None:
    assert skeleton.valid is not None
    finger_valid = skeleton.valid[:, len(BODY_JOINTS) :]
    finger_positions = skeleton.positions[:, len(BODY_JOINTS) :]
    assert np.isnan(finger_positions[~finger_valid]).all()
    if finger_valid.any():
        tip = skeleton.index("index.tip.L") if finger_valid[:, 0].any() else skeleton.index("index.tip.R")
        wrist = skeleton.index("hand.L") if tip == skeleton.index("index.tip.L") else skeleton.index("hand.R")
        ok = skeleton.valid[:, tip]
        reach = np.linalg.norm(skeleton.positions[ok, tip] - skeleton.positions[ok, wrist], axis=1)
        assert np.all((reach > 0.05) & (reach < 0.3))


def test_untracked_frames_are_nan_and_invalid(tmp_path: Path) -> None:
    from ai_engine.capture.track import MotionTrack

    track = MotionTrack.empty(3, 30, (100, 100))
    skeleton = track_to_skeleton(track)
    assert np.isnan(skeleton.positions).all() and not skeleton.valid.any()


def test_rigify_finger_controls_join_a_body_only_map() -> None:
    from ai_engine.capture.to_skeleton import with_finger_bones
    from ai_engine.retarget.maps import BoneMap

    bones = [
        "hips",
        "thumb.01.L",
        "thumb.02.L",
        "f_index.01.L",
        "f_index.02.L",
        "f_index.03.L",
        "f_pinky.01.R",
    ]
    preset = BoneMap(name="rigify", bone_map={"hips": "torso", "index.01.L": "my_index"})
    bone_map = with_finger_bones(preset, bones).bone_map
    assert bone_map["index.01.L"] == "my_index"  # what the preset maps stays
    assert bone_map["index.02.L"] == "f_index.02.L" and bone_map["thumb.01.L"] == "thumb.01.L"
    assert bone_map["pinky.01.R"] == "f_pinky.01.R" and "pinky.02.R" not in bone_map
    assert preset.bone_map == {"hips": "torso", "index.01.L": "my_index"}  # not modified in place
