"""Which optional native runtimes this engine build has, and what to say when one is missing.

PyTorch is bundled wherever PyPI has a CPU wheel for the platform and Python (every platform on
Python 3.11; Windows and macOS on Python 3.13). For Linux on Python 3.13 (Blender 5.1+) PyPI holds
only torch's CUDA build, which needs about 3 GB of NVIDIA wheels beside it: the extension ships
without torch there, runs TransNetV2 and the effect presets through ONNX Runtime instead (exported
from the same shipped weights at build time) and says what to install for the rest (training
effects and generating from trained model files, the whole-take capture solve, the scene CNN).
"""

from __future__ import annotations

import importlib.util
import sys

from .errors import MissingRuntime

TORCH_INSTALL = (
    "Install the CPU build of PyTorch into the Python that runs Clapper, e.g. "
    "`{python} -m pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu` "
    "(Blender's own Python on Blender 5.1+ under Linux), then restart Blender."
)


NETWORK_RUNTIMES = ("torch", "onnx")  # what runs TransNetV2 and the effect presets


def wanted_network_runtime() -> str:
    """The runtime ``CLAPPER_NEURAL_RUNTIME`` asks for ("torch", "onnx"), or "" when it is unset.

    Raises:
        MissingRuntime: any other value.
    """
    import os

    wanted = os.environ.get("CLAPPER_NEURAL_RUNTIME", "").lower()
    if wanted not in ("", *NETWORK_RUNTIMES):
        raise MissingRuntime(
            f"CLAPPER_NEURAL_RUNTIME is one of {', '.join(NETWORK_RUNTIMES)} (or unset), not {wanted!r}."
        )
    return wanted


def has(module: str) -> bool:
    """True when ``module`` can be imported (looked up, not imported: cheap, no side effects)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def has_torch() -> bool:
    return has("torch")


def torch_missing(feature: str, note: str = "") -> MissingRuntime:
    """The error a torch-only feature raises where this build has no PyTorch. Its first sentence is
    short (a panel shows it on one line); ``note`` (a sentence) and the fix follow."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    return MissingRuntime(
        f"{feature} needs PyTorch. {note + ' ' if note else ''}This Clapper build has none for Python "
        f"{version} on {sys.platform} (PyPI has no CPU wheel of torch there). "
        + TORCH_INSTALL.format(python=sys.executable)
    )


def require_torch(feature: str) -> None:
    if not has_torch():
        raise torch_missing(feature)
