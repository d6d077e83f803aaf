"""``CutList``: the detected shot boundaries of one video, as they cross into the add-on.

JSON shape (DESIGN.md)::

    {"video": str, "fps": float, "frame_count": int, "detector": str,
     "cuts": [{"frame": int, "kind": "cut"|"dissolve"|"fade"|"wipe", "start": int, "end": int,
               "score": float}]}

``frame`` is the first frame of the new shot, 0-based in decode order. For a hard cut
``start == end == frame``; a gradual transition spans ``start..end`` (inclusive) with ``frame``
inside it.
"""

from __future__ import annotations

import itertools
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def __getattr__(name: str) -> Any:
    # CUT_KINDS lives in the contract with the other vocabularies; kept importable from here.
    if name == "CUT_KINDS":
        from .contract import CUT_KINDS

        return CUT_KINDS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class Cut:
    """One shot boundary: ``frame`` starts the new shot; ``start..end`` is the transition."""

    frame: int
    kind: str = "cut"
    start: int = -1
    end: int = -1
    score: float = 1.0

    def __post_init__(self) -> None:
        from .contract import CUT_KINDS

        if self.kind not in CUT_KINDS:
            raise ValueError(f"Unknown cut kind {self.kind!r}; expected one of {', '.join(CUT_KINDS)}.")
        if self.start < 0:
            object.__setattr__(self, "start", self.frame)
        if self.end < 0:
            object.__setattr__(self, "end", self.frame)
        if not self.start <= self.frame <= self.end:
            raise ValueError(f"Cut frame {self.frame} lies outside its span {self.start}..{self.end}.")

    @property
    def is_gradual(self) -> bool:
        return self.kind != "cut"

    def to_dict(self) -> dict[str, Any]:
        return {
            "frame": int(self.frame),
            "kind": self.kind,
            "start": int(self.start),
            "end": int(self.end),
            "score": round(float(self.score), 4),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Cut:
        return cls(
            frame=int(data["frame"]),
            kind=str(data.get("kind", "cut")),
            start=int(data.get("start", -1)),
            end=int(data.get("end", -1)),
            score=float(data.get("score", 1.0)),
        )


@dataclass
class CutList:
    """The cuts of one video, sorted by frame, plus what is needed to place them in time."""

    video: str
    fps: float
    frame_count: int
    detector: str
    cuts: list[Cut] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. "truncated after frame N"

    def __post_init__(self) -> None:
        self.cuts = sorted(self.cuts, key=lambda c: c.frame)

    @property
    def frames(self) -> list[int]:
        """The first frame of every shot after the first."""
        return [c.frame for c in self.cuts]

    def shots(self) -> list[tuple[int, int]]:
        """Shots as ``(first_frame, end_frame_exclusive)`` covering the whole video."""
        bounds = [0, *[f for f in self.frames if 0 < f < self.frame_count], self.frame_count]
        return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]

    def seconds(self, frame: int) -> float:
        """Time at which ``frame`` starts (constant-rate mapping at the average fps)."""
        return frame / self.fps if self.fps > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "video": self.video,
            "fps": float(self.fps),
            "frame_count": int(self.frame_count),
            "detector": self.detector,
            "cuts": [c.to_dict() for c in self.cuts],
        }
        if self.warnings:
            data["warnings"] = list(self.warnings)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CutList:
        """Build from the JSON shape; raises ``ValueError`` naming the missing key."""
        try:
            return cls(
                video=str(data["video"]),
                fps=float(data["fps"]),
                frame_count=int(data["frame_count"]),
                detector=str(data.get("detector", "")),
                cuts=[Cut.from_dict(c) for c in data.get("cuts", [])],
                warnings=[str(w) for w in data.get("warnings", [])],
            )
        except KeyError as exc:
            raise ValueError(f"Not a cut list: the key {exc.args[0]!r} is missing.") from exc

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_json(cls, text: str) -> CutList:
        return cls.from_dict(json.loads(text))

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the JSON form to ``path`` and return it."""
        out = Path(path)
        out.write_text(self.to_json(indent=1), encoding="utf-8")
        return out

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CutList:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))
