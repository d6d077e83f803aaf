"""Consecutive shots → scenes, by overlapping links (Hanjalic et al. 1999, "logical story units").

Shot ``i`` links to a later shot ``j`` (at most ``WINDOW`` shots on) when their similarity reaches
the threshold. A scene boundary falls between shots ``s`` and ``s+1`` only when no link spans it:
so A B A B (shot/reverse-shot) stays one scene because A links to the next A over B, and a change of
place starts a new scene because nothing after it looks like anything before it.

Similarity of two shots = the intersection of their HSV colour histograms, or with the CNN cue on
(``cnn=True``) ``CNN_WEIGHT`` x the cosine of their centred TransNetV2 embeddings (mapped to 0..1)
+ the rest x the colour intersection. Every constant here was chosen on the bench's tuning split
(``bench/scenes.py --split tune`` prints the sweep), never on the report split. On the tuning split
the CNN cue did not beat colour alone (F1 0.92 at best against 0.94) and costs a network pass per
shot, so it is off by default; the bench reports both.
"""

from __future__ import annotations

import numpy as np

from .embed import ShotEmbeddings

WINDOW = 4  # shots a link may reach forward
THRESHOLD = 0.75  # colour only (the default)
CNN_WEIGHT = 0.3  # with the CNN cue on
CNN_THRESHOLD = 0.77
BASELINE_THRESHOLD = 0.8  # colour-histogram clustering baseline, tuned on the same split


def similarity(embeddings: ShotEmbeddings, cnn_weight: float = 0.0) -> np.ndarray:
    """(S, S) similarity in 0..1."""
    colour = embeddings.colour
    inter = np.minimum(colour[:, None, :], colour[None, :, :]).sum(axis=2)
    if cnn_weight <= 0:
        return inter.astype(np.float32)
    cnn = embeddings.cnn
    cosine = np.clip(cnn @ cnn.T, -1.0, 1.0)
    return (cnn_weight * (cosine + 1.0) / 2.0 + (1.0 - cnn_weight) * inter).astype(np.float32)


def link_scenes(sim: np.ndarray, threshold: float = THRESHOLD, window: int = WINDOW) -> list[list[int]]:
    """Shot indices per scene (consecutive, covering every shot)."""
    count = len(sim)
    if count == 0:
        return []
    reach = np.arange(count)  # reach[i]: the furthest shot linked back to i or before
    for i in range(count):
        for j in range(i + 1, min(count, i + window + 1)):
            if sim[i, j] >= threshold:
                reach[i] = j
    scenes: list[list[int]] = []
    current = [0]
    span_end = reach[0]
    for s in range(1, count):
        if s > span_end:
            scenes.append(current)
            current = []
        current.append(s)
        span_end = max(span_end, reach[s])
    scenes.append(current)
    return scenes


def cluster_labels(colour: np.ndarray, threshold: float = BASELINE_THRESHOLD) -> np.ndarray:
    """Baseline: average-linkage clustering of colour histograms (intersection ≥ threshold joins)."""
    count = len(colour)
    labels = np.arange(count)
    if count < 2:
        return labels
    inter = np.minimum(colour[:, None, :], colour[None, :, :]).sum(axis=2).astype(np.float64)
    clusters: list[list[int]] = [[i] for i in range(count)]
    while len(clusters) > 1:
        best, pair = -1.0, (0, 0)
        for a in range(len(clusters)):
            for b in range(a + 1, len(clusters)):
                mean = float(inter[np.ix_(clusters[a], clusters[b])].mean())
                if mean > best:
                    best, pair = mean, (a, b)
        if best < threshold:
            break
        a, b = pair
        clusters[a] = clusters[a] + clusters.pop(b)
    for label, members in enumerate(clusters):
        labels[members] = label
    return labels


def baseline_scenes(
    colour: np.ndarray, threshold: float = BASELINE_THRESHOLD, window: int = WINDOW
) -> list[list[int]]:
    """Colour-histogram clustering baseline: shots in one cluster link (within the same window)."""
    labels = cluster_labels(colour, threshold)
    same = (labels[:, None] == labels[None, :]).astype(np.float32)
    return link_scenes(same, 0.5, window)
