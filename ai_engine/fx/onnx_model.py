"""The presets' generators on ONNX Runtime, for an engine without PyTorch (Linux on Python 3.13).

``python -m ai_engine.fx.onnx_model`` (run by ``build.py extension``, where PyTorch and ``onnx`` are
installed) exports each spatial preset as two graphs beside its ``.pt``: ``NAME.waves.onnx``
(global noise → the periodic planes' wave vectors) and ``NAME.onnx`` (the assembled noise grid,
any size → the image). Assembling the grid — local noise, global planes, periodic sinusoids — is
a few lines of numpy here, the same arithmetic as ``SpatialGenerator.assemble``. Same noise in,
same image out as the torch path (within float rounding: tests/test_fx_onnx.py); the noise itself
is drawn with numpy, so a seed gives a different (equally valid) texture than under PyTorch.
User-trained models stay PyTorch-only (training needs it anyway).
"""

from __future__ import annotations

import json
import math
import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import runtimes
from .catalog import PRESET_NAMES
from .noise import NoiseSample

PRESET_DIR = Path(__file__).resolve().parent / "presets"


def graph_paths(name: str, folder: Path | None = None) -> tuple[Path, Path]:
    """(waves graph, generator graph) of preset ``name`` (in ``PRESET_DIR`` unless ``folder``)."""
    folder = folder or PRESET_DIR
    return folder / f"{name}.waves.onnx", folder / f"{name}.onnx"


def runtime(model: str) -> str:
    """``torch`` or ``onnx``: what generates from ``model`` (a preset name or a model file) here.

    PyTorch when it is installed (``CLAPPER_NEURAL_RUNTIME=onnx`` asks for ONNX Runtime anyway, as
    for TransNetV2); else ONNX Runtime, which runs the presets only.

    Raises:
        MissingRuntime: no runtime can run this model, with what to install.
    """
    wanted = runtimes.wanted_network_runtime()
    if wanted != "onnx" and runtimes.has_torch():
        return "torch"
    if model in PRESET_NAMES and runtimes.has("onnxruntime") and all(p.is_file() for p in graph_paths(model)):
        return "onnx"
    if model in PRESET_NAMES:
        raise runtimes.torch_missing(f"The '{model}' preset", "Its ONNX export is not in this build.")
    raise runtimes.torch_missing("A trained model file", "The built-in presets generate without it.")


@dataclass
class OnnxFxModel:
    """A preset's card and its two ONNX Runtime sessions; generates like ``FxModel``."""

    card: dict[str, Any]
    waves: Any
    body: Any

    @property
    def architecture(self) -> str:
        return str(self.card["architecture"])

    def draw_noise(self, cells: int, rng: np.random.Generator) -> NoiseSample:
        config = self.card["config"]
        return NoiseSample(
            local=rng.standard_normal((1, config["local_dim"], cells, cells), dtype=np.float32),
            global_=rng.standard_normal((1, config["global_dim"]), dtype=np.float32),
            phase=(rng.random((1, config["periodic_dim"]), dtype=np.float32) * 2 * math.pi).astype(
                np.float32
            ),
        )

    def assemble(self, noise: NoiseSample, *, tileable: bool = True) -> np.ndarray:
        """(1, noise_dim, h, w) float32 grid: ``SpatialGenerator.assemble`` in numpy."""
        local, global_, phase = (np.asarray(a, np.float32) for a in (noise.local, noise.global_, noise.phase))
        batch, _, height, width = local.shape
        global_planes = np.broadcast_to(global_[:, :, None, None], (batch, global_.shape[1], height, width))
        (wave,) = self.waves.run(None, {"global": global_})
        kx, ky = wave[..., 0], wave[..., 1]
        if tileable:
            kx = np.round(kx * width / (2 * math.pi)) * (2 * math.pi / width)
            ky = np.round(ky * height / (2 * math.pi)) * (2 * math.pi / height)
        ys = np.arange(height, dtype=np.float32).reshape(1, 1, height, 1)
        xs = np.arange(width, dtype=np.float32).reshape(1, 1, 1, width)
        periodic = np.sin(kx[..., None, None] * xs + ky[..., None, None] * ys + phase[..., None, None])
        return np.concatenate([local, global_planes, periodic.astype(np.float32)], axis=1)

    def render(self, noise: NoiseSample, *, tileable: bool) -> np.ndarray:
        """(h·scale, w·scale, 3) float32 in [0, 1] (before resizing)."""
        (image,) = self.body.run(None, {"grid": self.assemble(noise, tileable=tileable)})
        return ((np.transpose(image[0], (1, 2, 0)) + 1.0) * 0.5).astype(np.float32)


def load_preset(name: str, folder: Path | None = None) -> OnnxFxModel:
    import onnxruntime

    folder = folder or PRESET_DIR
    options = onnxruntime.SessionOptions()
    threads = int(os.environ.get("CLAPPER_THREADS", "0") or 0)
    if threads:
        options.intra_op_num_threads = threads
    waves, body = (
        onnxruntime.InferenceSession(str(p), options, providers=["CPUExecutionProvider"])
        for p in graph_paths(name, folder)
    )
    card = json.loads((folder / f"{name}.json").read_text())
    return OnnxFxModel(card=card, waves=waves, body=body)


def export(name: str, folder: Path | None = None) -> tuple[Path, Path]:
    """Export preset ``name`` (its ``.pt`` in ``folder``, default ``PRESET_DIR``) as the two graphs
    beside it. Needs PyTorch and ``onnx``."""
    import torch

    folder = folder or PRESET_DIR
    from .contract import SPATIAL
    from .modelfile import load_model
    from .models import SpatialGenerator

    model = load_model(folder / f"{name}.pt")
    if model.architecture != SPATIAL:
        raise ValueError(f"{name} is not a spatial-gan model; only those export")
    generator = model.generator.eval()
    assert isinstance(generator, SpatialGenerator)
    config = model.card["config"]
    waves_path, body_path = graph_paths(name, folder)
    exported: list[Path] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation and tracer notes
        graphs: tuple[tuple[torch.nn.Module, torch.Tensor, tuple[str, str], dict[str, Any], Path], ...] = (
            (generator.waves, torch.zeros(1, config["global_dim"]), ("global", "wave"), {}, waves_path),
            (
                generator,
                torch.zeros(1, generator.config.noise_dim, 8, 8),
                ("grid", "image"),
                {"grid": {2: "height", 3: "width"}, "image": {2: "out_height", 3: "out_width"}},
                body_path,
            ),
        )
        for module, example, names, axes, path in graphs:
            partial = path.with_suffix(".onnx.partial")
            torch.onnx.export(
                module,
                (example,),
                str(partial),
                dynamo=False,
                input_names=[names[0]],
                output_names=[names[1]],
                dynamic_axes=axes,
                opset_version=17,
            )
            partial.replace(path)
            exported.append(path)
    return exported[0], exported[1]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else PRESET_DIR
    for name in PRESET_NAMES:
        if (folder / f"{name}.pt").is_file():
            for path in export(name, folder):
                print(f"fx: {path} ({path.stat().st_size / 2**20:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
