"""Bone map presets (``maps/*.json``) and choosing one for a skeleton.

A preset is JSON: ``bone_map`` (canonical joint → bone), optional ``joint_map``, ``follows``,
``root_motion_bone``, ``properties`` (see ``rigspec.RigSpec``) and ``prefix`` — a name prefix that
rigs spell differently (Mixamo: "mixamorig:", "mixamorig1:", "mixamorig_" or nothing).
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import BadRig
from .automap import auto_map
from .contract import PRESET_NAMES
from .skeleton import FINGER_JOINTS


def load_preset(name_or_path: str | Path) -> dict[str, Any]:
    """A preset by name (``PRESET_NAMES``) or a JSON file path.

    Raises:
        BadRig: unknown name or unreadable file.
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
    return data


def _rename(preset: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    def fix(name: str) -> str:
        return new + name[len(old) :] if name.startswith(old) else name

    out = dict(preset)
    for key in ("bone_map", "joint_map", "follows"):
        out[key] = {k: fix(v) for k, v in preset.get(key, {}).items()}
    if preset.get("root_motion_bone"):
        out["root_motion_bone"] = fix(preset["root_motion_bone"])
    out["properties"] = {fix(k): v for k, v in preset.get("properties", {}).items()}
    return out


def fit_preset(preset: dict[str, Any], bones: list[str]) -> tuple[dict[str, Any], float]:
    """Adapt a preset's name prefix to ``bones`` and score how well it fits (share of body bones found).

    Finger joints whose bones the rig lacks are dropped (many characters have no finger bones);
    missing body bones stay in the map so ``RigSpec.validate`` lists them.

    Returns:
        (adapted preset, fraction of the preset's body bones present in ``bones``).
    """
    names = set(bones)
    candidates = [preset]
    prefix = preset.get("prefix")
    if prefix:
        seen = {m.group(0) for b in bones if (m := re.match(r"^[A-Za-z]+\d*[:_]", b))}
        candidates += [_rename(preset, prefix, p) for p in sorted(seen | {""})]
    best, best_score = preset, -1.0
    for cand in candidates:
        wanted = [
            v
            for key in ("bone_map", "joint_map")
            for k, v in cand.get(key, {}).items()
            if k not in FINGER_JOINTS
        ]
        score = sum(b in names for b in wanted) / max(len(wanted), 1)
        if score > best_score:
            best, best_score = cand, score
    best = dict(best)
    best["bone_map"] = {k: v for k, v in best["bone_map"].items() if k not in FINGER_JOINTS or v in names}
    best["joint_map"] = {
        k: v for k, v in best.get("joint_map", {}).items() if k not in FINGER_JOINTS or k in best["bone_map"]
    }
    return best, best_score


def choose_map(
    bones: list[str], parents: list[int], heads: np.ndarray, tails: np.ndarray
) -> tuple[dict[str, Any], str]:
    """The bone map for a skeleton: a preset that fits fully, else the automatic map.

    Arguments:
        bones, parents (indices, -1 root), heads, tails (rest, Z up).
    Returns:
        (preset-like dict with at least ``bone_map``, the preset's name or "auto").
    Raises:
        BadRig: no preset fits and automatic mapping fails.
    """
    for name in PRESET_NAMES:
        preset, score = fit_preset(load_preset(name), bones)
        if score >= 0.999:
            # Only bones the rig has: fingers of a preset may be absent from a body-only rig.
            present = set(bones)
            preset = dict(preset)
            preset["bone_map"] = {k: v for k, v in preset["bone_map"].items() if v in present}
            return preset, name
    return {"name": "auto", "bone_map": auto_map(bones, parents, heads, tails)}, "auto"
