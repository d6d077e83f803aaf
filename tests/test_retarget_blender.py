"""Retargeting through the real bpy module: Blender's BVH importer as the reference, Rigify with its
constraints evaluated, baking (layered actions, rotation modes), operators, batch verb, bad inputs."""

from __future__ import annotations

import json
import math
import os
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ai_engine.errors import BadRig
from ai_engine.retarget.bvh import read_bvh
from ai_engine.retarget.quat import angle_between, quat_to_matrix
from ai_engine.retarget.rigspec import bone_matrices

ROOT = Path(__file__).resolve().parents[1]
PAIRS = [(f"{a}.{s}", f"{b}.{s}") for s in "LR" for a, b in (("upper_arm", "forearm"), ("forearm", "hand"), ("thigh", "shin"), ("shin", "foot"))]  # fmt: skip
PAIRS += [("spine", "chest"), ("neck", "head")]
RIGIFY_DEF = {
    "spine": "DEF-spine.001",
    "chest": "DEF-spine.003",
    "neck": "DEF-spine.004",
    "head": "DEF-spine.006",
}
RIGIFY_DEF |= {
    f"{k}.{s}": f"DEF-{k}.{s}"
    for s in "LR"
    for k in ("upper_arm", "forearm", "hand", "thigh", "shin", "foot")
}


@pytest.fixture(scope="module")
def bvh_dir(data_dir: Path) -> Path:
    path = data_dir / "mocap" / "bvh"
    if not path.is_dir():
        pytest.skip(f"{path} is missing")
    return path


@pytest.fixture(scope="session")
def rigs_blend(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One .blend with a generated Rigify rig ("rig") and the Mixamo-like rig, made once per session."""
    import bpy

    from addon.sample_rigs import mixamo_like_rig, rigify_rig

    bpy.ops.wm.read_factory_settings(use_empty=True)
    rigify_rig("rig")
    mixamo_like_rig("MixamoRig")
    path = tmp_path_factory.mktemp("rigs") / "rigs.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    return path


def import_bvh(bpy: Any, path: Path) -> Any:
    before = set(bpy.data.objects)
    assert bpy.ops.import_anim.bvh(filepath=str(path)) == {"FINISHED"}
    return next(o for o in bpy.data.objects if o not in before)


def heads(obj: Any, names: dict[str, str]) -> dict[str, np.ndarray]:
    return {j: np.array(obj.matrix_world @ obj.pose.bones[b].head) for j, b in names.items()}


@pytest.mark.parametrize(
    "take", ["cmu/131_01.bvh", "bandai/dataset-1_kick_normal_001.bvh", "other/bvh-python_test_freebvh.bvh"]
)
def test_reader_places_bones_exactly_where_blenders_importer_does(
    blender: Any, bvh_dir: Path, take: str
) -> None:
    bpy = blender
    obj = import_bvh(bpy, bvh_dir / take)
    motion = read_bvh(bvh_dir / take)
    pose = motion.pose()
    assert [b.name for b in obj.data.bones] == motion.names
    size = float(np.abs(pose.heads).max())
    for t in (0, motion.frame_count // 2, motion.frame_count - 1):
        bpy.context.scene.frame_set(1 + t)  # the importer keys file frame t on scene frame 1 + t
        mw = obj.matrix_world
        h = np.array([mw @ pb.head for pb in obj.pose.bones])
        tl = np.array([mw @ pb.tail for pb in obj.pose.bones])
        rot = np.array([np.array((mw @ pb.matrix).to_3x3()) for pb in obj.pose.bones])
        assert np.abs(h - pose.heads[t]).max() < 1e-5 * size
        assert np.abs(tl - pose.tails[t]).max() < 1e-5 * size
        assert np.abs(rot - quat_to_matrix(pose.rotations[t])).max() < 1e-4
        directions = angle_between(tl - h, pose.tails[t] - pose.heads[t])
        assert directions.max() < 0.05  # float32 in Blender: hundredths of a degree on 0.1-unit bones


def test_bone_matrices_match_blenders_head_tail_roll(blender: Any) -> None:
    bpy = blender
    rng = np.random.default_rng(1)
    data = bpy.data.armatures.new("Rolls")
    obj = bpy.data.objects.new("Rolls", data)
    bpy.context.collection.objects.link(obj)
    bpy.context.view_layer.objects.active = obj
    bpy.ops.object.mode_set(mode="EDIT")
    directions = [
        *list(rng.normal(size=(40, 3))),
        np.array([0.0, -1.0, 0.0]),
        np.array([0.0, 1.0, 0.0]),
        np.array([1e-05, -1.0, 0.0]),
    ]
    specs = []
    for i, d in enumerate(directions):
        eb = data.edit_bones.new(f"b{i}")
        head = rng.normal(size=3)
        eb.head, eb.tail, eb.roll = head, head + d, float(rng.uniform(-math.pi, math.pi))
        specs.append((np.array(eb.head), np.array(eb.tail), eb.roll))
    bpy.ops.object.mode_set(mode="OBJECT")
    ours = bone_matrices(
        np.array([s[0] for s in specs]), np.array([s[1] for s in specs]), np.array([s[2] for s in specs])
    )
    theirs = np.array([np.array(b.matrix_local.to_3x3()) for b in data.bones])
    assert np.abs(ours - theirs).max() < 1e-4  # float32 in Blender, near-singular (-Y) bones included


def test_rigify_def_bones_follow_the_source_with_constraints_evaluated(
    blender: Any, bvh_dir: Path, rigs_blend: Path
) -> None:
    bpy = blender
    bpy.ops.wm.open_mainfile(filepath=str(rigs_blend))
    scene = bpy.context.scene
    rig = bpy.data.objects["rig"]
    old = bpy.data.actions.new("old_walk")
    rig.animation_data_create().action = old
    take = bvh_dir / "cmu" / "131_02.bvh"
    props = scene.clapper.retarget
    props.source_kind, props.source_path, props.target = "FILE", str(take), rig
    assert bpy.ops.clapper.retarget() == {"FINISHED"}
    action = rig.animation_data.action
    assert (
        action.name == "131_02"
        and "old_walk" in bpy.data.actions
        and bpy.data.actions["old_walk"].use_fake_user
    )
    assert props.last_action == "131_02" and rig.pose.bones["thigh_parent.L"]["IK_FK"] == 1.0
    assert round(scene.render.fps / scene.render.fps_base) == 120
    source = import_bvh(bpy, take)
    from ai_engine.retarget.maps import load_preset

    src_map = load_preset("cmu_bvh")["bone_map"]
    errors = []
    for t in range(0, read_bvh(take).frame_count, 25):
        scene.frame_set(scene.frame_start + t)
        hs, ht = heads(source, src_map), heads(rig, RIGIFY_DEF)
        errors += [float(angle_between(hs[b] - hs[a], ht[b] - ht[a])) for a, b in PAIRS]
    assert np.mean(errors) < 2.0 and np.percentile(errors, 99) < 8.0


def test_rigify_fingers_follow_a_source_with_fingers(blender: Any, bvh_dir: Path, rigs_blend: Path) -> None:
    bpy = blender
    from addon.apply.action import bake_action
    from addon.rigspec_from_armature import rigspec_from_armature
    from ai_engine.retarget.solve import solve
    from ai_engine.retarget.source import load_source

    bpy.ops.wm.open_mainfile(filepath=str(rigs_blend))
    rig = bpy.data.objects["rig"]
    spec, used = rigspec_from_armature(rig)
    skeleton = load_source(bvh_dir / "other" / "bvh-python_test_freebvh.bvh")  # Mixamo names, fingers
    assert used == "rigify" and "index.02.L" in skeleton.joints
    bake_action(rig, solve(skeleton, spec, foot_lock=False), name="fingers", frame_start=1)
    fingers = {
        "thumb": "thumb",
        "index": "f_index",
        "middle": "f_middle",
        "ring": "f_ring",
        "pinky": "f_pinky",
    }
    errors = []
    for t in range(0, skeleton.frame_count, 10):
        bpy.context.scene.frame_set(1 + t)
        for ours, theirs in fingers.items():
            for s in "LR":
                a, b = (rig.pose.bones[f"DEF-{theirs}.{seg}.{s}"].head for seg in ("01", "02"))
                target = np.array(rig.matrix_world @ b) - np.array(rig.matrix_world @ a)
                source = (
                    skeleton.positions[t, skeleton.index(f"{ours}.02.{s}")]
                    - skeleton.positions[t, skeleton.index(f"{ours}.01.{s}")]
                )
                errors.append(float(angle_between(target, source)))
    assert max(errors) < 1.0


def test_bake_keeps_each_bones_rotation_mode_and_existing_actions(
    blender: Any, bvh_dir: Path, rigs_blend: Path
) -> None:
    bpy = blender
    from addon.apply.action import bake_action
    from addon.rigspec_from_armature import rigspec_from_armature
    from ai_engine.retarget.solve import solve
    from ai_engine.retarget.source import load_source

    bpy.ops.wm.open_mainfile(filepath=str(rigs_blend))
    rig = bpy.data.objects["MixamoRig"]
    spec, used = rigspec_from_armature(rig)
    assert used == "mixamo"
    anim = solve(load_source(bvh_dir / "bandai" / "dataset-1_punch_normal_001.bvh"), spec)
    quat = bake_action(rig, anim, name="as_quaternions", frame_start=5)
    bpy.context.scene.frame_set(40)
    reference = {pb.name: np.array(pb.matrix) for pb in rig.pose.bones}
    rig.pose.bones["mixamorig:LeftArm"].rotation_mode = "XZY"
    rig.pose.bones["mixamorig:Spine"].rotation_mode = "ZYX"
    rig.pose.bones["mixamorig:RightLeg"].rotation_mode = "AXIS_ANGLE"
    baked = bake_action(rig, anim, name="as_modes", frame_start=5)
    assert (baked.frame_start, baked.frame_end) == (5, 5 + anim.frame_count - 1)
    # Two Euler bones lose a channel each; the root adds three location channels.
    assert baked.keys == anim.frame_count * (4 * len(anim.bones) - 2 + 3)
    bpy.context.scene.frame_set(40)
    for name, matrix in reference.items():
        assert np.abs(np.array(rig.pose.bones[name].matrix) - matrix).max() < 1e-3, name
    assert quat.action in bpy.data.actions and bpy.data.actions[quat.action].use_fake_user
    assert len(bpy.data.actions) == 2


def test_armature_source_retargets_like_the_file(blender: Any, bvh_dir: Path, rigs_blend: Path) -> None:
    bpy = blender
    bpy.ops.wm.open_mainfile(filepath=str(rigs_blend))
    take = bvh_dir / "bandai" / "dataset-1_run_normal_001.bvh"
    source = import_bvh(bpy, take)
    props = bpy.context.scene.clapper.retarget
    props.source_kind, props.source_armature, props.target = "ARMATURE", source, bpy.data.objects["MixamoRig"]
    assert bpy.ops.clapper.retarget() == {"FINISHED"}
    rig = bpy.data.objects["MixamoRig"]
    names = {j: b for j, b in zip(("upper_arm.L", "forearm.L", "thigh.R", "shin.R"), ("mixamorig:LeftArm", "mixamorig:LeftForeArm", "mixamorig:RightUpLeg", "mixamorig:RightLeg"), strict=True)}  # fmt: skip
    src_names = {
        "upper_arm.L": "UpperArm_L",
        "forearm.L": "LowerArm_L",
        "thigh.R": "UpperLeg_R",
        "shin.R": "LowerLeg_R",
    }
    bpy.context.scene.frame_set(bpy.context.scene.frame_start + 10)
    ht, hs = heads(rig, names), heads(source, src_names)
    tt = {j: np.array(rig.matrix_world @ rig.pose.bones[b].tail) for j, b in names.items()}
    ts = {j: np.array(source.matrix_world @ source.pose.bones[b].tail) for j, b in src_names.items()}
    for j in names:
        assert float(angle_between(tt[j] - ht[j], ts[j] - hs[j])) < 1.0, j


def snapshot(bpy: Any, obj: Any) -> dict[str, Any]:
    ad = obj.animation_data
    return {
        "actions": sorted(a.name for a in bpy.data.actions),
        "active": ad.action.name if ad and ad.action else None,
        "pose": [tuple(pb.rotation_quaternion) for pb in obj.pose.bones],
    }


def test_bad_targets_are_refused_and_change_nothing(
    blender: Any, bvh_dir: Path, rigs_blend: Path, tmp_path: Path
) -> None:
    bpy = blender
    from addon.rigspec_from_armature import check_target

    bpy.ops.wm.open_mainfile(filepath=str(rigs_blend))
    props = bpy.context.scene.clapper.retarget
    props.source_kind, props.source_path = "FILE", str(bvh_dir / "cmu" / "131_03.bvh")
    rig = bpy.data.objects["MixamoRig"]
    rig.animation_data_create().action = bpy.data.actions.new("keep_me")
    before = snapshot(bpy, rig)
    # Not an armature.
    mesh = bpy.data.objects.new("Cube", bpy.data.meshes.new("Cube"))
    bpy.context.collection.objects.link(mesh)
    with pytest.raises(BadRig, match="not an armature"):
        check_target(mesh)
    props.target = mesh
    with pytest.raises(RuntimeError, match="not an armature"):  # the operator reports the error
        bpy.ops.clapper.retarget()
    # Missing mapped bones: the error lists them and the panel's map shows them.
    rig.data.bones["mixamorig:LeftForeArm"].name = "forearm_left"
    rig.data.bones["mixamorig:Neck"].name = "neck_bone"
    props.target, props.map_preset = rig, "mixamo"
    props.bone_map.clear()
    with pytest.raises(RuntimeError, match="lacks mapped bones: mixamorig:LeftForeArm, mixamorig:Neck"):
        bpy.ops.clapper.retarget()
    assert props.missing_bones == "mixamorig:LeftForeArm, mixamorig:Neck"
    assert {i.joint: i.bone for i in props.bone_map}["forearm.L"] == "mixamorig:LeftForeArm"
    # Non-uniform scale.
    rig.scale = (0.01, 0.02, 0.01)
    bpy.context.view_layer.update()
    with pytest.raises(BadRig, match="non-uniform"):
        check_target(rig)
    with pytest.raises(RuntimeError, match="non-uniform"):
        bpy.ops.clapper.retarget()
    rig.scale = (0.01, 0.01, 0.01)
    # A corrupt motion: the job fails in the worker and nothing changes.
    broken = tmp_path / "broken.bvh"
    text = (bvh_dir / "cmu" / "131_03.bvh").read_text().splitlines()
    text[-5] = "not numbers"
    broken.write_text("\n".join(text))
    for item in props.bone_map:  # the user fixes the map in the panel's list
        item.bone = {"mixamorig:LeftForeArm": "forearm_left", "mixamorig:Neck": "neck_bone"}.get(
            item.bone, item.bone
        )
    props.source_path = str(broken)
    with pytest.raises(RuntimeError, match=r"broken.bvh, line \d+"):
        bpy.ops.clapper.retarget()
    after = snapshot(bpy, rig)
    assert after == before
    props.source_path = str(bvh_dir / "cmu" / "131_03.bvh")  # with the fixed map, it works
    assert bpy.ops.clapper.retarget() == {"FINISHED"}
    assert rig.animation_data.action.name == "131_03" and "keep_me" in bpy.data.actions
    # A linked (library) armature.
    library = tmp_path / "library.blend"
    bpy.data.libraries.write(str(library), {rig}, fake_user=True)
    with bpy.data.libraries.load(str(library), link=True) as (_src, dst):
        dst.objects = ["MixamoRig"]
    linked = next(o for o in bpy.data.objects if o.library is not None)
    with pytest.raises(BadRig, match="linked"):
        check_target(linked)


def test_batch_verb_writes_the_action_at_frame_start_with_the_sources_rate(
    blender: Any, bvh_dir: Path, rigs_blend: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bpy = blender
    from addon.batch.retarget import PRESET_NAMES
    from addon.cli import main
    from ai_engine.retarget import maps

    assert PRESET_NAMES == maps.PRESET_NAMES  # the verb lists them without importing the engine

    take = bvh_dir / "bandai" / "dataset-1_walk_normal_001.bvh"
    out, bvh_out = tmp_path / "out.blend", tmp_path / "out.bvh"
    bpy.ops.wm.open_mainfile(filepath=str(rigs_blend))
    bpy.context.scene.frame_start = 11
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "rigs11.blend"))
    args = [
        "retarget",
        "--source",
        str(take),
        "--target",
        str(tmp_path / "rigs11.blend"),
        "--armature",
        "MixamoRig",
    ]
    assert main([*args, "--blend", str(out), "--bvh-out", str(bvh_out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    motion = read_bvh(take)
    assert summary["action"] == "dataset-1_walk_normal_001"
    assert (summary["frame_start"], summary["frame_end"]) == (11, 11 + motion.frame_count - 1)
    bpy.ops.wm.open_mainfile(filepath=str(out))
    scene = bpy.context.scene
    assert scene.render.fps / scene.render.fps_base == pytest.approx(motion.fps, rel=1e-5)
    rig = bpy.data.objects["MixamoRig"]
    assert rig.animation_data.action.name == summary["action"]
    pose = motion.pose()
    i = 100  # source frame i lands on scene frame frame_start + i
    scene.frame_set(11 + i)
    arm, fore = (motion.names.index(n) for n in ("UpperArm_L", "LowerArm_L"))
    target = np.array(rig.matrix_world @ rig.pose.bones["mixamorig:LeftForeArm"].head) - np.array(
        rig.matrix_world @ rig.pose.bones["mixamorig:LeftArm"].head
    )
    assert float(angle_between(target, pose.heads[i, fore] - pose.heads[i, arm])) < 1.0
    exported = read_bvh(bvh_out)  # the deform bones, evaluated, as BVH: re-read where Blender put them
    assert exported.frame_count == motion.frame_count and "mixamorig:LeftArm" in exported.names
    placed = exported.pose().heads[i, exported.names.index("mixamorig:LeftForeArm")]
    elbow = np.array(rig.matrix_world @ rig.pose.bones["mixamorig:LeftForeArm"].head)
    assert np.abs(placed - elbow).max() < 1e-4
    # Zero frames: the verb fails with the engine's message and writes nothing.
    text = take.read_text()
    empty = tmp_path / "empty.bvh"
    empty.write_text(text[: text.index("MOTION")] + "MOTION\nFrames: 0\nFrame Time: 0.0333333\n")
    assert main([*args[:2], str(empty), *args[3:], "--blend", str(tmp_path / "no.blend"), "--json"]) == 1
    assert "zero frames" in capsys.readouterr().out
    assert not (tmp_path / "no.blend").exists()


def blender_43(data_dir: Path) -> Path:
    """The shared tool that runs a real Blender 4.3 binary (in a chroot), or skip."""
    tool = data_dir.parent / "tools" / "blender-gui" / "blender-gui.sh"
    chroot = Path(os.environ.get("TARGET", "/tmp/blender-gui-chroot"))
    if not tool.exists() or not (chroot / "usr" / "bin" / "blender").exists() or os.geteuid() != 0:
        pytest.skip(f"no Blender 4.3 here (build it with {tool} build, as root)")
    return tool


def test_blender_4_3_bakes_through_the_legacy_action_api(
    data_dir: Path, bvh_dir: Path, tmp_path: Path
) -> None:
    """The 4.2–4.3 fallback (Action.fcurves, no layered actions) in a real Blender 4.3 binary."""
    tool = blender_43(data_dir)
    take = bvh_dir / "bandai" / "dataset-1_walk_normal_001.bvh"
    script = ROOT / "tests" / "gui" / "retarget_legacy_check.py"
    proc = subprocess.run(
        [str(tool), "run", "--mount", str(ROOT), "--mount", str(tmp_path), "--ro", str(data_dir), "--",
         "-b", "--factory-startup", "--python", str(script), "--", str(ROOT), str(take), str(tmp_path)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    report = tmp_path / "result_legacy.json"
    assert report.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads(report.read_text())
    assert "error" not in result, result["error"]
    assert result["version"][:2] == [4, 3] and result["code"] == 0
    assert result["layered"] is False and result["fcurves"] == 4 * 21 + 3
    assert result["action"] == "dataset-1_walk_normal_001" and result["keep_me"] is True
    assert result["fps"] == pytest.approx(read_bvh(take).fps, rel=1e-5)
    assert result["max_error"] < 0.5


def test_modal_retarget_in_a_real_window_is_one_undo_step(
    data_dir: Path, bvh_dir: Path, tmp_path: Path
) -> None:
    tool = blender_43(data_dir)
    take = bvh_dir / "bandai" / "dataset-1_kick_normal_001.bvh"
    result_path = tmp_path / "modal.json"
    proc = subprocess.run(
        [str(tool), "run", "--xvfb", "--mount", str(ROOT), "--mount", str(tmp_path), "--ro", str(data_dir), "--",
         "--factory-startup", "--enable-event-simulate", "--python", str(ROOT / "tests" / "gui" / "retarget_modal_check.py"),
         "--", str(ROOT), str(take), str(result_path)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result_path.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads(result_path.read_text())
    assert "timeout" not in result, result["events"][-3:]
    assert result["invoke"] == ["RUNNING_MODAL"]  # the window stayed live while the worker solved
    assert any(running for _, running, _, _ in result["events"])
    assert result["action"] == "dataset-1_kick_normal_001"
    assert result["actions"] == ["dataset-1_kick_normal_001", "previous"]
    assert result["action_after_undo"] == "previous" and result["actions_after_undo"] == ["previous"]
