"""The typed contracts that cross the worker: every field checked, nothing read by key (no bpy)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest

from ai_engine.contract import BadRequest, Contract, JobSpec, require


@dataclass(frozen=True)
class Inner(Contract):
    frame: int
    kind: Literal["cut", "dissolve"] = "cut"


@dataclass(frozen=True)
class Outer(Contract):
    video: str
    out: Path | None = None
    score: float = 0.5
    cuts: tuple[Inner, ...] = ()
    names: dict[str, str] = field(default_factory=dict)
    span: tuple[int, int] = (0, 0)

    def __post_init__(self) -> None:
        require(0.0 <= self.score <= 1.0, "score is between 0 and 1.")


def test_round_trip_keeps_every_field_and_type() -> None:
    original = Outer(
        video="a.mp4", out=Path("/tmp/x"), score=1, cuts=(Inner(3), Inner(9, "dissolve")), names={"a": "b"}
    )
    data = original.to_dict()
    assert data == {
        "video": "a.mp4",
        "out": "/tmp/x",
        "score": 1,
        "cuts": [{"frame": 3, "kind": "cut"}, {"frame": 9, "kind": "dissolve"}],
        "names": {"a": "b"},
        "span": [0, 0],
    }
    back = Outer.from_dict(data)
    assert back == Outer(
        video="a.mp4", out=Path("/tmp/x"), score=1.0, cuts=(Inner(3), Inner(9, "dissolve")), names={"a": "b"}
    )
    assert isinstance(back.cuts, tuple) and isinstance(back.out, Path) and isinstance(back.score, float)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Outer needs 'video'"),
        ({"video": "a", "vidoe": "b"}, "Outer has no field 'vidoe'"),
        ({"video": 3}, "Outer.video must be text"),
        ({"video": "a", "score": "high"}, "Outer.score must be a number"),
        ({"video": "a", "score": True}, "Outer.score must be a number"),
        ({"video": "a", "score": 2.0}, "score is between 0 and 1"),
        ({"video": "a", "cuts": [{"frame": 1.5}]}, "Outer.cuts[0].frame"),
        (
            {"video": "a", "cuts": [{"frame": 1, "kind": "wipe"}]},
            "Outer.cuts[0].kind must be one of 'cut', 'dissolve'",
        ),
        ({"video": "a", "span": [1, 2, 3]}, "Outer.span must have 2 items"),
        ({"video": "a", "out": 7}, "must be a path"),
        ("a.mp4", "Outer expects an object"),
    ],
)
def test_a_bad_field_is_named(data: object, message: str) -> None:
    with pytest.raises(BadRequest) as error:
        Outer.from_dict(data)  # type: ignore[arg-type]
    assert message in str(error.value)


def test_job_names_have_a_feature_and_a_verb() -> None:
    assert JobSpec("cuts.detect", Outer, Inner).name == "cuts.detect"
    with pytest.raises(ValueError):
        JobSpec("detect", Outer, Inner)
    with pytest.raises(TypeError, match="request type must be a Contract"):
        JobSpec("cuts.detect", dict, Inner)  # type: ignore[type-var]
