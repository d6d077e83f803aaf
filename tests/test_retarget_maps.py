"""Bone maps: presets, prefix adaptation, and automatic mapping from names and topology."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ai_engine.errors import BadRig
from ai_engine.retarget.automap import auto_map, name_side
from ai_engine.retarget.bvh import read_bvh
from ai_engine.retarget.maps import PRESET_NAMES, choose_map, fit_preset, load_preset
from ai_engine.retarget.sample_motion import mixamo_like_bones


@pytest.fixture(scope="module")
def bvh_dir(data_dir: Path) -> Path:
    path = data_dir / "mocap" / "bvh"
    if not path.is_dir():
        pytest.skip(f"{path} is missing")
    return path


def skeleton_of(path: Path) -> tuple[list[str], list[int], np.ndarray, np.ndarray]:
    motion = read_bvh(path)
    pose = motion.pose()
    return motion.names, motion.parents, pose.heads[0], pose.tails[0]


def test_cmu_automap_finds_the_upper_arm_in_leftshoulder_and_the_thigh_in_lefthip(bvh_dir: Path) -> None:
    mapping = auto_map(*skeleton_of(bvh_dir / "cmu" / "131_01.bvh"))
    assert mapping["upper_arm.L"] == "LeftShoulder" and mapping["shoulder.L"] == "LeftCollar"
    assert mapping["forearm.R"] == "RightElbow" and mapping["hand.R"] == "RightWrist"
    assert (
        mapping["thigh.L"] == "LeftHip"
        and mapping["shin.L"] == "LeftKnee"
        and mapping["foot.L"] == "LeftAnkle"
    )
    assert mapping["hips"] == "Hips" and mapping["chest"] == "Chest2" and mapping["head"] == "Head"
    # The automatic map equals the hand-written CMU preset on every body joint.
    preset = load_preset("cmu_bvh").bone_map
    assert {k: mapping.get(k) for k in preset} == preset


@pytest.mark.parametrize(
    ("take", "expected"),
    [
        ("other/PyMO_AV_8Walk_Meredith_HVHA_Rep1.bvh", {"upper_arm.L": "LeftArm", "thigh.R": "RightUpLeg", "hand.L": "LeftHand"}),
        ("other/bvh-python_test_mocapbank.bvh", {"upper_arm.R": "RightShoulder", "shin.L": "LeftKnee", "neck": "Neck"}),
        ("bandai/dataset-1_walk_normal_001.bvh", {"upper_arm.L": "UpperArm_L", "thigh.R": "UpperLeg_R", "head": "Head"}),
    ],
)  # fmt: skip
def test_automap_on_other_skeletons(bvh_dir: Path, take: str, expected: dict[str, str]) -> None:
    mapping = auto_map(*skeleton_of(bvh_dir / take))
    assert {k: mapping.get(k) for k in expected} == expected


def test_left_and_right_from_geometry_when_names_say_nothing(bvh_dir: Path) -> None:
    names, parents, heads, tails = skeleton_of(bvh_dir / "cmu" / "131_02.bvh")
    anonymous = [f"bone{i:02d}" for i in range(len(names))]
    mapping = auto_map(anonymous, parents, heads, tails)
    named = auto_map(names, parents, heads, tails)
    for joint in ("upper_arm.L", "forearm.R", "thigh.L", "shin.R", "hips", "head"):
        assert names[anonymous.index(mapping[joint])] == named[joint], joint


def test_presets_are_chosen_by_fit_and_adapt_their_prefix(bvh_dir: Path) -> None:
    for take, preset in (
        ("cmu/131_03.bvh", "cmu_bvh"),
        ("bandai/dataset-2_run_normal_001.bvh", "bandai_bvh"),
    ):
        assert choose_map(*skeleton_of(bvh_dir / take))[1] == preset
    bones = [b[0].replace("mixamorig:", "mixamorig1:") for b in mixamo_like_bones(40.0)]
    fitted, score = fit_preset(load_preset("mixamo"), bones)
    assert score == 1.0 and fitted.bone_map["upper_arm.L"] == "mixamorig1:LeftArm"
    assert not any(k.startswith("thumb") for k in fitted.bone_map)  # no finger bones: fingers dropped
    bare = [b[0].removeprefix("mixamorig:") for b in mixamo_like_bones(40.0)]
    assert fit_preset(load_preset("mixamo"), bare)[0].bone_map["thigh.R"] == "RightUpLeg"
    for name in PRESET_NAMES:
        assert "hips" in load_preset(name).bone_map


def test_bad_maps_and_skeletons_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BadRig, match="Cannot load bone map"):
        load_preset(tmp_path / "nope.json")
    (tmp_path / "bad.json").write_text('{"bones": []}')
    with pytest.raises(BadRig, match="no 'bone_map'"):
        load_preset(tmp_path / "bad.json")
    (tmp_path / "typo.json").write_text('{"bone_map": {"hips": "pelvis"}, "folows": {}}')
    with pytest.raises(BadRig, match="folows"):  # a misspelt key is named, not silently ignored
        load_preset(tmp_path / "typo.json")
    (tmp_path / "wrong.json").write_text('{"bone_map": {"hips": 3}}')
    with pytest.raises(BadRig, match="bone_map"):
        load_preset(tmp_path / "wrong.json")
    with pytest.raises(BadRig, match="chain ends"):
        auto_map(["a", "b"], [-1, 0], np.zeros((2, 3)), np.ones((2, 3)))


def test_side_from_names() -> None:
    assert [name_side(n) for n in ("LeftArm", "thigh.R", "DEF-hand_l", "LHipJoint", "Spine", "mixamorig:RightFoot")] == [
        "L", "R", "L", "L", None, "R",
    ]  # fmt: skip
