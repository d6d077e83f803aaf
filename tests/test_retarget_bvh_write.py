"""BVH writer: what it writes reads back (with the importer-exact reader) to the same motion."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ai_engine.errors import Cancelled
from ai_engine.retarget.bvh import read_bvh
from ai_engine.retarget.bvh_write import write_bvh


@pytest.mark.parametrize("take", ["cmu/131_02.bvh", "bandai/dataset-2_wave-both-hands_normal_001.bvh"])
def test_written_motion_reads_back_identically(data_dir: Path, tmp_path: Path, take: str) -> None:
    path = data_dir / "mocap" / "bvh" / take
    if not path.exists():
        pytest.skip(f"{path} is missing")
    motion = read_bvh(path)
    pose = motion.pose()
    heads, tails, _ = motion.rest()
    out = write_bvh(
        tmp_path / "out.bvh", motion.names, motion.parents, heads, tails, pose.heads, pose.deltas, motion.fps
    )
    again = read_bvh(out)
    back = again.pose()
    assert again.names == motion.names and again.fps == pytest.approx(motion.fps, rel=1e-6)
    size = float(np.abs(pose.heads).max())
    assert np.abs(back.heads - pose.heads).max() < 1e-6 * size
    assert np.abs(back.deltas - pose.deltas).max() < 1e-6


def test_several_roots_get_one_common_root_and_cancel_works(tmp_path: Path) -> None:
    rest = np.array([[0.0, 0.0, 1.0], [0.2, 0.0, 1.0]])
    tails = rest + np.array([0.0, 0.0, 0.5])
    frames = 4
    heads = np.broadcast_to(rest, (frames, 2, 3)) + np.linspace(0, 1, frames)[:, None, None] * [1.0, 0.0, 0.0]
    deltas = np.broadcast_to(np.eye(3), (frames, 2, 3, 3))
    out = write_bvh(tmp_path / "two.bvh", ["a", "b b"], [-1, -1], rest, tails, heads, deltas, 24.0)
    back = read_bvh(out)
    assert back.names == ["Root", "a", "b_b"]
    np.testing.assert_allclose(back.pose().heads[:, 1:], heads, atol=1e-6)
    with pytest.raises(Cancelled):
        write_bvh(
            tmp_path / "no.bvh",
            ["a"],
            [-1],
            rest[:1],
            tails[:1],
            heads[:, :1],
            deltas[:, :1],
            24.0,
            should_stop=lambda: True,
        )
