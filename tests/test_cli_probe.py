"""`python -m ai_engine probe VIDEO --json` on every shared clip, and its error output (no bpy)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def probe_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ai_engine", "probe", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_probe_every_clip_as_json(data_dir: Path, cuts_ground_truth: dict[str, Any]) -> None:
    for name, truth in cuts_ground_truth.items():
        proc = probe_cli(str(data_dir / "cuts" / name), "--json")
        assert proc.returncode == 0, proc.stderr
        info = json.loads(proc.stdout)
        assert info["frame_count"] == truth["frames"], name
        assert abs(info["fps"] - truth.get("avg_fps", truth.get("fps"))) < 0.01, name


def test_probe_prints_a_readable_summary(data_dir: Path) -> None:
    proc = probe_cli(str(data_dir / "cuts" / "pyscenedetect" / "issue-134-rotate.mp4"))
    assert proc.returncode == 0
    assert "240 frames" in proc.stdout and "rotated 90°" in proc.stdout and "with audio" in proc.stdout


def test_probe_error_exits_1_with_json(tmp_path: Path) -> None:
    proc = probe_cli(str(tmp_path / "gone.mov"), "--json")
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["error"]["type"] == "VideoOpenError"
    assert "not found" in proc.stderr
