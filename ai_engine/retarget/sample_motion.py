"""A small procedural walk cycle written as BVH, so demos and smoke tests need no downloaded mocap."""

from __future__ import annotations

import math
from pathlib import Path

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
