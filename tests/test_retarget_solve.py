"""The solver on real mocap: exact directions across rest poses, rolls, proportions and object
transforms; foot locking; positions-only sources; cancel; bad rigs; the worker job.

Targets here are RigSpecs built without Blender (a BVH skeleton as a rig, and the Mixamo-like rig's
bone table with random rolls under an FBX-like object transform). Rigify, with its constraints
evaluated by Blender, is tested in test_retarget_blender.py.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from ai_engine.contract import BadRequest
from ai_engine.errors import BadMotionFile, BadRig, Cancelled
from ai_engine.retarget.animation import BoneAnimation
from ai_engine.retarget.bvh import read_bvh
from ai_engine.retarget.contract import RETARGET, RetargetRequest
from ai_engine.retarget.fk import pose_matrices
from ai_engine.retarget.maps import BoneMap, choose_map, fit_preset, load_preset
from ai_engine.retarget.quat import angle_between, quat_to_matrix
from ai_engine.retarget.rigspec import RigSpec
from ai_engine.retarget.sample_motion import mixamo_like_bones
from ai_engine.retarget.skeleton import SkeletonAnimation
from ai_engine.retarget.solve import solve
from ai_engine.retarget.source import load_source
from ai_engine.worker import JobContext, run_job

SEGMENTS = [(f"{a}.{s}", f"{b}.{s}") for s in "LR" for a, b in (("upper_arm", "forearm"), ("forearm", "hand"), ("thigh", "shin"), ("shin", "foot"))]  # fmt: skip
SEGMENTS += [("spine", "chest"), ("neck", "head")]


@pytest.fixture(scope="module")
def bvh_dir(data_dir: Path) -> Path:
    path = data_dir / "mocap" / "bvh"
    if not path.is_dir():
        pytest.skip(f"{path} is missing")
    return path


def rig_from_bvh(path: Path) -> RigSpec:
    """A target shaped like a BVH skeleton as Blender imports it (its own proportions, rolls 0)."""
    motion = read_bvh(path)
    heads, tails, rot = motion.rest()
    pose = motion.pose()
    preset, _ = choose_map(motion.names, motion.parents, pose.heads[0], pose.tails[0])
    parents = [motion.names[p] if p >= 0 else None for p in motion.parents]
    return RigSpec(path.stem, motion.names, parents, heads, tails, rest_matrices=quat_to_matrix(rot), bone_map=preset.bone_map)  # fmt: skip


def mixamo_rig(arm_down_deg: float = 40.0, seed: int = 3) -> RigSpec:
    """The Mixamo-like rig: A-pose, random rolls, Y-up data under a 90° X rotation and 0.01 scale."""
    bones = mixamo_like_bones(arm_down_deg)
    rolls = np.random.default_rng(seed).uniform(-math.pi, math.pi, len(bones))
    obj = np.diag([0.01, 0.01, 0.01, 1.0])
    c, s = math.cos(math.pi / 2), math.sin(math.pi / 2)
    obj[:3, :3] = np.array([[1, 0, 0], [0, c, -s], [0, s, c]]) * 0.01
    obj[:3, 3] = (0.5, -1.0, 0.0)
    return RigSpec(
        "Mixamo", [b[0] for b in bones], [b[1] for b in bones], [b[2] for b in bones], [b[3] for b in bones],
        rolls=rolls, bone_map=fit_preset(load_preset("mixamo"), [b[0] for b in bones])[0].bone_map,
        object_matrix=obj,
    )  # fmt: skip


def direction_errors(skeleton: SkeletonAnimation, rig: RigSpec, anim: BoneAnimation) -> np.ndarray:
    """Angle (°) between source and target world directions of the measured segments, all frames."""
    pose = pose_matrices(rig, anim)
    rot = rig.object_matrix[:3, :3]
    errors = []
    for a, b in SEGMENTS:
        if a not in rig.bone_map or b not in rig.bone_map or a not in skeleton.joints:
            continue
        target = pose[:, rig.index(rig.bone_map[b]), :3, 3] - pose[:, rig.index(rig.bone_map[a]), :3, 3]
        source = skeleton.positions[:, skeleton.index(b)] - skeleton.positions[:, skeleton.index(a)]
        errors.append(angle_between(target @ rot.T, source))
    return np.concatenate(errors)


def test_cmu_onto_itself_is_exact_and_keeps_root_motion(bvh_dir: Path) -> None:
    path = bvh_dir / "cmu" / "131_01.bvh"
    skeleton, rig = load_source(path), rig_from_bvh(path)
    anim = solve(skeleton, rig, foot_lock=False)
    assert direction_errors(skeleton, rig, anim).max() < 1e-3
    assert anim.meta["leg_ratio"] == pytest.approx(1.0)
    hips = pose_matrices(rig, anim)[:, rig.index("Hips"), :3, 3]
    travel = skeleton.positions[:, 0] - skeleton.positions[0, 0]
    np.testing.assert_allclose(hips[:, :2] - hips[0, :2], travel[:, :2], atol=1e-6)


@pytest.mark.parametrize(
    ("source", "target"),
    [("bandai/dataset-1_dance-short_normal_001.bvh", "cmu/131_02.bvh"), ("cmu/131_03.bvh", "other/bvh-python_test_freebvh.bvh")],
)  # fmt: skip
def test_across_skeletons_directions_match_exactly(bvh_dir: Path, source: str, target: str) -> None:
    skeleton, rig = load_source(bvh_dir / source), rig_from_bvh(bvh_dir / target)
    anim = solve(skeleton, rig, foot_lock=False)
    assert direction_errors(skeleton, rig, anim).max() < 0.01


def test_a_pose_rolls_and_fbx_object_transform_do_not_bend_the_result(bvh_dir: Path) -> None:
    skeleton = load_source(bvh_dir / "cmu" / "131_02.bvh")
    for arm_down in (0.0, 45.0):  # T-pose and A-pose rests give the same world directions
        rig = mixamo_rig(arm_down)
        anim = solve(skeleton, rig, foot_lock=False)
        assert direction_errors(skeleton, rig, anim).max() < 0.01


def test_twist_follows_the_source_bone_rotation(bvh_dir: Path) -> None:
    # With twist carried, the target forearm's world rotation since rest equals the source's.
    path = bvh_dir / "cmu" / "131_01.bvh"
    skeleton, rig = load_source(path), rig_from_bvh(path)
    anim = solve(skeleton, rig, foot_lock=False)
    pose = pose_matrices(rig, anim)
    k = rig.index("LeftElbow")
    target = pose[:, k, :3, :3]
    source = quat_to_matrix(skeleton.rotations[:, skeleton.index("forearm.L")])
    assert np.abs(target - source).max() < 1e-6


def test_foot_lock_stops_sliding_and_keeps_directions_close(bvh_dir: Path) -> None:
    skeleton = load_source(bvh_dir / "bandai" / "dataset-1_dance-short_normal_001.bvh")
    rig = mixamo_rig()
    free = solve(skeleton, rig, foot_lock=False)
    locked = solve(skeleton, rig, foot_lock=True)
    assert locked.contacts is not None and locked.contacts.any(axis=0).all()

    def slide(anim: BoneAnimation) -> float:
        feet = pose_matrices(rig, anim)[
            :, [rig.index("mixamorig:LeftFoot"), rig.index("mixamorig:RightFoot")]
        ][..., :3, 3]
        world = feet @ rig.object_matrix[:3, :3].T
        src = np.stack([skeleton.positions[:, skeleton.index(f"foot.{s}")] for s in "LR"], axis=1)
        step_t = np.linalg.norm(np.diff(world[..., :2], axis=0), axis=-1)
        step_s = np.linalg.norm(np.diff(src[..., :2], axis=0), axis=-1) * anim.meta["leg_ratio"]
        planted = locked.contacts[1:] & locked.contacts[:-1]
        return float(np.clip(step_t - step_s, 0, None)[planted].sum())

    leg = 0.92  # the Mixamo-like rig's hip-to-ankle length in metres
    assert slide(locked) / leg < 0.01 < slide(free) / leg
    errors = direction_errors(skeleton, rig, locked)
    assert errors.mean() < 0.5 and np.percentile(errors, 99) < 8.0


def test_positions_only_source_still_matches_directions(bvh_dir: Path) -> None:
    full = load_source(bvh_dir / "cmu" / "131_03.bvh")
    captured = SkeletonAnimation(
        joints=full.joints, fps=full.fps, positions=full.positions, source_name="cap"
    )
    rig = mixamo_rig()
    anim = solve(captured, rig, foot_lock=False)
    assert direction_errors(captured, rig, anim).max() < 0.05


def test_positions_only_thigh_twist_comes_from_the_knee_plane(bvh_dir: Path) -> None:
    # On a walk, the twist found from the hip-knee-ankle plane agrees with the twist carried by the
    # source's own rotations (two independent ways to the same answer).
    full = load_source(bvh_dir / "cmu" / "131_02.bvh")
    captured = SkeletonAnimation(joints=full.joints, fps=full.fps, positions=full.positions)
    rig = mixamo_rig()
    with_rotations = pose_matrices(rig, solve(full, rig, foot_lock=False))
    from_planes = pose_matrices(rig, solve(captured, rig, foot_lock=False))
    for bone in ("mixamorig:LeftUpLeg", "mixamorig:RightUpLeg", "mixamorig:LeftLeg"):
        k = rig.index(bone)
        twist = angle_between(with_rotations[:, k, :3, 0], from_planes[:, k, :3, 0])
        assert twist.mean() < 5.0, bone


def test_positions_only_hand_twist_comes_from_the_palm(bvh_dir: Path) -> None:
    # Knuckles (e.g. MediaPipe's hand landmarks) give the palm's plane: the hand turns exactly as the
    # source's own rotations say, on a target with the same skeleton.
    path = bvh_dir / "other" / "bvh-python_test_freebvh.bvh"
    full, rig = load_source(path), rig_from_bvh(path)
    captured = SkeletonAnimation(joints=full.joints, fps=full.fps, positions=full.positions)
    with_rotations = pose_matrices(rig, solve(full, rig, foot_lock=False))
    from_palm = pose_matrices(rig, solve(captured, rig, foot_lock=False))
    for bone in ("mixamorig:LeftHand", "mixamorig:RightHand"):
        k = rig.index(bone)
        assert np.abs(with_rotations[:, k, :3, :3] - from_palm[:, k, :3, :3]).max() < 1e-3, bone


def test_progress_and_cancel(bvh_dir: Path) -> None:
    skeleton, rig = load_source(bvh_dir / "cmu" / "131_01.bvh"), mixamo_rig()
    seen: list[float] = []
    solve(skeleton, rig, progress=lambda f, m: seen.append(f))
    assert seen == sorted(seen) and seen[-1] >= 0.8
    with pytest.raises(Cancelled):
        solve(skeleton, rig, should_stop=lambda: True)


def test_bad_rigs_and_empty_motion_are_refused(bvh_dir: Path) -> None:
    skeleton = load_source(bvh_dir / "bandai" / "dataset-1_run_normal_001.bvh")
    rig = mixamo_rig()
    broken = rig.with_map(
        BoneMap(bone_map={**rig.bone_map, "head": "mixamorig:Skull", "neck": "mixamorig:Nape"})
    )
    with pytest.raises(BadRig) as info:
        solve(skeleton, broken)
    assert info.value.missing_bones == ["mixamorig:Nape", "mixamorig:Skull"]
    assert "mixamorig:Nape, mixamorig:Skull" in str(info.value)
    squashed = RigSpec.from_dict({**rig.to_dict(), "object_matrix": np.diag([1.0, 2.0, 1.0, 1.0]).tolist()})
    with pytest.raises(BadRig, match="non-uniform"):
        solve(skeleton, squashed)
    empty = SkeletonAnimation(
        joints=skeleton.joints, fps=30.0, positions=np.zeros((0, len(skeleton.joints), 3))
    )
    with pytest.raises(BadMotionFile, match="zero frames"):
        solve(empty, rig)


def test_files_round_trip(bvh_dir: Path, tmp_path: Path) -> None:
    skeleton, rig = load_source(bvh_dir / "bandai" / "dataset-1_run_normal_001.bvh"), mixamo_rig()
    again = SkeletonAnimation.load(skeleton.save(tmp_path / "s.npz"))
    np.testing.assert_array_equal(again.positions, skeleton.positions)
    assert again.joints == skeleton.joints and again.rest_rotations is not None
    anim = solve(skeleton, rig)
    back = BoneAnimation.load(anim.save(tmp_path / "a.npz"))
    assert back.bones == anim.bones and back.root_bone == anim.root_bone
    np.testing.assert_allclose(back.rotations, anim.rotations, atol=1e-6)
    rig2 = RigSpec.from_dict(rig.to_dict())
    np.testing.assert_allclose(rig2.rest_matrices, rig.rest_matrices, atol=1e-7)


def test_worker_job_writes_the_animation(bvh_dir: Path, tmp_path: Path) -> None:
    rig = mixamo_rig()
    messages: list[str] = []
    ctx = JobContext(
        workdir=tmp_path,
        progress=lambda f, m: messages.append(m),
        should_stop=lambda: False,
        warn=messages.append,
    )
    result = run_job(
        RETARGET, RetargetRequest(rig=rig, source=str(bvh_dir / "cmu" / "131_03.bvh"), foot_lock=True), ctx
    )
    anim = BoneAnimation.load(result.animation)
    assert result.frames == anim.frame_count == read_bvh(bvh_dir / "cmu" / "131_03.bvh").frame_count
    assert result.source_name == "131_03" and result.root_bone == "mixamorig:Hips"
    assert result.source_map["upper_arm.L"] == "LeftShoulder"
    assert result.bones == tuple(anim.bones) and result.fps == pytest.approx(anim.fps)
    assert list(result.contacts) == anim.contacts.sum(axis=0).tolist()
    assert result.leg_ratio == pytest.approx(anim.meta["leg_ratio"])


def test_worker_job_takes_a_skeleton_file_and_a_named_map(bvh_dir: Path, tmp_path: Path) -> None:
    """A SkeletonAnimation .npz source (armatures, captures) and a preset replacing the rig's map."""
    skeleton = load_source(bvh_dir / "cmu" / "131_03.bvh")
    saved = skeleton.save(tmp_path / "source.npz")
    rig = mixamo_rig()
    bare = RigSpec.from_dict({**rig.to_dict(), "bone_map": {}, "joint_map": {}})
    ctx = JobContext(
        workdir=tmp_path / "w", progress=lambda f, m: None, should_stop=lambda: False, warn=print
    )
    result = run_job(RETARGET, RetargetRequest(rig=bare, skeleton=str(saved), map="mixamo"), ctx)
    direct = solve(skeleton, bare.with_map(fit_preset(load_preset("mixamo"), bare.bones)[0]))
    back = BoneAnimation.load(result.animation)
    assert back.bones == direct.bones
    np.testing.assert_allclose(back.rotations, direct.rotations, atol=1e-5)


def test_retarget_request_refuses_what_cannot_run() -> None:
    rig = mixamo_rig()
    with pytest.raises(BadRequest, match="exactly one"):
        RetargetRequest(rig=rig)
    with pytest.raises(BadRequest, match="exactly one"):
        RetargetRequest(rig=rig, source="a.bvh", skeleton="a.npz")
    with pytest.raises(BadRequest, match="Unknown bone map 'rigfy'"):
        RetargetRequest(rig=rig, source="a.bvh", map="rigfy")
    with pytest.raises(BadRequest, match="needs 'rig'"):
        RetargetRequest.from_dict({"source": "a.bvh"})
    with pytest.raises(BadRequest, match="foot_lock must be true or false"):
        RetargetRequest.from_dict({"rig": rig.to_dict(), "source": "a.bvh", "foot_lock": "yes"})
    with pytest.raises(BadRig, match="Not a Clapper rig description"):
        RetargetRequest.from_dict({"rig": {"bones": ["a"]}, "source": "a.bvh"})


def test_gaps_and_unobserved_joints_in_captured_motion(bvh_dir: Path) -> None:
    full = load_source(bvh_dir / "cmu" / "131_03.bvh")
    positions = full.positions.copy()
    valid = np.ones(positions.shape[:2], dtype=bool)
    valid[100:130, full.index("hand.L")] = False  # a gap: filled from both sides
    positions[:, full.index("head")] = np.nan  # never seen: left at rest
    captured = SkeletonAnimation(joints=full.joints, fps=full.fps, positions=positions, valid=valid)
    rig = mixamo_rig()
    anim = solve(captured, rig)
    assert np.isfinite(anim.rotations).all() and np.isfinite(anim.root_location).all()
    assert "mixamorig:Head" not in anim.bones
    errors = direction_errors(full, rig, solve(captured, rig, foot_lock=False))
    assert np.isfinite(errors).all()
