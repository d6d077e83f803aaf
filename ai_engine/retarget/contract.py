"""Contracts of the retarget job: what the add-on, the batch verbs and the CLI send, what comes back.

The request carries the target as a ``RigSpec`` (nested through its own ``to_dict``/``from_dict``)
and the motion as a path — a .bvh file or a ``SkeletonAnimation`` .npz (an armature source or a
capture) — never as arrays. The result names the ``BoneAnimation`` .npz written in the job's
workdir and its summary figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..contract import Contract, JobSpec, require
from .rigspec import RigSpec

PRESET_NAMES: tuple[str, ...] = ("rigify", "mixamo", "cmu_bvh", "bandai_bvh")
"""The bone map presets shipped in ``maps/`` (``maps.load_preset`` also reads a JSON file path)."""


@dataclass(frozen=True)
class RetargetRequest(Contract):
    """Retarget one motion onto one rig.

    rig: the target, bone map included. source: a .bvh file, or skeleton: a SkeletonAnimation .npz
    (exactly one of them). source_map: canonical joint → source joint (default: automatic, BVH only).
    map: a preset name (``PRESET_NAMES``) or a map JSON file that replaces the rig's own map.
    foot_lock: feet that stand still in the source stay still on the target.
    """

    rig: RigSpec
    source: str | None = None
    skeleton: str | None = None
    source_map: dict[str, str] | None = None
    map: str | None = None
    foot_lock: bool = True

    def __post_init__(self) -> None:
        require(
            (self.source is None) != (self.skeleton is None),
            "Give the motion as exactly one of 'source' (a .bvh file) or 'skeleton' (a skeleton .npz).",
        )
        require(bool(self.source or self.skeleton), "The motion path is empty: pick a .bvh file.")
        require(
            self.map is None or self.map in PRESET_NAMES or self.map.lower().endswith(".json"),
            f"Unknown bone map {self.map!r}: use one of {', '.join(PRESET_NAMES)} or a .json map file.",
        )
        require(
            self.skeleton is None or self.source_map is None,
            "A skeleton .npz is already canonical: 'source_map' applies to BVH sources only.",
        )


@dataclass(frozen=True)
class RetargetResult(Contract):
    """animation: the BoneAnimation .npz. frames/fps: the source's. bones: the animated bones.
    root_bone: the bone keyed with location. source_name: the take's name (the action's name).
    source_map: canonical joint → source joint as used. contacts: frames with a locked foot
    (left, right). leg_ratio: target / source leg length (root motion scale)."""

    animation: str
    frames: int
    fps: float
    bones: tuple[str, ...]
    root_bone: str | None
    source_name: str = ""
    source_map: dict[str, str] = field(default_factory=dict)
    contacts: tuple[int, int] = (0, 0)
    leg_ratio: float | None = None


RETARGET = JobSpec("retarget.retarget", RetargetRequest, RetargetResult, "retarget a motion onto a rig")
