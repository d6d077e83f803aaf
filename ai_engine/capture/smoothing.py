"""MediaPipe's landmark smoothing (``LandmarksSmoothingCalculator``, ``VisibilitySmoothingCalculator``).

The legacy Python solutions feed frames with simulated timestamps 33 333 µs apart, so the filters
always run at 30 Hz whatever the clip's frame rate; this module does the same so that landmarks
match MediaPipe's frame for frame.
"""

from __future__ import annotations

import math

import numpy as np

SOLUTION_FRAME_RATE = 30.0


class _LowPass:
    def __init__(self) -> None:
        self.raw: np.ndarray | None = None
        self.stored: np.ndarray | None = None

    def apply(self, value: np.ndarray, alpha: np.ndarray | float) -> np.ndarray:
        if self.stored is None:
            self.stored = value.copy()
        else:
            self.stored = alpha * value + (1.0 - alpha) * self.stored
        self.raw = value.copy()
        return self.stored


class OneEuro:
    """``OneEuroFilter`` over a whole array of values at once (each element filtered on its own)."""

    def __init__(self, *, min_cutoff: float, beta: float, derivate_cutoff: float = 1.0) -> None:
        self.min_cutoff, self.beta, self.derivate_cutoff = min_cutoff, beta, derivate_cutoff
        self.frequency = SOLUTION_FRAME_RATE
        self._x = _LowPass()
        self._dx = _LowPass()

    def _alpha(self, cutoff: np.ndarray | float) -> np.ndarray | float:
        te = 1.0 / self.frequency
        tau = 1.0 / (2 * math.pi * np.asarray(cutoff))
        return 1.0 / (1.0 + tau / te)

    def apply(self, value: np.ndarray, value_scale: float = 1.0) -> np.ndarray:
        if self._x.raw is None:
            dvalue = np.zeros_like(value)
        else:
            dvalue = (value - self._x.raw) * value_scale * self.frequency
        edvalue = self._dx.apply(dvalue, self._alpha(self.derivate_cutoff))
        cutoff = self.min_cutoff + self.beta * np.abs(edvalue)
        return self._x.apply(value, self._alpha(cutoff)).copy()


class LowPass:
    """``LowPassFilter`` with a fixed alpha (visibility smoothing)."""

    def __init__(self, alpha: float) -> None:
        self.alpha = alpha
        self._f = _LowPass()

    def apply(self, value: np.ndarray) -> np.ndarray:
        return self._f.apply(value, self.alpha).copy()


def object_scale(width_px: float, height_px: float) -> float:
    """``GetObjectScale``: the mean side of the object's box, in pixels."""
    return (width_px + height_px) / 2.0
