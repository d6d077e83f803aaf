"""A small procedural walk cycle written as BVH, so demos and smoke tests need no downloaded mocap."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

# (name, parent, offset cm in BVH axes: Y up, character facing +Z)
_SKELETON: list[tuple[str, str | None, tuple[float, float, float]]] = [
    ("Hips", None, (0.0, 95.0, 0.0)),
    ("Spine", "Hips", (0.0, 12.0, 0.0)),
    ("Chest", "Spine", (0.0, 20.0, 0.0)),
    ("Neck", "Chest", (0.0, 22.0, 0.0)),
    ("Head", "Neck", (0.0, 10.0, 0.0)),
    ("LeftShoulder", "Chest", (4.0, 18.0, 0.0)),
    ("LeftArm", "LeftShoulder", (13.0, 0.0, 0.0)),
    ("LeftForeArm", "LeftArm", (27.0, 0.0, 0.0)),
    ("LeftHand", "LeftForeArm", (25.0, 0.0, 0.0)),
    ("RightShoulder", "Chest", (-4.0, 18.0, 0.0)),
    ("RightArm", "RightShoulder", (-13.0, 0.0, 0.0)),
    ("RightForeArm", "RightArm", (-27.0, 0.0, 0.0)),
    ("RightHand", "RightForeArm", (-25.0, 0.0, 0.0)),
    ("LeftUpLeg", "Hips", (9.0, -3.0, 0.0)),
    ("LeftLeg", "LeftUpLeg", (0.0, -42.0, 0.0)),
    ("LeftFoot", "LeftLeg", (0.0, -42.0, 0.0)),
    ("LeftToeBase", "LeftFoot", (0.0, -7.0, 12.0)),
    ("RightUpLeg", "Hips", (-9.0, -3.0, 0.0)),
    ("RightLeg", "RightUpLeg", (0.0, -42.0, 0.0)),
    ("RightFoot", "RightLeg", (0.0, -42.0, 0.0)),
    ("RightToeBase", "RightFoot", (0.0, -7.0, 12.0)),
]
_ENDS = {"Head": (0.0, 18.0, 0.0), "LeftHand": (15.0, 0.0, 0.0), "RightHand": (-15.0, 0.0, 0.0),
         "LeftToeBase": (0.0, 0.0, 8.0), "RightToeBase": (0.0, 0.0, 8.0)}  # fmt: skip


def _pose(t: float) -> dict[str, tuple[float, float, float]]:
    """Z, X, Y rotation in degrees per joint at time t (s): a 1 Hz stride."""
    w = 2.0 * math.pi * t
    s, c = math.sin(w), math.cos(w)
    rot = {name: (0.0, 0.0, 0.0) for name, _, _ in _SKELETON}
    rot["LeftUpLeg"] = (0.0, -25.0 * s, 0.0)
    rot["RightUpLeg"] = (0.0, 25.0 * s, 0.0)
    rot["LeftLeg"] = (0.0, 30.0 * max(0.0, c) + 5.0, 0.0)
    rot["RightLeg"] = (0.0, 30.0 * max(0.0, -c) + 5.0, 0.0)
    rot["LeftArm"] = (-70.0, 0.0, 20.0 * s)
    rot["RightArm"] = (70.0, 0.0, -20.0 * s)
    rot["LeftForeArm"] = (0.0, 0.0, 15.0)
    rot["RightForeArm"] = (0.0, 0.0, -15.0)
    rot["Spine"] = (0.0, 3.0, 4.0 * s)
    rot["Hips"] = (0.0, 0.0, -5.0 * s)
    return rot


def write_sample_walk(path: str | Path, *, seconds: float = 3.0, fps: int = 30) -> Path:
    """Write the walk cycle as a BVH file (CMU-like names, centimetres) and return its path."""
    lines = ["HIERARCHY"]
    children: dict[str | None, list[str]] = {}
    for name, parent, _ in _SKELETON:
        children.setdefault(parent, []).append(name)
    offsets = {name: off for name, _, off in _SKELETON}

    def emit(name: str, depth: int) -> None:
        pad = "  " * depth
        lines.append(f"{pad}{'ROOT' if depth == 0 else 'JOINT'} {name}")
        lines.append(f"{pad}{{")
        lines.append(f"{pad}  OFFSET {offsets[name][0]:.4f} {offsets[name][1]:.4f} {offsets[name][2]:.4f}")
        chans = "6 Xposition Yposition Zposition" if depth == 0 else "3"
        lines.append(f"{pad}  CHANNELS {chans} Zrotation Xrotation Yrotation")
        for child in children.get(name, []):
            emit(child, depth + 1)
        if name in _ENDS:
            e = _ENDS[name]
            lines.extend(
                [f"{pad}  End Site", f"{pad}  {{", f"{pad}    OFFSET {e[0]} {e[1]} {e[2]}", f"{pad}  }}"]
            )
        lines.append(f"{pad}}}")

    emit("Hips", 0)
    frames = int(seconds * fps)
    lines += ["MOTION", f"Frames: {frames}", f"Frame Time: {1.0 / fps:.6f}"]
    for f in range(frames):
        t = f / fps
        pose = _pose(t)
        row = [0.0, 95.0 + 2.0 * abs(math.sin(2 * math.pi * t)), 110.0 * t]
        for name, _, _ in _SKELETON:
            row += list(pose[name])
        lines.append(" ".join(f"{v:.4f}" for v in row))
    path = Path(path)
    path.write_text("\n".join(lines) + "\n")
    return path


def mixamo_like_bones(
    arm_down_deg: float,
) -> list[tuple[str, str | None, tuple[float, ...], tuple[float, ...]]]:
    """(name, parent, head, tail) of a Mixamo-named body: Y-up centimetres facing +Z, like an FBX import.

    The arms hang ``arm_down_deg`` below horizontal (A-pose); proportions differ from Blender's metarig.
    """
    p = "mixamorig:"
    bones: list[tuple[str, str | None, tuple[float, ...], tuple[float, ...]]] = [
        (f"{p}Hips", None, (0, 104, 0), (0, 114, 1)),
        (f"{p}Spine", f"{p}Hips", (0, 114, 1), (0, 126, 0)),
        (f"{p}Spine1", f"{p}Spine", (0, 126, 0), (0, 139, -1)),
        (f"{p}Spine2", f"{p}Spine1", (0, 139, -1), (0, 153, -1)),
        (f"{p}Neck", f"{p}Spine2", (0, 153, -1), (0, 163, 1)),
        (f"{p}Head", f"{p}Neck", (0, 163, 1), (0, 181, 2)),
        (f"{p}HeadTop_End", f"{p}Head", (0, 181, 2), (0, 190, 2)),
    ]
    down = math.radians(arm_down_deg)
    for side, sx in (("Left", 1.0), ("Right", -1.0)):
        sh = (sx * 5.0, 149.0, -1.0)
        arm = (sx * 17.0, 148.0, -2.0)
        direction = np.array([sx * math.cos(down), -math.sin(down), 0.0])
        elbow = tuple(np.array(arm) + 26.0 * direction)
        wrist = tuple(np.array(elbow) + 24.0 * direction)
        hand_end = tuple(np.array(wrist) + 9.0 * direction)
        bones += [
            (f"{p}{side}Shoulder", f"{p}Spine2", sh, arm),
            (f"{p}{side}Arm", f"{p}{side}Shoulder", arm, elbow),
            (f"{p}{side}ForeArm", f"{p}{side}Arm", elbow, wrist),
            (f"{p}{side}Hand", f"{p}{side}ForeArm", wrist, hand_end),
        ]
        hip = (sx * 10.0, 100.0, 0.0)
        knee = (sx * 11.0, 54.0, 1.5)
        ankle = (sx * 11.5, 8.0, -1.0)
        ball = (sx * 12.0, 1.5, 12.0)
        toe = (sx * 12.0, 1.5, 20.0)
        bones += [
            (f"{p}{side}UpLeg", f"{p}Hips", hip, knee),
            (f"{p}{side}Leg", f"{p}{side}UpLeg", knee, ankle),
            (f"{p}{side}Foot", f"{p}{side}Leg", ankle, ball),
            (f"{p}{side}ToeBase", f"{p}{side}Foot", ball, toe),
        ]
    return bones
