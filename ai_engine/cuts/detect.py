"""``detect_cuts``: one call from a video path to a ``CutList``, with any registered detector."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ..progress import ProgressFn, StopFn, check_stop, never_stop, no_progress, sub_progress
from ..video import VideoInfo, probe
from . import detectors, fast
from .cutlist import CutList
from .features import ClipFeatures, extract_features


@dataclass
class Detection:
    """A cut list plus the curves behind it (for the score-curve display and diagnostics)."""

    cut_list: CutList
    score: np.ndarray  # (T,) the fast pass's hard-cut score, 0..1
    threshold: float
    network: np.ndarray | None  # (T,) TransNetV2's single-frame score where it ran (NaN elsewhere)
    info: VideoInfo | None = None  # what the probe found (fps, size, audio ...)


def detect_from_features(
    features: ClipFeatures,
    detector: str = "auto",
    *,
    min_shot: int | None = None,
    device: str | None = None,
    progress: ProgressFn = no_progress,
    should_stop: StopFn = never_stop,
) -> Detection:
    """Run ``detector`` on features already extracted (the bench reuses one decoding for all three).

    Raises:
        ValueError: unknown detector name.
        Cancelled: ``should_stop()`` became true.
    """
    chosen = detectors.get(detector)
    info = features.info
    min_shot = min_shot or fast.default_min_shot(info.fps)
    analysis = fast.analyse(features, min_shot=min_shot)
    found = chosen.detect(
        features,
        analysis,
        detectors.DetectOptions(min_shot=min_shot, device=device, progress=progress, should_stop=should_stop),
    )
    cut_list = CutList(
        video=info.path,
        fps=info.fps,
        frame_count=info.frame_count if features.last_good_frame is None else features.frame_count,
        detector=detector,
        cuts=[c for c in found.cuts if 0 < c.frame < features.frame_count],
        warnings=list(features.warnings),
    )
    return Detection(
        cut_list=cut_list,
        score=analysis.score,
        threshold=analysis.threshold,
        network=found.network,
        info=info,
    )


def detect_cuts(
    path: str | os.PathLike[str],
    detector: str = "auto",
    *,
    min_shot: int | None = None,
    device: str | None = None,
    progress: ProgressFn = no_progress,
    should_stop: StopFn = never_stop,
) -> Detection:
    """Find the shot boundaries of a video.

    Arguments:
        path: the video file.
        detector: one of ``contract.DETECTORS``: ``"auto"`` (classic pass + TransNetV2 where
            unsure), ``"fast"`` (classic only), ``"neural"`` (TransNetV2 on every frame) …
        min_shot: shortest shot in frames (default: a quarter of a second).
        device: ``"cpu"``, ``"cuda"`` or None/``"auto"`` for the network.
        progress, should_stop: the usual callbacks.

    Returns:
        ``Detection``; ``cut_list.warnings`` names the last good frame when the file is truncated.

    Raises:
        ValueError: unknown detector name.
        VideoOpenError: missing, empty, audio-only or undecodable file.
        Cancelled: ``should_stop()`` became true.
    """
    decode_share = type(detectors.get(detector)).decode_share
    info = probe(path, should_stop=should_stop)
    features = extract_features(
        path, info=info, progress=sub_progress(progress, 0.0, decode_share), should_stop=should_stop
    )
    check_stop(should_stop)
    return detect_from_features(
        features,
        detector,
        min_shot=min_shot,
        device=device,
        progress=sub_progress(progress, decode_share, 1.0),
        should_stop=should_stop,
    )
