"""``python -m addon batch``: the .blend-writing verbs over many inputs, one Blender process per task."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from retarget_fixtures import bvh_dir, rigs_blend

from ai_engine.batch.contract import Manifest
from ai_engine.retarget.bvh import read_bvh

ROOT = Path(__file__).resolve().parents[1]
__all__ = ["bvh_dir", "rigs_blend"]


def test_addon_batch_retargets_each_take_into_its_own_blend(
    blender: Any, bvh_dir: Path, rigs_blend: Path, tmp_path: Path
) -> None:
    bpy = blender
    takes = [bvh_dir / "cmu" / "131_03.bvh", bvh_dir / "bandai" / "dataset-1_walk_normal_001.bvh"]
    broken = tmp_path / "broken.bvh"
    broken.write_text(takes[0].read_text()[:2000])  # a hierarchy cut short
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "addon", "batch", "retarget", *map(str, takes), str(broken), "--out", str(out),
            "--workers", "2", "--verb-args", f"--target {rigs_blend} --armature MixamoRig", "--json"]  # fmt: skip
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stderr  # one input failed, alone
    error = json.loads(done.stdout.strip().splitlines()[-1])["error"]
    assert "1 of 3 failed" in error["message"] and "broken" in error["message"]
    tasks = Manifest.from_dict(json.loads((out / "manifest.json").read_text())).tasks
    assert [t.status for t in tasks] == ["done", "done", "failed"]
    assert "broken.bvh" in (tasks[2].error or "") and not (out / "broken").exists()
    for take, task in zip(takes, tasks[:2], strict=True):
        blend = out / take.stem / "retarget.blend"
        assert str(blend) in task.outputs
        assert task.result["action"] == take.stem  # the verb's own JSON summary
        bpy.ops.wm.open_mainfile(filepath=str(blend))
        action = bpy.data.objects["MixamoRig"].animation_data.action
        first, last = (int(round(f)) for f in action.frame_range)
        assert last - first + 1 == read_bvh(take).frame_count
