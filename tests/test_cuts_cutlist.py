"""CutList / Cut: the JSON contract of DESIGN.md, validation and shot arithmetic."""

from __future__ import annotations

import json

import pytest

from ai_engine.cuts.cutlist import Cut, CutList


def sample() -> CutList:
    return CutList(
        video="/clips/a.mp4",
        fps=25.0,
        frame_count=100,
        detector="auto",
        cuts=[
            Cut(frame=60, kind="dissolve", start=55, end=64, score=0.7),
            Cut(frame=30, kind="cut", score=0.9),
        ],
    )


def test_json_shape_matches_the_design_contract() -> None:
    data = json.loads(sample().to_json())
    assert set(data) == {"video", "fps", "frame_count", "detector", "cuts"}
    assert data["cuts"][0] == {"frame": 30, "kind": "cut", "start": 30, "end": 30, "score": 0.9}
    assert data["cuts"][1]["kind"] == "dissolve" and (data["cuts"][1]["start"], data["cuts"][1]["end"]) == (
        55,
        64,
    )


def test_round_trip_through_json_and_file(tmp_path) -> None:
    original = sample()
    assert CutList.from_json(original.to_json()).to_dict() == original.to_dict()
    path = original.save(tmp_path / "cuts.json")
    assert CutList.load(path).to_dict() == original.to_dict()


def test_shots_cover_the_video_without_gaps() -> None:
    assert sample().shots() == [(0, 30), (30, 60), (60, 100)]
    assert CutList("x", 25.0, 10, "fast").shots() == [(0, 10)]


def test_bad_cuts_are_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        Cut(frame=3, kind="jump")
    with pytest.raises(ValueError, match="outside"):
        Cut(frame=3, kind="dissolve", start=5, end=9)
    with pytest.raises(ValueError, match="missing"):
        CutList.from_dict({"video": "x", "fps": 25})


def test_warnings_travel_with_the_list() -> None:
    cuts = CutList("x", 25.0, 10, "fast", warnings=["Decoding stopped after frame 7"])
    assert CutList.from_dict(cuts.to_dict()).warnings == ["Decoding stopped after frame 7"]
