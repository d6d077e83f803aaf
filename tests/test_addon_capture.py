"""Capture in the add-on through the real bpy module: the operator, the shape-key helpers, the batch
verb, and a failed capture that leaves the rig, its shape keys and actions untouched."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from capture_media import CARPHONE, mocap, needs_capture_runtime, read_frames, still, write_clip

from ai_engine.capture.face import ARKIT_BLENDSHAPES
from ai_engine.capture.track import MotionTrack

FACE_KEYS = ["Basis", "eyeBlinkLeft", "EyeBlink_R", "Jaw_Open", "mouthSmile_L"]


@pytest.fixture(scope="module")
def talk_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    needs_capture_runtime()
    frames = read_frames(mocap(*CARPHONE), range(24))
    return write_clip(tmp_path_factory.mktemp("talk") / "talk.mp4", [frames[i] for i in range(24)])


@pytest.fixture(scope="module")
def empty_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    needs_capture_runtime()
    image = still(mocap("dlib_faces", "dogs.jpg"), (320, 240))
    return write_clip(tmp_path_factory.mktemp("dogs") / "dogs.mp4", [image] * 8)


def _face_mesh(bpy: Any, keys: list[str] = FACE_KEYS) -> Any:
    bpy.ops.mesh.primitive_uv_sphere_add(segments=8, ring_count=6)
    mesh = bpy.context.active_object
    mesh.name = "Face"
    for name in keys:
        mesh.shape_key_add(name=name, from_mix=False)
    return mesh


def _fcurves(action: Any) -> list[Any]:
    if hasattr(action, "layers") and len(action.layers):
        return [
            fc
            for layer in action.layers
            for strip in layer.strips
            for bag in strip.channelbags
            for fc in bag.fcurves
        ]
    return list(action.fcurves)


def _state(bpy: Any) -> dict[str, Any]:
    """Everything a capture may change."""
    return {
        "actions": sorted(a.name for a in bpy.data.actions),
        "keys": {
            o.name: [k.name for k in o.data.shape_keys.key_blocks]
            for o in bpy.data.objects
            if o.type == "MESH" and o.data.shape_keys
        },
        "assigned": {
            o.name: (o.animation_data.action.name if o.animation_data and o.animation_data.action else None)
            for o in bpy.data.objects
        },
        "range": (bpy.context.scene.frame_start, bpy.context.scene.frame_end),
    }


def test_face_goes_onto_matching_shape_keys_as_its_own_action(blender: Any, talk_clip: Path) -> None:
    bpy = blender
    mesh = _face_mesh(bpy)
    earlier = bpy.data.actions.new("earlier face")
    mesh.data.shape_keys.animation_data_create().action = earlier
    props = bpy.context.scene.clapper.capture
    props.video, props.face_mesh = str(talk_clip), mesh
    props.use_body = props.use_hands = False
    assert bpy.ops.clapper.capture() == {"FINISHED"}
    action = mesh.data.shape_keys.animation_data.action
    assert action.name == "talk Face" and earlier.use_fake_user
    curves = {fc.data_path: fc for fc in _fcurves(action)}
    assert set(curves) == {f'key_blocks["{k}"].value' for k in FACE_KEYS[1:]}
    track = MotionTrack.load(props.last_track)
    jaw = track.face_blendshapes[:, ARKIT_BLENDSHAPES.index("jawOpen")]
    keyed = np.array([k.co[1] for k in curves['key_blocks["Jaw_Open"].value'].keyframe_points])
    np.testing.assert_allclose(keyed, jaw[track.face_valid], atol=1e-6)
    missing = props.missing_shape_keys.split(", ")
    assert len(missing) == 48 and "jawOpen" not in missing and "browInnerUp" in missing
    assert "face 24/24 (neutral frame " in props.last_health and ", found)" in props.last_health


def test_missing_shape_keys_are_offered_and_created(blender: Any) -> None:
    bpy = blender
    mesh = _face_mesh(bpy, ["Basis", "jawOpen"])
    props = bpy.context.scene.clapper.capture
    props.face_mesh = mesh
    assert bpy.ops.clapper.capture_check_shape_keys() == {"FINISHED"}
    assert len(props.missing_shape_keys.split(", ")) == 51
    assert bpy.ops.clapper.capture_create_shape_keys() == {"FINISHED"}
    names = [k.name for k in mesh.data.shape_keys.key_blocks]
    assert set(ARKIT_BLENDSHAPES) <= set(names) and names.count("jawOpen") == 1
    assert props.missing_shape_keys == ""


def test_failed_capture_leaves_rig_shape_keys_and_actions_untouched(blender: Any, empty_clip: Path) -> None:
    from addon.retarget.sample_rigs import mixamo_like_rig

    bpy = blender
    rig = mixamo_like_rig()
    rig.animation_data_create().action = bpy.data.actions.new("walk")
    mesh = _face_mesh(bpy)
    before = _state(bpy)
    props = bpy.context.scene.clapper.capture
    props.video, props.target, props.face_mesh = str(empty_clip), rig, mesh
    with pytest.raises(RuntimeError, match="No person found"):  # bpy.ops raises on an ERROR report
        bpy.ops.clapper.capture()
    assert _state(bpy) == before


def test_face_only_capture_turns_the_head_bones(blender: Any, talk_clip: Path) -> None:
    from addon.retarget.sample_rigs import mixamo_like_rig

    bpy = blender
    rig = mixamo_like_rig()
    props = bpy.context.scene.clapper.capture
    props.video, props.target = str(talk_clip), rig
    props.use_body = props.use_hands = False
    assert bpy.ops.clapper.capture() == {"FINISHED"}
    action = rig.animation_data.action
    assert action.name == "talk Head"
    paths = {fc.data_path for fc in _fcurves(action)}
    assert paths == {
        'pose.bones["mixamorig:Neck"].rotation_quaternion',
        'pose.bones["mixamorig:Head"].rotation_quaternion',
    }


@pytest.mark.slow  # 4-5 s; build.py test --quick leaves it out
def test_batch_capture_body_and_face(
    blender: Any, talk_clip: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from addon.cli import main
    from addon.retarget.sample_rigs import mixamo_like_rig

    bpy = blender
    mixamo_like_rig()
    _face_mesh(bpy)
    rig_blend = tmp_path / "rig.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(rig_blend))
    out = tmp_path / "out" / "shot.blend"
    capsys.readouterr()  # drop what setting up printed ("Info: Saved as …"): only the verb's output counts
    code = main(["capture", str(talk_clip), "--target", str(rig_blend), "--armature", "MixamoRig",
                 "--face-mesh", "Face", "--blend", str(out), "--json"])  # fmt: skip
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["body_action"] == "talk Body" and summary["face_action"] == "talk Face"
    assert Path(summary["track"]).parent == out.parent and Path(summary["overlay"]).is_file()
    bpy.ops.wm.open_mainfile(filepath=str(out))
    rig = bpy.data.objects["MixamoRig"]
    assert rig.animation_data.action.name == "talk Body"
    assert len(_fcurves(rig.animation_data.action)) > 20
    assert bpy.data.objects["Face"].data.shape_keys.animation_data.action.name == "talk Face"
    assert (bpy.context.scene.frame_start, bpy.context.scene.frame_end) == (
        1,
        24,
    ) or bpy.context.scene.frame_end >= 24


@pytest.mark.slow  # a whole take through the pipeline (5-9 s); build.py test --quick leaves it out
def test_foot_contacts_are_keyed_on_the_rig_and_re_solving_respects_edits(
    blender: Any, talk_clip: Path
) -> None:
    from addon.capture.write import CONTACT_PROPERTIES, _contact_fcurve, read_contacts
    from addon.retarget.sample_rigs import mixamo_like_rig

    bpy = blender
    rig = mixamo_like_rig()
    props = bpy.context.scene.clapper.capture
    props.video, props.target, props.face_mesh = str(talk_clip), rig, None
    props.use_body, props.use_hands, props.use_face = True, False, False
    assert bpy.ops.clapper.capture() == {"FINISHED"}
    first = rig.animation_data.action
    start = bpy.context.scene.frame_start
    track = MotionTrack.load(props.last_track)
    # The contacts the solve found are keyed (constant) on the rig, one key per change.
    found = read_contacts(rig, start, track.frame_count)
    assert found == tuple(tuple(np.flatnonzero(track.foot_contacts[:, s])) for s in (0, 1))
    for prop in CONTACT_PROPERTIES:
        fc = _contact_fcurve(rig, prop, create=False)
        assert fc is not None and all(k.interpolation == "CONSTANT" for k in fc.keyframe_points)
    # The animator plants the left foot on frames 5–14 and frees the right foot everywhere.
    left = _contact_fcurve(rig, CONTACT_PROPERTIES[0], create=False)
    right = _contact_fcurve(rig, CONTACT_PROPERTIES[1], create=False)
    for fc, keys in ((left, [(start, 0.0), (start + 5, 1.0), (start + 15, 0.0)]), (right, [(start, 0.0)])):
        fc.keyframe_points.clear()
        for frame, value in keys:
            fc.keyframe_points.insert(frame, value).interpolation = "CONSTANT"
    assert bpy.ops.clapper.capture_resolve() == {"FINISHED"}
    resolved = MotionTrack.load(props.last_track)
    assert props.last_track.endswith("_resolved.npz")
    np.testing.assert_array_equal(np.flatnonzero(resolved.foot_contacts[:, 0]), np.arange(5, 15))
    assert not resolved.foot_contacts[:, 1].any()
    assert rig.animation_data.action != first and first.use_fake_user
    # The new action carries the edited contacts, ready to be edited again.
    assert read_contacts(rig, start, resolved.frame_count) == (tuple(range(5, 15)), ())


@pytest.mark.slow  # a whole take through the pipeline (5-9 s); build.py test --quick leaves it out
def test_batch_capture_from_two_calibrated_cameras(
    blender: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from capture_media import mocap

    from addon.cli import main
    from addon.retarget.sample_rigs import mixamo_like_rig

    bpy = blender
    take = ("videos_people", "pose2sim_single_person")
    clips = []
    for cam in ("cam01", "cam04"):
        frames = read_frames(mocap(*take, "videos", f"{cam}.mp4"), range(30))
        clips.append(str(write_clip(tmp_path / f"{cam}.mp4", [frames[i] for i in range(30)], fps=60.0)))
    calibration = str(mocap(*take, "calibration", "Calib.qca.txt"))
    mixamo_like_rig()
    rig_blend = tmp_path / "rig.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(rig_blend))
    out = tmp_path / "out" / "walk.blend"
    common = [
        "--target",
        str(rig_blend),
        "--armature",
        "MixamoRig",
        "--parts",
        "body",
        "--blend",
        str(out),
        "--json",
    ]
    assert main(["capture", *clips, *common]) != 0  # several videos without their calibration
    assert "--calibration" in capsys.readouterr().out
    assert main(["capture", *clips, "--calibration", calibration, "--sync", "as_filmed", *common]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [v["camera"] for v in summary["report"]["views"]] == ["cam01", "cam04"]
    assert summary["body_action"] == "cam01 Body" and summary["contact_keys"] >= 2
    track = MotionTrack.load(summary["track"])
    assert track.body_confidence is not None and (track.body_confidence > 0).sum() >= 28
    bpy.ops.wm.open_mainfile(filepath=str(out))
    rig = bpy.data.objects["MixamoRig"]
    assert rig.animation_data.action.name == "cam01 Body" and "clapper_contact_L" in rig
