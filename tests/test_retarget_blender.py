"""Retargeting through the real bpy module: Blender's BVH importer as the reference, bone matrices,
Rigify with its constraints evaluated (body and fingers), baking in every rotation mode."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from retarget_fixtures import bvh_dir, heads, import_bvh, rigs_blend

from ai_engine.retarget.bvh import read_bvh
from ai_engine.retarget.quat import angle_between, quat_to_matrix
from ai_engine.retarget.rigspec import bone_matrices

ROOT = Path(__file__).resolve().parents[1]
__all__ = ["bvh_dir", "rigs_blend"]  # fixtures used by name
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

    src_map = load_preset("cmu_bvh").bone_map
    errors = []
    for t in range(0, read_bvh(take).frame_count, 25):
        scene.frame_set(scene.frame_start + t)
        hs, ht = heads(source, src_map), heads(rig, RIGIFY_DEF)
        errors += [float(angle_between(hs[b] - hs[a], ht[b] - ht[a])) for a, b in PAIRS]
    assert np.mean(errors) < 2.0 and np.percentile(errors, 99) < 8.0


def test_rigify_fingers_follow_a_source_with_fingers(blender: Any, bvh_dir: Path, rigs_blend: Path) -> None:
    bpy = blender
    from addon.retarget.action import bake_action
    from addon.retarget.read_rig import rigspec_from_armature
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
    from addon.retarget.action import bake_action
    from addon.retarget.read_rig import rigspec_from_armature
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
