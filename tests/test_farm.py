"""The farm hook: the Flamenco job type's compiler (farm/flamenco/clapper.js) evaluated in node with
a stub of Flamenco's author API; its command lines are the ones ``python -m addon batch`` runs."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLAMENCO = ROOT / "farm" / "flamenco"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed (apt-get install nodejs)")


def compile_job(settings: dict[str, str]) -> dict:
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(FLAMENCO / "compile.mjs")],
        input=json.dumps(settings),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_the_job_compilers_own_node_tests_pass() -> None:
    assert NODE is not None
    done = subprocess.run([NODE, "--test", str(FLAMENCO)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "# fail 0" in done.stdout and "# pass 4" in done.stdout


def test_flamenco_tasks_run_what_the_addon_batch_runs_per_clip() -> None:
    from addon.batch import INPUT_FLAGS, task_command

    clips = ["/takes/walk.bvh", "/takes/run.bvh"]
    compiled = compile_job(
        {
            "verb": "retarget",
            "clips": "\n".join(clips),
            "out_dir": "/farm/out",
            "verb_args": "--armature Hero",
        }
    )
    assert compiled["input_flags"] == INPUT_FLAGS  # one table of verbs and how they take their input
    for clip, task in zip(clips, compiled["tasks"], strict=True):
        stem = Path(clip).stem
        expected = task_command(
            "retarget", clip, Path(f"/farm/out/{stem}/retarget.blend"), ["--armature", "Hero"], "B"
        )
        params = task["commands"][0]["parameters"]
        assert [params["exe"], "-b", *params["args"]] == ["{blender}", *expected[1:]]
        assert params["exeArgs"] == "{blenderArgs}"  # the Manager's "-b -y" for Blender
