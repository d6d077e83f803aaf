"""The ``.tflite`` models that capture runs, and the interpreter that runs them (LiteRT).

The models are MediaPipe's own (Apache-2.0), taken from the mediapipe 0.10.21 wheel by
``ai_engine.capture.models.collect`` and shipped in ``ai_engine/capture/models/``; nothing is
downloaded at run time. They run through ``ai-edge-litert`` (Google's TensorFlow Lite runtime),
which has wheels for Python 3.11 and 3.13 on Linux, macOS and Windows, where MediaPipe's own
legacy solutions exist only up to Python 3.12.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from ..errors import EngineError

MODELS_DIR = Path(__file__).with_name("models")

# One interpreter per model per runner; capture already runs pose beside face and hands on the two
# cores, so each interpreter uses one thread (measured in bench/capture.py: more threads per model
# only fight over the same cores).
INTERPRETER_THREADS = int(os.environ.get("CLAPPER_TFLITE_THREADS", "1"))


class ModelMissingError(EngineError):
    """A bundled capture model is not where the engine expects it."""


def model_path(name: str) -> Path:
    path = MODELS_DIR / name
    if not path.is_file():
        raise ModelMissingError(
            f"capture model {name} is missing from {MODELS_DIR}; reinstall Clapper, or in a source "
            "checkout run `python -m ai_engine.capture.models` to take the models from the mediapipe 0.10.21 wheel"
        )
    return path


def _interpreter_class():  # type: ignore[no-untyped-def]
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError as exc:  # pragma: no cover - the package is a pinned dependency
        raise EngineError(
            "capture needs the ai-edge-litert package (the TensorFlow Lite runtime); "
            "reinstall Clapper or `pip install ai-edge-litert==2.3.0`"
        ) from exc
    return Interpreter


class Model:
    """One ``.tflite`` model: float32 input tensor in, its outputs out (in output-name order).

    Not shared between threads: each runner builds its own.
    """

    def __init__(self, name: str, *, threads: int = INTERPRETER_THREADS) -> None:
        interpreter_class = _interpreter_class()
        self.name = name
        self._interpreter = interpreter_class(model_path=str(model_path(name)), num_threads=threads)
        self._interpreter.allocate_tensors()
        (entry,) = self._interpreter.get_input_details()
        self._input = int(entry["index"])
        self.input_shape = tuple(int(v) for v in entry["shape"])
        # MediaPipe reads outputs by position in the model; LiteRT lists them in that order too, but
        # sort by TensorFlow's names ("Identity", "Identity_1", …) when they have that form.
        details = list(self._interpreter.get_output_details())
        if all(str(d["name"]).startswith("Identity") for d in details):
            details.sort(key=lambda d: int(str(d["name"]).partition("_")[2] or 0))
        self._outputs = [int(d["index"]) for d in details]
        self.output_names = [str(d["name"]) for d in details]
        self._lock = threading.Lock()

    def __call__(self, tensor: np.ndarray) -> list[np.ndarray]:
        with self._lock:
            self._interpreter.set_tensor(self._input, np.ascontiguousarray(tensor, np.float32))
            self._interpreter.invoke()
            return [self._interpreter.get_tensor(i).copy() for i in self._outputs]
