"""Motion sources → ``SkeletonAnimation`` (canonical joints in Blender world axes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..errors import BadMotionFile
from ..progress import ProgressFn, StopFn, never_stop, no_progress, sub_progress
from .bvh import BvhMotion, read_bvh
from .maps import choose_map
from .quat import normalize
from .skeleton import BODY_JOINTS, FINGER_JOINTS, SkeletonAnimation


def is_upright(heads: np.ndarray, tails: np.ndarray, idx: dict[str, int]) -> bool:
    """True when a pose looks like a standing body (thighs down, spine up): usable as reference."""
    try:
        hips, neck = heads[idx["hips"]], heads[idx.get("neck", idx.get("head", idx["chest"]))]
        thigh = tails[idx["thigh.L"]] - heads[idx["thigh.L"]]
    except KeyError:
        return True
    return bool(normalize(neck - hips)[2] > 0.8 and normalize(thigh)[2] < -0.7)


def skeleton_from_bvh(
    motion: BvhMotion,
    bone_map: dict[str, str] | None = None,
    *,
    progress: ProgressFn = no_progress,
    should_stop: StopFn = never_stop,
) -> SkeletonAnimation:
    """A BVH take as canonical joints, placed where Blender's importer places them.

    Arguments:
        motion: from ``read_bvh``.
        bone_map: canonical joint → BVH joint; None picks a preset that fits or maps automatically.
        progress, should_stop: the usual callbacks.
    Returns:
        SkeletonAnimation with positions, tails, world rotations and a reference (rest) pose. When the
        file's rest pose is not a standing body (Bandai's joints all point along X at rest), frame 0
        is the reference instead.
    Raises:
        BadMotionFile: the map names joints the file lacks, or no hips.
        Cancelled: should_stop() returned True.
    """
    pose = motion.pose(sub_progress(progress, 0.0, 0.8), should_stop)
    rest_heads, rest_tails, rest_rot = motion.rest()
    names = motion.names
    if bone_map is None:
        # Map on frame 0 when the rest pose is not a body shape (topology + geometry decide).
        h0, t0 = pose.heads[0], pose.tails[0]
        preset, _ = choose_map(names, motion.parents, h0, t0)
        bone_map = preset.bone_map
    missing = sorted({b for b in bone_map.values() if b not in names})
    if missing:
        raise BadMotionFile(
            f"{Path(motion.path).name} lacks the mapped joints {', '.join(missing)}; fix the bone map."
        )
    if "hips" not in bone_map:
        raise BadMotionFile(f"{Path(motion.path).name}: no joint is mapped to 'hips'; fix the bone map.")
    order = [j for j in (*BODY_JOINTS, *FINGER_JOINTS) if j in bone_map]
    cols = [names.index(bone_map[j]) for j in order]
    idx = {j: k for k, j in enumerate(order)}
    use_rest = is_upright(rest_heads[cols], rest_tails[cols], idx)
    if use_rest:
        ref_pos, ref_rot = rest_heads[cols], rest_rot[cols]
    else:
        ref_pos, ref_rot = pose.heads[0, cols], pose.rotations[0, cols]
    progress(1.0, "skeleton ready")
    meta: dict[str, Any] = {"bone_map": dict(bone_map), "reference": "rest" if use_rest else "frame 0"}
    return SkeletonAnimation(
        joints=order,
        fps=motion.fps,
        positions=pose.heads[:, cols],
        rotations=pose.rotations[:, cols],
        source_name=Path(motion.path).stem,
        meta=meta,
        rest_positions=ref_pos,
        rest_rotations=ref_rot,
        tails=pose.tails[:, cols],
    )


def load_source(
    path: str | Path,
    bone_map: dict[str, str] | None = None,
    *,
    progress: ProgressFn = no_progress,
    should_stop: StopFn = never_stop,
) -> SkeletonAnimation:
    """Read a motion file (.bvh) as a SkeletonAnimation.

    Raises:
        BadMotionFile: unsupported extension or unreadable file.
    """
    path = Path(path)
    if path.suffix.lower() != ".bvh":
        raise BadMotionFile(f"{path.name}: only .bvh motion files are read here; export the take as BVH.")
    motion = read_bvh(path, progress=sub_progress(progress, 0.0, 0.4), should_stop=should_stop)
    return skeleton_from_bvh(
        motion, bone_map, progress=sub_progress(progress, 0.4, 1.0), should_stop=should_stop
    )
