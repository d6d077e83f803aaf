"""BVH reader on the real mocap files (CMU, Bandai Namco, others) and on broken copies of them.

Agreement with Blender's own importer is checked in test_retarget_blender.py (that file uses bpy).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ai_engine.errors import BadMotionFile, Cancelled
from ai_engine.retarget.bvh import BVH_TO_BLENDER, read_bvh
from ai_engine.retarget.quat import euler_to_matrix


@pytest.fixture(scope="module")
def bvh_dir(data_dir: Path) -> Path:
    path = data_dir / "mocap" / "bvh"
    if not path.is_dir():
        pytest.skip(f"{path} is missing")
    return path


def all_takes(bvh_dir: Path) -> list[Path]:
    return sorted(bvh_dir.glob("*/*.bvh"))


def test_every_real_file_reads_with_its_declared_frames(bvh_dir: Path) -> None:
    takes = all_takes(bvh_dir)
    assert len(takes) >= 15
    for path in takes:
        motion = read_bvh(path)
        assert motion.frame_count == motion.meta["declared_frames"], path.name
        assert motion.fps > 20
        pose = motion.pose()
        assert pose.heads.shape == (motion.frame_count, len(motion.joints), 3)
        assert np.isfinite(pose.heads).all() and np.isfinite(pose.rotations).all()
        np.testing.assert_allclose(np.linalg.norm(pose.rotations, axis=-1), 1.0, atol=1e-9)


def test_bandai_position_channels_on_every_joint_replace_the_offsets(bvh_dir: Path) -> None:
    motion = read_bvh(bvh_dir / "bandai" / "dataset-1_walk_normal_001.bvh")
    assert all(len(j.channels) == 6 for j in motion.joints)
    pose = motion.pose()
    hips = motion.names.index("Hips")
    spine = motion.names.index("Spine")
    joint = motion.joints[spine]
    t = 50
    # World position of Spine = Hips + R_hips · (channel position), in BVH axes, then to Blender axes.
    cols = [joint.column(c) for c in ("xposition", "yposition", "zposition")]
    local = motion.values[t, cols]
    hips_rot_bvh = BVH_TO_BLENDER.T @ pose.deltas[t, hips] @ BVH_TO_BLENDER
    expected = pose.heads[t, hips] + BVH_TO_BLENDER @ (hips_rot_bvh @ local)
    np.testing.assert_allclose(pose.heads[t, spine], expected, atol=1e-9)
    assert not np.allclose(local, joint.offset)  # the channels really differ from the OFFSET


def test_cmu_rotation_order_and_axes(bvh_dir: Path) -> None:
    motion = read_bvh(bvh_dir / "cmu" / "131_01.bvh")
    root = motion.joints[0]
    assert root.rotation_order == "ZYX"
    pose = motion.pose()
    angles = np.radians(motion.values[10, [root.column(f"{a}rotation") for a in "xyz"]])
    expected = BVH_TO_BLENDER @ euler_to_matrix(angles, "ZYX") @ BVH_TO_BLENDER.T
    np.testing.assert_allclose(pose.deltas[10, 0], expected, atol=1e-12)
    # Blender axes: Z is up, so the head is above the hips.
    assert pose.heads[0, motion.names.index("Head"), 2] > pose.heads[0, 0, 2]


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


UNUSUAL = """HIERARCHY
ROOT mixamorig:Hips
{
  OFFSET 0 0 0
  CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
  JOINT Left Up Leg
  {
    OFFSET 10 -5 0
    CHANNELS 3 Zrotation Xrotation Yrotation
    End Site
    {
      OFFSET 0 -40 0
    }
  }
  JOINT Left Up Leg
  {
    OFFSET -10 -5 0
    CHANNELS 3 Zrotation Xrotation Yrotation
    JOINT Ünïcode-Knee.001
    {
      OFFSET 0 -40 0
      CHANNELS 3 Zrotation Xrotation Yrotation
      End Site
      {
        OFFSET 0 -40 0
      }
    }
  }
}
MOTION
Frames: 2
Frame Time: 0.04
0 90 0 0 0 0 10 0 0 0 0 0 0 0 0
1 90 0 0 0 0 20 0 0 0 0 0 0 0 0
"""


def test_unusual_joint_names_are_named_as_blender_names_bones(tmp_path: Path) -> None:
    motion = read_bvh(_write(tmp_path / "odd.bvh", UNUSUAL))
    assert motion.names == ["mixamorig:Hips", "Left_Up_Leg", "Left_Up_Leg.001", "Ünïcode-Knee.001"]
    assert motion.frame_count == 2 and motion.fps == pytest.approx(25.0)
    assert motion.pose().heads.shape == (2, 4, 3)


def test_a_corrupt_motion_line_is_reported_with_its_line_number(bvh_dir: Path, tmp_path: Path) -> None:
    lines = (bvh_dir / "cmu" / "131_01.bvh").read_text().splitlines()
    motion_at = next(i for i, line in enumerate(lines) if line.strip() == "MOTION")
    bad = motion_at + 3 + 100  # frame 100
    broken = list(lines)
    fields = broken[bad].split()
    fields[5] = "12.5abc"
    broken[bad] = " ".join(fields)
    with pytest.raises(BadMotionFile, match=f"line {bad + 1}"):
        read_bvh(_write(tmp_path / "corrupt.bvh", "\n".join(broken)))
    short = list(lines)
    short[bad] = " ".join(lines[bad].split()[:-4])
    with pytest.raises(BadMotionFile, match=rf"line {bad + 1}: expected \d+ numbers"):
        read_bvh(_write(tmp_path / "short.bvh", "\n".join(short)))


def test_a_corrupt_hierarchy_line_is_reported_with_its_line_number(bvh_dir: Path, tmp_path: Path) -> None:
    lines = (bvh_dir / "bandai" / "dataset-1_run_normal_001.bvh").read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("OFFSET") and i > 10)
    lines[at] = lines[at].replace("OFFSET", "OFSET")
    with pytest.raises(BadMotionFile, match=f"line {at + 1}"):
        read_bvh(_write(tmp_path / "bad_hierarchy.bvh", "\n".join(lines)))


def test_zero_frames_not_bvh_and_missing_file_are_refused(bvh_dir: Path, tmp_path: Path) -> None:
    text = (bvh_dir / "bandai" / "dataset-1_run_normal_001.bvh").read_text()
    header = text[: text.index("MOTION")] + "MOTION\nFrames: 0\nFrame Time: 0.0333333\n"
    with pytest.raises(BadMotionFile, match="zero frames"):
        read_bvh(_write(tmp_path / "empty.bvh", header))
    with pytest.raises(BadMotionFile, match="not a BVH"):
        read_bvh(_write(tmp_path / "notes.bvh", "hello\n"))
    with pytest.raises(BadMotionFile, match="Cannot read"):
        read_bvh(tmp_path / "missing.bvh")


def test_reading_and_posing_can_be_cancelled(bvh_dir: Path) -> None:
    with pytest.raises(Cancelled):
        read_bvh(bvh_dir / "cmu" / "131_02.bvh", should_stop=lambda: True)
    motion = read_bvh(bvh_dir / "cmu" / "131_02.bvh")
    with pytest.raises(Cancelled):
        motion.pose(should_stop=lambda: True)
