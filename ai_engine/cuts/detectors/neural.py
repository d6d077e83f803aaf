"""``neural``: TransNetV2 on every frame (``cuts/neural.py``), its transitions typed and spanned."""

from __future__ import annotations

from .. import neural
from ..fast import FastAnalysis, enforce_min_shot
from ..features import ClipFeatures
from . import DetectOptions, Detector, Found


class NeuralDetector(Detector):
    name = "neural"
    summary = "TransNetV2 on every frame (slowest)"
    decode_share = 0.3  # the network dominates

    def detect(self, features: ClipFeatures, analysis: FastAnalysis, options: DetectOptions) -> Found:
        single, many = neural.predict(
            features.thumbs, device=options.device, progress=options.progress, should_stop=options.should_stop
        )
        cuts = neural.transitions_from_scores(single, many, features.thumbs, features.luma)
        return Found(cuts=enforce_min_shot(cuts, options.min_shot), network=single)
