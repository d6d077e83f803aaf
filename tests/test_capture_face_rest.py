"""The neutral face found per take, and the face held steady at rest, on the real carphone talking
head (real models) with ground truth by construction: a real frame at rest (lips closed, eyes open,
head upright: frame 5, picked by looking) repeated with camera noise over frames 40–59, and a still
but open-mouthed frame (58) repeated over 90–109. The override and the bad inputs are checked on the
same take."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from capture_media import CARPHONE, mocap, read_frames, still, write_clip

from ai_engine.capture import CaptureOptions, capture
from ai_engine.capture.contract import HealthReport
from ai_engine.capture.face import ARKIT_BLENDSHAPES, face_track
from ai_engine.errors import NoFaceAtNeutralFrame, NoPersonFound

REST = (40, 59)
OPEN_MOUTH = (90, 109)
SETTLE = 5  # frames the tracker takes to settle on a stretch cut in from elsewhere
JAW = ARKIT_BLENDSHAPES.index("jawOpen")


def _noisy(frame: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return np.clip(frame.astype(np.float32) + rng.normal(0.0, 2.0, frame.shape), 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def carphone() -> list[np.ndarray]:
    frames = read_frames(mocap(*CARPHONE), range(120))
    return [frames[i] for i in range(120)]


@pytest.fixture(scope="module")
def rest_take(carphone: list[np.ndarray], tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = np.random.default_rng(0)
    frames = list(carphone)
    for (first, last), source in ((REST, 5), (OPEN_MOUTH, 58)):
        for t in range(first, last + 1):
            frames[t] = _noisy(carphone[source], rng)
    return write_clip(tmp_path_factory.mktemp("rest") / "rest_take.mp4", frames)


@pytest.fixture(scope="module")
def found(rest_take: Path):  # type: ignore[no-untyped-def]
    return capture(rest_take, CaptureOptions(parts=("face",)))


def test_the_found_neutral_lies_in_the_rest_stretch_and_is_reported(found) -> None:  # type: ignore[no-untyped-def]
    face = found.report.face
    assert face is not None and face.neutral_source == "found"
    assert face.neutral_frame is not None and REST[0] <= face.neutral_frame <= REST[1], face
    assert face.neutral_frames is not None
    assert REST[0] <= face.neutral_frames[0] <= face.neutral_frames[1] <= REST[1]
    assert f"neutral frame {face.neutral_frame}, found" in found.report.line()
    # The report crosses the worker as JSON and comes back whole.
    again = HealthReport.from_dict(found.report.to_dict())
    assert again.face == face


def test_curves_at_rest_are_near_zero_and_the_open_mouth_is_open(found) -> None:  # type: ignore[no-untyped-def]
    weights = found.track.face_blendshapes
    rest = weights[REST[0] + SETTLE : REST[1] + 1]
    assert rest[:, JAW].mean() < 0.05
    assert rest.mean() < 0.03 and rest.mean(axis=0).max() < 0.15, rest.mean(axis=0).max()
    open_mouth = weights[OPEN_MOUTH[0] + SETTLE : OPEN_MOUTH[1] + 1, JAW]
    assert open_mouth.mean() > 0.4


def test_the_artists_neutral_frame_overrides(rest_take: Path, found) -> None:  # type: ignore[no-untyped-def]
    picked = capture(rest_take, CaptureOptions(parts=("face",), neutral_frame=100))
    face = picked.report.face
    assert face is not None and face.neutral_source == "picked" and face.neutral_frame == 100
    assert face.neutral_frames == (100, 100)
    # Measured against the open mouth, the open mouth is at rest and the closed one is not open.
    jaw = picked.track.face_blendshapes[:, JAW]
    assert jaw[OPEN_MOUTH[0] + SETTLE : OPEN_MOUTH[1] + 1].mean() < 0.05
    assert found.track.face_blendshapes[100, JAW] - jaw[100] > 0.4


def test_a_still_face_is_steady_and_blinks_keep_their_range(
    carphone: list[np.ndarray], tmp_path: Path
) -> None:
    rng = np.random.default_rng(0)
    clip = write_clip(tmp_path / "still.mp4", [_noisy(carphone[5], rng) for _ in range(40)])
    held = capture(clip, CaptureOptions(parts=("face",))).track.face_blendshapes
    spread = held[SETTLE:].std(axis=0)
    assert spread.max() <= 0.02, ARKIT_BLENDSHAPES[int(np.argmax(spread))]
    # The real clip (speech, blinks, no still stretch): the hold changes no blink.
    real = capture(write_clip(tmp_path / "real.mp4", carphone), CaptureOptions(parts=("face",))).track
    observed = real.face_valid & ~real.face_interpolated
    raw = face_track(
        real.face, real.face_valid, real.image_size, observed=observed, fps=real.fps, steady=False
    ).weights
    for name in ("eyeBlinkLeft", "eyeBlinkRight"):
        k = ARKIT_BLENDSHAPES.index(name)
        assert np.ptp(real.face_blendshapes[:, k]) >= 0.95 * np.ptp(raw[:, k]) > 0.2


def test_a_take_with_no_face_is_a_clear_error(tmp_path: Path) -> None:
    dogs = still(mocap("dlib_faces", "dogs.jpg"), (176, 144))
    clip = write_clip(tmp_path / "dogs.mp4", [dogs] * 30)
    with pytest.raises(NoPersonFound, match="no face"):
        capture(clip, CaptureOptions(parts=("face",), neutral_frame=3))


def test_a_neutral_frame_without_a_face_is_a_clear_error(carphone: list[np.ndarray], tmp_path: Path) -> None:
    dogs = still(mocap("dlib_faces", "dogs.jpg"), (176, 144))
    clip = write_clip(tmp_path / "late.mp4", [dogs] * 10 + carphone[:30])
    with pytest.raises(NoFaceAtNeutralFrame, match="neutral frame 3 has no tracked face") as error:
        capture(clip, CaptureOptions(parts=("face",), neutral_frame=3))
    assert "automatic (-1)" in str(error.value)


def test_the_rest_stretch_is_only_made_of_frames_the_tracker_saw() -> None:
    from ai_engine.capture.face_rest import find_rest

    costs = np.ones(60)
    costs[10:16] = 0.0  # the most restful stretch … but interpolated
    costs[40:46] = 0.2
    usable = np.ones(60, bool)
    usable[12] = False
    stretch = find_rest(costs, usable, fps=30.0)
    assert stretch is not None and (stretch.first, stretch.last) == (40, 45)
    assert find_rest(costs, np.zeros(60, bool), fps=30.0) is None
    assert find_rest(costs[:4], usable[:4], fps=30.0) is None


def test_a_short_take_keeps_the_median_face(found) -> None:  # type: ignore[no-untyped-def]
    track = found.track
    short = face_track(track.face[:20], track.face_valid[:20], track.image_size, fps=track.fps)
    assert short.calibration is not None and short.calibration.source == "median"
    assert short.calibration.neutral_frame is None
