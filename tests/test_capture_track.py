"""MotionTrack: the .npz contract (DESIGN.md) round-trips and refuses files that are not tracks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ai_engine.capture.face import ARKIT_BLENDSHAPES
from ai_engine.capture.track import MotionTrack
from ai_engine.errors import BadMotionFile


def _filled_track(frames: int = 7) -> MotionTrack:
    rng = np.random.default_rng(3)
    track = MotionTrack.empty(frames, 29.97, (640, 360))
    track.body_world[:] = rng.normal(size=track.body_world.shape)
    track.body_image[:] = rng.random(track.body_image.shape)
    track.face[2:5] = rng.random((3, 478, 3))
    track.body_valid[:] = True
    track.face_valid[2:5] = True
    track.hands_valid[1, 0] = True
    track.body_swapped[3] = True
    track.face_blendshapes = rng.random((frames, 52)).astype(np.float32)
    track.blendshape_names = list(ARKIT_BLENDSHAPES)
    track.meta = {"health": {"frames": frames}}
    track.source = "/videos/take.mp4"
    return track


def test_round_trip_keeps_every_array_and_field(tmp_path: Path) -> None:
    track = _filled_track()
    path = track.save(tmp_path / "take")
    assert path.suffix == ".npz"
    loaded = MotionTrack.load(path)
    assert loaded.fps == pytest.approx(29.97)
    assert loaded.image_size == (640, 360)
    assert loaded.blendshape_names == list(ARKIT_BLENDSHAPES)
    assert loaded.meta == {"health": {"frames": 7}}
    assert loaded.source == "/videos/take.mp4"
    for name in (
        "body_world",
        "body_image",
        "face",
        "hands",
        "face_blendshapes",
        "body_swapped",
        "hands_valid",
    ):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(track, name))


def test_shapes_follow_the_design_contract() -> None:
    track = MotionTrack.empty(5, 30, (100, 100))
    assert track.body_world.shape == (5, 33, 3)
    assert track.body_image.shape == (5, 33, 3)
    assert track.body_visibility.shape == (5, 33)
    assert track.face.shape == (5, 478, 3)
    assert track.hands.shape == (5, 2, 21, 3)
    assert track.body_valid.shape == track.face_valid.shape == (5,)
    assert track.hands_valid.shape == (5, 2)


def test_truncate_keeps_the_first_frames() -> None:
    track = _filled_track(7)
    track.truncate(4)
    assert track.frame_count == 4 and track.face.shape[0] == 4 and track.face_blendshapes.shape[0] == 4


def test_load_refuses_missing_and_foreign_files(tmp_path: Path) -> None:
    with pytest.raises(BadMotionFile, match="not found"):
        MotionTrack.load(tmp_path / "nothing.npz")
    other = tmp_path / "other.npz"
    np.savez(other, x=np.zeros(3))
    with pytest.raises(BadMotionFile, match="not a Clapper motion track"):
        MotionTrack.load(other)
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"this is not a zip archive")
    with pytest.raises(BadMotionFile, match="cannot be read"):
        MotionTrack.load(garbage)
