"""Face curves on real MediaPipe landmarks of a real photo, moved by known amounts: the right curve
responds, monotonically, the others stay put, and head rotation is recovered and factored out."""

from __future__ import annotations

import numpy as np
import pytest
from capture_media import mocap

from ai_engine.capture.face import ARKIT_BLENDSHAPES, face_curves
from ai_engine.capture.geometry import CAMERA_TO_BLENDER
from ai_engine.retarget.quat import quat_to_matrix

INDEX = {name: i for i, name in enumerate(ARKIT_BLENDSHAPES)}


@pytest.fixture(scope="module")
def photo_face() -> tuple[np.ndarray, tuple[int, int]]:
    """(478, 3) landmarks of a frontal face and the photo's (width, height)."""
    import cv2

    from ai_engine.capture.mediapipe_runners import FaceRunner

    image = cv2.imread(str(mocap("dlib_faces", "Tom_Cruise_avp_2014_4.jpg")))
    rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    runner = FaceRunner(static_image_mode=True, max_faces=1)
    try:
        faces = runner.process(rgb).faces
    finally:
        runner.close()
    assert len(faces) == 1
    return faces[0].astype(np.float64), (rgb.shape[1], rgb.shape[0])


def _frames(base: np.ndarray, size: tuple[int, int], moves: list) -> np.ndarray:  # type: ignore[type-arg]
    """Frames made by applying each move (a function on pixel coordinates) to the base face."""
    scale = np.array([size[0], size[1], size[0]], np.float64)
    out = []
    for move in moves:
        pixels = base * scale
        out.append(move(pixels.copy()) / scale)
    return np.stack(out)


def test_every_arkit_name_once_and_weights_in_range(photo_face) -> None:  # type: ignore[no-untyped-def]
    face, size = photo_face
    assert len(ARKIT_BLENDSHAPES) == 52 == len(set(ARKIT_BLENDSHAPES))
    weights, head = face_curves(face[None], np.ones(1, bool), size)
    assert weights.shape == (1, 52) and head.shape == (1, 4)
    assert np.all((weights >= 0) & (weights <= 1))


def test_jaw_opens_with_the_lower_face(photo_face) -> None:  # type: ignore[no-untyped-def]
    face, size = photo_face
    mouth = (face[13, 1] + face[14, 1]) / 2 * size[1]
    chin = face[152, 1] * size[1]
    face_height = (face[152, 1] - face[10, 1]) * size[1]

    def drop(amount: float):  # type: ignore[no-untyped-def]
        # The jaw hinges: the mouth's corners drop half as far as the chin, the lower lip a little more.
        def move(p: np.ndarray) -> np.ndarray:
            below = p[:, 1] > mouth - 1e-6
            share = np.clip(0.5 + 0.5 * (p[below, 1] - mouth) / (chin - mouth), 0.5, 1.0)
            p[below, 1] += amount * face_height * share
            return p

        return move

    frames = _frames(face, size, [drop(a) for a in (0.0, 0.03, 0.06, 0.09, 0.12)])
    weights, _ = face_curves(frames, np.ones(5, bool), size, neutral_frame=0)
    jaw = weights[:, INDEX["jawOpen"]]
    assert jaw[0] == pytest.approx(0.0, abs=1e-6)
    assert np.all(np.diff(jaw) > 0.05), jaw
    untouched = [INDEX[n] for n in ("eyeBlinkLeft", "eyeBlinkRight", "browInnerUp", "browDownLeft")]
    assert np.abs(weights[:, untouched]).max() < 0.05


def test_raising_the_mouth_corners_smiles_without_opening_the_jaw(photo_face) -> None:  # type: ignore[no-untyped-def]
    face, size = photo_face
    face_height = (face[152, 1] - face[10, 1]) * size[1]
    corners = [61, 291, 185, 409, 146, 375]  # the corners and their neighbours on both lips

    def lift(amount: float):  # type: ignore[no-untyped-def]
        def move(p: np.ndarray) -> np.ndarray:
            p[corners, 1] -= amount * face_height
            return p

        return move

    frames = _frames(face, size, [lift(a) for a in (0.0, 0.01, 0.02, 0.03)])
    weights, _ = face_curves(frames, np.ones(4, bool), size, neutral_frame=0)
    for side in ("Left", "Right"):
        assert np.all(np.diff(weights[:, INDEX[f"mouthSmile{side}"]]) > 0.05)
    assert weights[:, INDEX["jawOpen"]].max() < 0.05
    assert weights[:, [INDEX["mouthFrownLeft"], INDEX["mouthFrownRight"]]].max() < 0.05


def test_closing_one_eye_blinks_that_eye_only(photo_face) -> None:  # type: ignore[no-untyped-def]
    face, size = photo_face
    upper, lower = [385, 386, 387], [380, 374, 373]  # the subject's left eye

    def close(fraction: float):  # type: ignore[no-untyped-def]
        def move(p: np.ndarray) -> np.ndarray:
            p[upper, 1] += fraction * (p[lower, 1] - p[upper, 1])
            return p

        return move

    frames = _frames(face, size, [close(f) for f in (0.0, 0.3, 0.6, 0.9)])
    weights, _ = face_curves(frames, np.ones(4, bool), size, neutral_frame=0)
    left = weights[:, INDEX["eyeBlinkLeft"]]
    assert np.all(np.diff(left) > 0.1) and left[-1] > 0.7, left
    assert weights[:, INDEX["eyeBlinkRight"]].max() < 0.05


def test_head_rotation_is_recovered_and_does_not_leak_into_curves(photo_face) -> None:  # type: ignore[no-untyped-def]
    face, size = photo_face
    angle = np.radians(20.0)
    yaw = np.array([[np.cos(angle), 0, np.sin(angle)], [0, 1, 0], [-np.sin(angle), 0, np.cos(angle)]])

    def turn(p: np.ndarray) -> np.ndarray:
        centre = p.mean(0)
        return (p - centre) @ yaw.T + centre

    frames = _frames(face, size, [lambda p: p, turn])
    weights, head = face_curves(frames, np.ones(2, bool), size, neutral_frame=0)
    np.testing.assert_allclose(head[0], [1, 0, 0, 0], atol=1e-5)
    recovered = quat_to_matrix(head[1])
    expected = CAMERA_TO_BLENDER @ yaw @ CAMERA_TO_BLENDER.T
    error = np.degrees(np.arccos(np.clip((np.trace(recovered.T @ expected) - 1) / 2, -1, 1)))
    assert error < 2.0
    assert np.abs(weights[1] - weights[0]).max() < 0.08


def test_neutral_frame_without_a_face_is_refused(photo_face) -> None:  # type: ignore[no-untyped-def]
    face, size = photo_face
    frames = np.stack([face, np.full_like(face, np.nan)])
    with pytest.raises(ValueError, match="no tracked face"):
        face_curves(frames, np.array([True, False]), size, neutral_frame=1)


def test_frames_without_a_face_stay_empty(photo_face) -> None:  # type: ignore[no-untyped-def]
    face, size = photo_face
    frames = np.stack([face, np.full_like(face, np.nan), face])
    weights, head = face_curves(frames, np.array([True, False, True]), size)
    assert np.isnan(weights[1]).all() and np.isnan(head[1]).all()
    assert np.isfinite(weights[[0, 2]]).all()
