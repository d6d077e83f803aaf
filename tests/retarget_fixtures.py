"""Shared by the retarget tests that use bpy: the sample rigs (made once per session) and helpers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest


@pytest.fixture(scope="module")
def bvh_dir(data_dir: Path) -> Path:
    path = data_dir / "mocap" / "bvh"
    if not path.is_dir():
        pytest.skip(f"{path} is missing")
    return path


@pytest.fixture(scope="session")
def rigs_blend(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One .blend with a generated Rigify rig ("rig") and the Mixamo-like rig, made once per session
    (several test files use it: the first one to ask makes it)."""
    path = tmp_path_factory.getbasetemp() / "retarget_rigs" / "rigs.blend"
    if path.exists():
        return path
    import bpy

    from addon.retarget.sample_rigs import mixamo_like_rig, rigify_rig

    bpy.ops.wm.read_factory_settings(use_empty=True)
    rigify_rig("rig")
    mixamo_like_rig("MixamoRig")
    path.parent.mkdir(parents=True, exist_ok=True)
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    return path


def import_bvh(bpy: Any, path: Path) -> Any:
    """Import with Blender's own BVH importer (default options); return the new armature."""
    before = set(bpy.data.objects)
    assert bpy.ops.import_anim.bvh(filepath=str(path)) == {"FINISHED"}
    return next(o for o in bpy.data.objects if o not in before)


def heads(obj: Any, names: dict[str, str]) -> dict[str, np.ndarray]:
    """World positions of the named pose bones' heads, keyed like ``names``."""
    return {j: np.array(obj.matrix_world @ obj.pose.bones[b].head) for j, b in names.items()}
