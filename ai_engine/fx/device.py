"""Where the networks run: chosen when a job starts, never decided at import."""

from __future__ import annotations

import torch


def choose_device(preference: str = "auto") -> torch.device:
    """The torch device for ``preference``: ``"auto"`` (CUDA when present, else CPU), ``"cpu"`` or ``"cuda"``.

    Falls back to the CPU when CUDA is asked for but absent, rather than failing a long job.
    """
    if preference in ("auto", "cuda") and torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")
