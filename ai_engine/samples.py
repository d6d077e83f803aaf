"""Sample media made on the spot, so demos and first runs need no download and no data folder."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

# The sample clip's shots: (frames, kind of boundary INTO this shot). 25 fps, 256x144.
SAMPLE_SHOTS: tuple[tuple[int, str], ...] = ((40, "start"), (35, "cut"), (45, "dissolve"), (30, "cut"))
SAMPLE_FPS = 25.0
SAMPLE_SIZE = (256, 144)
DISSOLVE_FRAMES = 12


def _shot_frame(shot: int, t: int, width: int, height: int) -> np.ndarray:
    """A moving scene, distinct per shot: a gradient sky, a drifting disc, a textured ground."""
    rng = np.random.default_rng(shot)
    base = rng.integers(40, 215, size=3)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    frame = np.empty((height, width, 3), np.float32)
    for c in range(3):
        frame[..., c] = base[c] * (0.6 + 0.4 * y / height) + 25 * np.sin((x + 3 * t) / (11 + 7 * shot) + c)
    cx = width * (0.2 + 0.6 * ((t * (1 + shot)) % 97) / 97.0)
    cy = height * (0.35 + 0.1 * shot % 0.5)
    disc = (x - cx) ** 2 + (y - cy) ** 2 < (12 + 4 * shot) ** 2
    frame[disc] = 255 - base
    return np.clip(frame, 0, 255).astype(np.uint8)


def sample_clip(path: str | os.PathLike[str]) -> dict[str, object]:
    """Write the sample clip (MPEG-4, no audio) and return its ground truth.

    Returns:
        {"path", "frames", "fps", "hard_cuts": [...], "dissolves": [[start, end], ...]}
    """
    import cv2

    width, height = SAMPLE_SIZE
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"mp4v"), SAMPLE_FPS, (width, height))
    if not writer.isOpened():
        raise RuntimeError(f"OpenCV cannot write {out} (no MPEG-4 encoder in this build).")
    frame_index = 0
    hard_cuts: list[int] = []
    dissolves: list[list[int]] = []
    for shot, (length, boundary) in enumerate(SAMPLE_SHOTS):
        if boundary == "cut":
            hard_cuts.append(frame_index)
        for t in range(length):
            frame = _shot_frame(shot, t, width, height)
            if boundary == "dissolve" and t < DISSOLVE_FRAMES:
                previous = _shot_frame(shot - 1, SAMPLE_SHOTS[shot - 1][0] + t, width, height)
                w = (t + 1) / (DISSOLVE_FRAMES + 1)
                frame = (previous * (1 - w) + frame * w).astype(np.uint8)
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
            frame_index += 1
        if boundary == "dissolve":
            start = frame_index - length
            dissolves.append([start, start + DISSOLVE_FRAMES - 1])
    writer.release()
    return {
        "path": str(out),
        "frames": frame_index,
        "fps": SAMPLE_FPS,
        "hard_cuts": hard_cuts,
        "dissolves": dissolves,
    }


# The small real test set in the repository (samples/MANIFEST.md: sources and licences), laid out like
# the shared data folder so one relative path names a file in either. Absent from the extension zip.
SHIPPED_MEDIA = Path(__file__).resolve().parents[1] / "samples"


def shared_data_root() -> Path:
    """The shared data folder: ``CLAPPER_DATA``, else ``../shared/data`` beside the checkout."""
    env = os.environ.get("CLAPPER_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"


def media(*parts: str) -> Path | None:
    """A real media file by its path relative to the data folder: the shared copy when there is one,
    else the one shipped in ``samples/``, else ``None``."""
    for root in (shared_data_root(), SHIPPED_MEDIA):
        path = root.joinpath(*parts)
        if path.exists():
            return path
    return None
