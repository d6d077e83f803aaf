"""``python -m ai_engine retarget``: the engine's command line (no Blender)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from ai_engine.retarget import cli
from ai_engine.retarget.animation import BoneAnimation
from ai_engine.retarget.bvh import read_bvh
from ai_engine.retarget.maps import fit_preset, load_preset
from ai_engine.retarget.rigspec import RigSpec
from ai_engine.retarget.sample_motion import mixamo_like_bones, write_sample_walk


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return cli.run(parser.parse_args(argv))


def test_retarget_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bones = mixamo_like_bones(30.0)
    rig = RigSpec(
        "Mixamo", [b[0] for b in bones], [b[1] for b in bones], [b[2] for b in bones], [b[3] for b in bones]
    )
    rig.save(tmp_path / "rig.json")
    motion = write_sample_walk(tmp_path / "walk.bvh")
    out = tmp_path / "anim.npz"
    assert (
        run(
            [str(motion), "--rig", str(tmp_path / "rig.json"), "--map", "mixamo", "--out", str(out), "--json"]
        )
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    anim = BoneAnimation.load(out)
    assert result["frames"] == anim.frame_count == read_bvh(motion).frame_count
    assert anim.root_bone == "mixamorig:Hips"
    assert set(fit_preset(load_preset("mixamo"), rig.bones)[0].bone_map.values()) >= set(anim.bones)


def test_show_map_and_missing_rig(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    take = data_dir / "mocap" / "bvh" / "cmu" / "131_01.bvh"
    if not take.exists():
        pytest.skip(f"{take} is missing")
    assert run([str(take), "--show-map", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["preset"] == "cmu_bvh" and shown["bone_map"]["thigh.L"] == "LeftHip"
    assert run([str(take)]) == 2  # neither --rig/--out nor --show-map
