"""``python -m addon VERB … --json`` as a TD's script sees it: a separate process whose whole stdout
is one JSON document (Blender's "Read blend:" / "Info: Saved as" lines go to stderr) and whose exit
code is the verb's; and output paths that cannot be written refused before any job starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from capture_media import CARPHONE, mocap, needs_capture_runtime, read_frames, write_clip
from retarget_fixtures import bvh_dir, rigs_blend

ROOT = Path(__file__).resolve().parents[1]
__all__ = ["bvh_dir", "rigs_blend"]  # fixtures used by name


def run_verb(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "addon", *args, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def one_document(proc: subprocess.CompletedProcess[str]) -> Any:
    """stdout parsed whole, exactly as ``| python -c "import json,sys; json.load(sys.stdin)"`` does."""
    try:
        return json.loads(proc.stdout)
    except ValueError as exc:
        raise AssertionError(f"stdout is not one JSON document: {proc.stdout[:2000]!r}") from exc


@pytest.fixture(scope="module")
def sample_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ai_engine.samples import sample_clip as make

    return Path(make(tmp_path_factory.mktemp("sample") / "sample.mp4")["path"])


def test_add_footage(sample_clip: Path, tmp_path: Path) -> None:
    proc = run_verb("add-footage", str(sample_clip), "--blend", str(tmp_path / "edit.blend"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = one_document(proc)
    assert summary["blend"] == str(tmp_path / "edit.blend") and summary["info"]["frame_count"] > 0
    assert "Saved" in proc.stderr  # Blender's own line went to stderr, not into the JSON


def test_cut_scenes_with_exports(sample_clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "cut.blend"
    proc = run_verb("cut-scenes", str(sample_clip), "--blend", str(out), "--detector", "fast",
                    "--csv", str(tmp_path / "shots.csv"))  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = one_document(proc)
    assert summary["blend"] == str(out) and summary["cuts"] and out.exists()
    assert summary["exports"]["csv"] == str(tmp_path / "shots.csv")


def test_retarget_exits_zero_with_one_document(bvh_dir: Path, rigs_blend: Path, tmp_path: Path) -> None:
    take = bvh_dir / "bandai" / "dataset-1_walk_normal_001.bvh"
    out = tmp_path / "walk.blend"
    proc = run_verb("retarget", "--source", str(take), "--target", str(rigs_blend),
                    "--armature", "MixamoRig", "--blend", str(out))  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]  # bpy 4.2.23 used to die with SIGSEGV at exit
    summary = one_document(proc)
    assert summary["action"] == "dataset-1_walk_normal_001" and out.exists()


def test_capture(blender: Any, tmp_path: Path) -> None:
    needs_capture_runtime()
    frames = read_frames(mocap(*CARPHONE), range(12))
    clip = write_clip(tmp_path / "talk.mp4", [frames[i] for i in range(12)])
    from addon.retarget.sample_rigs import mixamo_like_rig

    bpy = blender
    mixamo_like_rig()
    rig_blend = tmp_path / "rig.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(rig_blend))
    proc = run_verb("capture", str(clip), "--target", str(rig_blend), "--armature", "MixamoRig",
                    "--parts", "face", "--blend", str(tmp_path / "shot.blend"))  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert one_document(proc)["blend"] == str(tmp_path / "shot.blend")


def test_fx_material(tmp_path: Path) -> None:
    from test_addon_fx import tiny_model

    proc = run_verb("fx-material", str(tiny_model(tmp_path, preset="fire")), "--blend",
                    str(tmp_path / "fx.blend"), "--new-plane", "--size", "512")  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert one_document(proc)["blend"] == str(tmp_path / "fx.blend")


def test_an_error_is_one_document_too(tmp_path: Path) -> None:
    proc = run_verb("add-footage", str(tmp_path / "nope.mp4"), "--blend", str(tmp_path / "x.blend"))
    assert proc.returncode == 1
    assert one_document(proc)["error"]["type"] == "VideoOpenError"


@pytest.mark.parametrize(
    ("blend", "expected"),
    [
        ("folder.blend", "is a folder"),
        ("a_file/x.blend", "is a file"),
        ("x.txt", "must end in .blend"),
    ],
)
def test_unwritable_output_is_refused_before_the_job(
    sample_clip: Path, tmp_path: Path, blend: str, expected: str
) -> None:
    (tmp_path / "folder.blend").mkdir()
    (tmp_path / "a_file").write_text("")
    for verb in (["cut-scenes", str(sample_clip)], ["add-footage", str(sample_clip)]):
        proc = run_verb(*verb, "--blend", str(tmp_path / blend))
        assert proc.returncode == 1, proc.stderr[-3000:]
        error = one_document(proc)["error"]
        assert error["type"] == "BatchError" and expected in error["message"], error
        assert "worker" not in proc.stderr.lower() and "Traceback" not in proc.stderr


def test_an_export_into_a_missing_unmakeable_folder_is_refused(sample_clip: Path, tmp_path: Path) -> None:
    (tmp_path / "a_file").write_text("")
    proc = run_verb("cut-scenes", str(sample_clip), "--blend", str(tmp_path / "ok.blend"),
                    "--otio", str(tmp_path / "a_file" / "sub" / "cuts.otio"))  # fmt: skip
    assert proc.returncode == 1
    assert "--otio" in one_document(proc)["error"]["message"]
    assert not (tmp_path / "ok.blend").exists()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_folder_is_refused(sample_clip: Path, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    proc = run_verb("add-footage", str(sample_clip), "--blend", str(locked / "x.blend"))
    assert proc.returncode == 1
    assert "cannot be written" in one_document(proc)["error"]["message"]
