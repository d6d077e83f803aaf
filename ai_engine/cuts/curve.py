"""The score-curve picture shown in the Sequencer panel: why each cut is (or is not) there.

One image, frames along x: the classic pass's hard-cut score (white), its threshold (amber
line), TransNetV2's score where the cascade ran it (cyan), and every cut as a vertical bar
(red: hard cut, green: gradual, its span shaded).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .cutlist import CutList

# 2:1, because the panel shows it as a (square) preview icon: at 1024x200 the curve was a 120x24 px
# sliver in the Blender 4.3 window; 512 columns still keep every peak (max per column).
WIDTH = 512
HEIGHT = 256
MARGIN = 6


def render_curve(
    cut_list: CutList,
    score: np.ndarray,
    threshold: float,
    network: np.ndarray | None = None,
    *,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> np.ndarray:
    """The curve as an (height, width, 3) uint8 RGB image."""
    import cv2

    image = np.full((height, width, 3), 28, np.uint8)
    count = max(1, len(score))
    plot_h = height - 2 * MARGIN

    def x_of(frame: float) -> int:
        return int(round(frame * (width - 1) / max(1, count - 1)))

    def y_of(value: float) -> int:
        return int(round(height - MARGIN - min(max(value, 0.0), 1.0) * plot_h))

    for cut in cut_list.cuts:
        if cut.end > cut.start:
            image[:, x_of(cut.start) : x_of(cut.end) + 1] = (40, 70, 40)
    # Per-pixel maxima keep one-frame spikes visible on long clips.
    columns = np.minimum((np.arange(count) * width) // count, width - 1)

    def polyline(values: np.ndarray, color: tuple[int, int, int]) -> None:
        valid = ~np.isnan(values)
        if not valid.any():
            return
        peak = np.full(width, np.nan, np.float32)
        np.fmax.at(peak, columns[valid], values[valid])
        xs = np.flatnonzero(~np.isnan(peak))
        points = np.stack([xs, [y_of(float(v)) for v in peak[xs]]], axis=1).astype(np.int32)
        cv2.polylines(image, [points.reshape(-1, 1, 2)], False, color, 1, cv2.LINE_AA)

    cv2.line(image, (0, y_of(threshold)), (width - 1, y_of(threshold)), (230, 170, 40), 1)
    if network is not None:
        polyline(np.asarray(network, np.float32), (60, 200, 230))
    polyline(np.asarray(score, np.float32), (235, 235, 235))
    for cut in cut_list.cuts:
        color = (230, 60, 60) if cut.kind == "cut" else (80, 220, 100)
        cv2.line(image, (x_of(cut.frame), 0), (x_of(cut.frame), MARGIN * 2), color, 2)
        cv2.line(image, (x_of(cut.frame), height - 1), (x_of(cut.frame), height - 1 - MARGIN * 2), color, 2)
    return image


def save_curve(image: np.ndarray, path: str | os.PathLike[str]) -> Path:
    """Write the RGB image as PNG."""
    import cv2

    out = Path(path)
    cv2.imwrite(str(out), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    return out
