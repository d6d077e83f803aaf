"""Shared helpers of the cut-detection tests: where the real clips are, and writing test clips."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ai_engine.samples import shared_data_root

DATA = shared_data_root()
CUTS = DATA / "cuts"
GROUND_TRUTH = CUTS / "ground_truth_cuts.json"

needs_cut_clips = pytest.mark.skipif(
    not GROUND_TRUTH.exists(),
    reason=f"real test clips not found at {CUTS} (set CLAPPER_DATA to the shared data folder)",
)


def ground_truth() -> dict[str, dict[str, object]]:
    """Clip path (relative to ``CUTS``) → its annotation."""
    data = json.loads(GROUND_TRUTH.read_text())
    return {name: entry for name, entry in data.items() if not name.startswith("_")}


def read_frames(path: Path, stop: int | None = None) -> list[np.ndarray]:
    """Decode BGR frames through the engine's decoder (small clips only)."""
    from ai_engine.video import iter_frames

    return [frame for _, frame in iter_frames(path, color="bgr", stop=stop, threaded=False)]


def write_clip(frames: list[np.ndarray], path: Path, fps: float = 25.0) -> Path:
    """Write BGR frames with OpenCV's MPEG-4 writer."""
    import cv2

    height, width = frames[0].shape[:2] if frames else (48, 64)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    assert writer.isOpened(), "OpenCV cannot write MPEG-4 here"
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path
