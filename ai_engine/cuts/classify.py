"""What kind of gradual transition a span is, and which frame starts the new shot.

Works on the 27x48 thumbnails only:

* **fade**: the span passes through (near) black — the picture's brightness ramps to or from it;
* **wipe**: each pixel is either the outgoing or the incoming picture (a moving edge), so the
  per-pixel mixing weight is bimodal;
* **dissolve**: each pixel is a blend of both pictures, so the mixing weight is spread around
  its mean.
"""

from __future__ import annotations

import numpy as np

DARK_LUMA = 14.0  # mean HSV value under which a frame counts as black
DARK_MARGIN = 2.0  # frames within this of the darkest one belong to the black part


def _mixing_weights(thumbs: np.ndarray, start: int, end: int) -> np.ndarray:
    """Per-pixel weight of the incoming picture for the span's middle frame (0..1), valid pixels."""
    last = len(thumbs) - 1
    before = thumbs[max(0, start - 1)].astype(np.float32)
    after = thumbs[min(last, end + 1)].astype(np.float32)
    middle = thumbs[(start + end) // 2].astype(np.float32)
    to_before = np.abs(middle - before).sum(axis=2)
    to_after = np.abs(middle - after).sum(axis=2)
    contrast = np.abs(after - before).sum(axis=2)
    valid = contrast > 30.0  # pixels where the two pictures differ enough to tell them apart
    weights = to_before / np.maximum(to_before + to_after, 1e-3)
    return weights[valid]


def classify_transition(thumbs: np.ndarray, luma: np.ndarray, start: int, end: int) -> tuple[str, int]:
    """Kind (``"fade"``, ``"wipe"`` or ``"dissolve"``) of the span ``start..end`` and its cut frame.

    Returns:
        ``(kind, frame)``: for a fade-out the first black frame, for a fade-in the first frame
        out of black, for a dip to black its darkest frame, otherwise the span's middle.
    """
    last = len(luma) - 1
    start, end = max(0, start), min(last, end)
    span = luma[start : end + 1]
    darkest = float(span.min())
    before = float(luma[max(0, start - 1)])
    after = float(luma[min(last, end + 1)])
    if darkest < DARK_LUMA and max(before, after) - darkest > 2 * DARK_LUMA:
        dark = np.flatnonzero(span <= darkest + DARK_MARGIN) + start
        if before - darkest > 2 * DARK_LUMA and after - darkest <= 2 * DARK_LUMA:
            return "fade", int(dark[0])  # fade-out: the black picture is the new shot
        if after - darkest > 2 * DARK_LUMA and before - darkest <= 2 * DARK_LUMA:
            return "fade", int(min(end, dark[-1] + 1))  # fade-in: first frame out of black
        return "fade", int(dark[len(dark) // 2])
    weights = _mixing_weights(thumbs, start, end)
    middle = (start + end) // 2
    if weights.size >= 50:
        mean = float(weights.mean())
        spread = float(np.minimum(weights, 1.0 - weights).mean())
        if 0.15 < mean < 0.85 and spread < 0.12:
            return "wipe", middle
    return "dissolve", middle
