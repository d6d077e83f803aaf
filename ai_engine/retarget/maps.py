"""Bone map presets (``maps/*.json``) and choosing one for a skeleton.

A preset file is JSON read into a ``BoneMap``: ``bone_map`` (canonical joint → bone), optional
``joint_map``, ``follows``, ``root_motion_bone``, ``properties`` (see ``rigspec.RigSpec``) and
``prefix`` — a name prefix that rigs spell differently (Mixamo: "mixamorig:", "mixamorig1:",
"mixamorig_" or nothing).
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..contract import BadRequest, Contract
from ..errors import BadRig
from .automap import auto_map
from .contract import PRESET_NAMES
from .skeleton import FINGER_JOINTS


@dataclass(frozen=True)
class BoneMap(Contract):
    """A bone map: which rig bone plays each canonical joint, and how the rig's controls behave.

    name: the preset's name, "auto" or "custom". bone_map: canonical joint → bone. joint_map: bone
    whose rotation a joint's solve reads, where it differs. follows: bone → bone it copies its
    transform from. root_motion_bone: the bone that carries root translation. properties: bone →
    {custom property: value} set before playing. prefix: the name prefix rigs spell differently.
    """

    bone_map: dict[str, str]
    name: str = "custom"
    description: str = ""
    joint_map: dict[str, str] = field(default_factory=dict)
    follows: dict[str, str] = field(default_factory=dict)
    root_motion_bone: str | None = None
    properties: dict[str, dict[str, float]] = field(default_factory=dict)
    prefix: str | None = None

    def replace(self, **changes: Any) -> BoneMap:
        """A copy with ``changes`` (the fields above)."""
        return dataclasses.replace(self, **changes)

    def extras(self) -> dict[str, Any]:
        """Everything but the joint → bone table, for keeping beside a map the user edits."""
        data = self.to_dict()
        for key in ("bone_map", "name", "description"):
            data.pop(key)
        return data


def load_preset(name_or_path: str | Path) -> BoneMap:
    """A preset by name (``PRESET_NAMES``) or a JSON file path.

    Raises:
        BadRig: unknown name, unreadable file, or a file that is not a bone map.
    """
    try:
        if str(name_or_path) in PRESET_NAMES:
            text = resources.files("ai_engine.retarget").joinpath(f"maps/{name_or_path}.json").read_text()
        else:
            text = Path(name_or_path).read_text()
        data = json.loads(text)
    except (OSError, json.JSONDecodeError) as exc:
        raise BadRig(
            f"Cannot load bone map {name_or_path!r} ({exc}); use one of {', '.join(PRESET_NAMES)} or a JSON file."
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("bone_map"), dict):
        raise BadRig(
            f"Bone map {name_or_path!r} has no 'bone_map' object; save the map again from the panel."
        )
    try:
        return BoneMap.from_dict(data)
    except BadRequest as exc:
        raise BadRig(
            f"Bone map {name_or_path!r} is not a Clapper bone map ({exc}); save the map again from the panel."
        ) from exc


def _rename(preset: BoneMap, old: str, new: str) -> BoneMap:
    def fix(name: str) -> str:
        return new + name[len(old) :] if name.startswith(old) else name

    return preset.replace(
        bone_map={k: fix(v) for k, v in preset.bone_map.items()},
        joint_map={k: fix(v) for k, v in preset.joint_map.items()},
        follows={k: fix(v) for k, v in preset.follows.items()},
        root_motion_bone=fix(preset.root_motion_bone) if preset.root_motion_bone else None,
        properties={fix(k): v for k, v in preset.properties.items()},
        prefix=new or None,
    )


def fit_preset(preset: BoneMap, bones: list[str]) -> tuple[BoneMap, float]:
    """Adapt a preset's name prefix to ``bones`` and score how well it fits (share of body bones found).

    Finger joints whose bones the rig lacks are dropped (many characters have no finger bones);
    missing body bones stay in the map so ``RigSpec.validate`` lists them.

    Returns:
        (adapted preset, fraction of the preset's body bones present in ``bones``).
    """
    names = set(bones)
    candidates = [preset]
    if preset.prefix:
        seen = {m.group(0) for b in bones if (m := re.match(r"^[A-Za-z]+\d*[:_]", b))}
        candidates += [_rename(preset, preset.prefix, p) for p in sorted(seen | {""})]
    best, best_score = preset, -1.0
    for cand in candidates:
        wanted = [
            v for table in (cand.bone_map, cand.joint_map) for k, v in table.items() if k not in FINGER_JOINTS
        ]
        score = sum(b in names for b in wanted) / max(len(wanted), 1)
        if score > best_score:
            best, best_score = cand, score
    bone_map = {k: v for k, v in best.bone_map.items() if k not in FINGER_JOINTS or v in names}
    joint_map = {k: v for k, v in best.joint_map.items() if k not in FINGER_JOINTS or k in bone_map}
    return best.replace(bone_map=bone_map, joint_map=joint_map), best_score


def choose_map(
    bones: list[str], parents: list[int], heads: np.ndarray, tails: np.ndarray
) -> tuple[BoneMap, str]:
    """The bone map for a skeleton: a preset that fits fully, else the automatic map.

    Arguments:
        bones, parents (indices, -1 root), heads, tails (rest, Z up).
    Returns:
        (the bone map, the preset's name or "auto").
    Raises:
        BadRig: no preset fits and automatic mapping fails.
    """
    for name in PRESET_NAMES:
        preset, score = fit_preset(load_preset(name), bones)
        if score >= 0.999:
            # Only bones the rig has: fingers of a preset may be absent from a body-only rig.
            present = set(bones)
            return preset.replace(bone_map={k: v for k, v in preset.bone_map.items() if v in present}), name
    return BoneMap(name="auto", bone_map=auto_map(bones, parents, heads, tails)), "auto"
