"""``MotionTrack`` → ``SkeletonAnimation`` (canonical joints, Blender axes: Z up, metres).

MediaPipe's world landmarks are centred between the hips, so the root's travel is recovered from the
image: the hips' image motion converted to metres with the body's own size (its world torso length over
its image torso length). Depth travel is not observable from one view and is left at zero. The floor
is put under the lowest foot of the take. Fingers hang off the body's wrists, from the hands' world
landmarks (same camera axes, metres).
"""

from __future__ import annotations

import numpy as np

from ..retarget.maps import BoneMap
from ..retarget.skeleton import BODY_JOINTS, FINGER_JOINTS, FINGERS, SkeletonAnimation
from .geometry import camera_to_blender
from .landmarks import POSE
from .track import MotionTrack


def _mid(points: np.ndarray, a: str, b: str) -> np.ndarray:
    return (points[:, POSE[a]] + points[:, POSE[b]]) / 2


def _lerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    return a + (b - a) * t


def body_joints(world: np.ndarray) -> dict[str, np.ndarray]:
    """Canonical body joint positions (T, 3) from (T, 33, 3) landmarks already in Blender axes."""
    p = world
    hips = _mid(p, "left_hip", "right_hip")
    neck = _mid(p, "left_shoulder", "right_shoulder")
    ears = _mid(p, "left_ear", "right_ear")
    mouth = _mid(p, "mouth_left", "mouth_right")
    head_up = ears - mouth
    head_up /= np.maximum(np.linalg.norm(head_up, axis=1, keepdims=True), 1e-6)
    joints = {
        "hips": hips,
        "spine": _lerp(hips, neck, 0.25),
        "chest": _lerp(hips, neck, 0.6),
        "neck": neck,
        "head": _lerp(neck, ears, 0.6),
        "head_top": ears + head_up * 0.12,
    }
    for side, name in (("L", "left"), ("R", "right")):
        shoulder = p[:, POSE[f"{name}_shoulder"]]
        ankle = p[:, POSE[f"{name}_ankle"]]
        toe = p[:, POSE[f"{name}_foot_index"]]
        joints[f"shoulder.{side}"] = _lerp(neck, shoulder, 0.15)
        joints[f"upper_arm.{side}"] = shoulder
        joints[f"forearm.{side}"] = p[:, POSE[f"{name}_elbow"]]
        joints[f"hand.{side}"] = p[:, POSE[f"{name}_wrist"]]
        joints[f"hand_tip.{side}"] = _mid(p, f"{name}_index", f"{name}_pinky")
        joints[f"thigh.{side}"] = p[:, POSE[f"{name}_hip"]]
        joints[f"shin.{side}"] = p[:, POSE[f"{name}_knee"]]
        joints[f"foot.{side}"] = ankle
        joints[f"toe.{side}"] = _lerp(ankle, toe, 0.7)  # the ball of the foot
        joints[f"toe_tip.{side}"] = toe
    return joints


# Hand landmark index of each finger joint (01, 02, 03, tip).
_FINGER_LANDMARKS = {
    "thumb": (1, 2, 3, 4),
    "index": (5, 6, 7, 8),
    "middle": (9, 10, 11, 12),
    "ring": (13, 14, 15, 16),
    "pinky": (17, 18, 19, 20),
}


def root_travel(track: MotionTrack) -> np.ndarray:
    """(T, 3) Blender-axes travel of the hips recovered from the image (NaN where untracked)."""
    size = np.asarray(track.image_size, np.float64)
    image = track.body_image[..., :2].astype(np.float64) * size
    world = track.body_world.astype(np.float64)
    hips_px = _mid(image, "left_hip", "right_hip")
    torso_px = np.linalg.norm(_mid(image, "left_shoulder", "right_shoulder") - hips_px, axis=1)
    torso_m = np.linalg.norm(
        _mid(world, "left_shoulder", "right_shoulder") - _mid(world, "left_hip", "right_hip"), axis=1
    )
    ok = track.body_valid & (torso_px > 1)
    travel = np.full((track.frame_count, 3), np.nan)
    if not ok.any():
        return travel
    metres_per_pixel = float(np.median(torso_m[ok] / torso_px[ok]))
    start = hips_px[np.flatnonzero(ok)[0]]
    travel[:, 0] = (hips_px[:, 0] - start[0]) * metres_per_pixel
    travel[:, 1] = 0.0
    travel[:, 2] = -(hips_px[:, 1] - start[1]) * metres_per_pixel
    return travel


def with_finger_bones(preset: BoneMap, bone_names: list[str]) -> BoneMap:
    """``preset`` plus the finger joints of a rig that has Rigify-named finger controls.

    Body presets often map no fingers; a Rigify rig's FK finger controls are ``thumb.01.L`` and
    ``f_index.01.L`` … ``f_pinky.03.R``. Joints the preset already maps are kept as they are.
    """
    names = set(bone_names)
    bone_map = dict(preset.bone_map)
    for side in ("L", "R"):
        for finger in FINGERS:
            for segment in ("01", "02", "03"):
                joint = f"{finger}.{segment}.{side}"
                bone = f"{finger}.{segment}.{side}" if finger == "thumb" else f"f_{finger}.{segment}.{side}"
                if joint not in bone_map and bone in names:
                    bone_map[joint] = bone
    return preset.replace(bone_map=bone_map)


def track_to_skeleton(track: MotionTrack, *, with_fingers: bool = True) -> SkeletonAnimation:
    """Convert a captured track into the canonical skeleton the retarget solver reads.

    Arguments:
        with_fingers: add the finger joints (valid only where that hand was tracked).

    Returns:
        A ``SkeletonAnimation`` in Blender axes, metres; NaN and ``valid`` False where untracked.
    """
    frames = track.frame_count
    world = camera_to_blender(track.body_world.astype(np.float64))
    world = world + root_travel(track)[:, None, :]
    joints = body_joints(world)
    names = list(BODY_JOINTS)
    positions = [joints[n] for n in names]
    valid = [track.body_valid.copy() for _ in names]
    if with_fingers:
        hands = camera_to_blender(track.hands.astype(np.float64))
        for side_index, side in enumerate(("L", "R")):
            wrist = joints[f"hand.{side}"]
            hand = hands[:, side_index]
            ok = track.hands_valid[:, side_index] & track.body_valid
            for finger in FINGERS:
                for segment, landmark in zip(
                    ("01", "02", "03", "tip"), _FINGER_LANDMARKS[finger], strict=True
                ):
                    names.append(f"{finger}.{segment}.{side}")
                    positions.append(wrist + hand[:, landmark] - hand[:, 0])
                    valid.append(ok.copy())
        assert set(names[len(BODY_JOINTS) :]) == set(FINGER_JOINTS)
    stacked = np.stack(positions, axis=1)
    mask = np.stack(valid, axis=1)
    stacked[~mask] = np.nan
    feet = stacked[:, [names.index(j) for j in ("foot.L", "foot.R", "toe_tip.L", "toe_tip.R")], 2]
    if np.isfinite(feet).any():
        stacked[..., 2] -= float(np.nanpercentile(feet, 2))
    return SkeletonAnimation(
        joints=names,
        fps=track.fps,
        positions=stacked,
        valid=mask,
        source_name=track.source.rsplit("/", 1)[-1],
        meta={"frames": frames, "from": "capture"},
    )
