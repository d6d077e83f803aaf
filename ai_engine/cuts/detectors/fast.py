"""``fast``: the classic colour-difference detector alone (``cuts/fast.py``), no network."""

from __future__ import annotations

from ..fast import FastAnalysis
from ..features import ClipFeatures
from . import DetectOptions, Detector, Found


class FastDetector(Detector):
    name = "fast"
    summary = "classic colour-difference pass only (fastest)"

    def detect(self, features: ClipFeatures, analysis: FastAnalysis, options: DetectOptions) -> Found:
        return Found(cuts=list(analysis.cuts))
