"""One decoding pass that feeds every detector: per-frame change features plus a tiny thumbnail.

The video is decoded once, through ``ai_engine.video.iter_batches``: PyAV decodes (threaded) and
FFmpeg's swscale shrinks every frame to ``ANALYSIS_SIZE`` RGB in the decode thread, so Python only
ever sees chunks of ``CHUNK`` small frames, and computes their features on the other core while the
next chunk decodes. Per chunk, the colour conversion, differences and histograms are a few
numpy/OpenCV calls. What is kept per frame is small and fixed:

* ``thumbs``: 27x48 RGB ``uint8`` — exactly TransNetV2's input, and enough for the classic
  detector's long-range comparisons (3,888 bytes a frame: a 10-minute 30 fps clip is ~70 MB);
* ``content``: mean absolute HSV difference to the previous frame (0..255);
* ``histogram``: half the L1 distance between consecutive HSV histograms (0..1);
* ``luma``: mean brightness (HSV value, 0..255), for fades and flashes.

So memory grows by ~4 KB a frame whatever the resolution, and no full-size frame is held.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from ..errors import VideoDecodeError
from ..progress import ProgressFn, StopFn, check_stop, never_stop, no_progress
from ..video import VideoInfo, iter_batches, probe
from .push import translation_steps

ANALYSIS_SIZE = (96, 54)  # (w, h) decoded for the classic features
THUMB_SIZE = (48, 27)  # (w, h) TransNetV2's input
CHUNK = 64  # at most 255: the histogram labels each frame of a chunk with a uint8
HIST_BINS = 16  # per HSV channel
_LEVELS = np.arange(256)
# Value -> histogram bin per HSV channel (hue 0..179 spread over 0..255 first): cv2.LUT's table.
_BIN_LUT = (
    np.stack([np.minimum(_LEVELS, 179) * 256 // 180 >> 4, _LEVELS >> 4, _LEVELS >> 4], axis=1)
    .astype(np.uint8)
    .reshape(256, 1, 3)
)
QUEUE_CHUNKS = 4  # decoded chunks waiting for the analysis (4 x 64 frames of 96x54: 4 MB)


@dataclass
class ClipFeatures:
    """Everything the detectors need from one decoding pass. Arrays are indexed by frame."""

    info: VideoInfo
    thumbs: np.ndarray  # (T, 27, 48, 3) uint8 RGB
    content: np.ndarray  # (T,) float32; frame 0 is 0
    histogram: np.ndarray  # (T,) float32; frame 0 is 0
    luma: np.ndarray  # (T,) float32
    warnings: list[str] = field(default_factory=list)
    last_good_frame: int | None = None  # set when decoding stopped early
    # (T, 2) float32 whole-picture shift (dx, dy) of each thumbnail from the one before, in pixels
    # (``push.translation_steps``); None: not computed, the push test computes it when needed.
    shift: np.ndarray | None = None
    # (T,) float32 ``grey_steps`` of the thumbnails, computed per chunk while the next one decodes;
    # None: not computed (``clip_steps`` computes it).
    steps: np.ndarray | None = None

    @property
    def frame_count(self) -> int:
        return int(self.thumbs.shape[0])


STEP_CHUNK = 2048  # frames per chunk of whole-clip thumbnail arithmetic (bounded memory)


def grey_steps(thumbs: np.ndarray, grey: np.ndarray | None = None) -> np.ndarray:
    """(T,) float32 mean grey-level change of each thumbnail from the one before (frame 0: 0).
    At 48x27 the codec's pulses (a keyframe's new noise) mostly vanish; a jump of content does not.
    ``grey``: the thumbnails' (T, H, W) float32 channel mean, when the caller has it already."""
    steps = np.zeros(len(thumbs), np.float32)
    # In chunks, each with the frame before it: a float copy of a whole 10-minute clip's thumbnails
    # is 240 MB (peak memory grew with length by that much); the values are the same per frame.
    for first in range(1, len(thumbs), STEP_CHUNK):
        last = min(len(thumbs), first + STEP_CHUNK)
        part = (
            thumbs[first - 1 : last].astype(np.float32).mean(axis=3)
            if grey is None
            else grey[first - 1 : last]
        )
        steps[first:last] = np.abs(np.diff(part, axis=0)).mean(axis=(1, 2))
    return steps


def clip_steps(features: ClipFeatures) -> np.ndarray:
    """The clip's ``grey_steps``: the ones measured while decoding, else computed now."""
    if features.steps is not None and len(features.steps) == features.frame_count:
        return features.steps
    return grey_steps(features.thumbs)


class _Growing:
    """An array that grows along axis 0 by doubling (the container's frame count may be wrong)."""

    def __init__(self, capacity: int, shape: tuple[int, ...], dtype: type) -> None:
        self.data: np.ndarray = np.zeros((max(capacity, 1), *shape), dtype=dtype)
        self.size = 0

    def extend(self, values: np.ndarray) -> None:
        need = self.size + len(values)
        if need > len(self.data):
            grown = np.zeros((max(need, 2 * len(self.data)), *self.data.shape[1:]), self.data.dtype)
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        self.data[self.size : need] = values
        self.size = need

    def result(self) -> np.ndarray:
        return self.data[: self.size] if self.size < len(self.data) else self.data


class _ChunkProcessor:
    """Turns chunks of analysis-size RGB frames into features, carrying the last frame over."""

    def __init__(self, capacity: int) -> None:
        self.thumbs = _Growing(capacity, (THUMB_SIZE[1], THUMB_SIZE[0], 3), np.uint8)
        self.content = _Growing(capacity, (), np.float32)
        self.histogram = _Growing(capacity, (), np.float32)
        self.luma = _Growing(capacity, (), np.float32)
        self.shift = _Growing(capacity, (2,), np.float32)
        self.steps = _Growing(capacity, (), np.float32)
        self._prev_thumb: np.ndarray | None = None
        self._prev_hsv: np.ndarray | None = None
        self._prev_hist: np.ndarray | None = None
        self._index: np.ndarray | None = None

    def _frame_index(self, n: int, h: int, w: int) -> np.ndarray:
        """(n*h, w) uint8: which frame of the stacked chunk each pixel belongs to."""
        if self._index is None or self._index.shape != (n * h, w):
            self._index = np.repeat(np.arange(n, dtype=np.uint8), h * w).reshape(n * h, w)
        return self._index

    def process(self, frames: np.ndarray) -> None:
        import cv2

        n, h, w, _ = frames.shape
        # An exact halving of the stacked chunk: rows pair up inside each frame (h is even), so one
        # INTER_AREA call gives every frame's 2x2 box average.
        stacked_rgb = frames.reshape(n * h, w, 3)
        thumbs = cv2.resize(stacked_rgb, (w // 2, n * h // 2), interpolation=cv2.INTER_AREA)
        thumbs = thumbs.reshape(n, h // 2, w // 2, 3)
        self.thumbs.extend(thumbs)
        # Here rather than after decoding: this thread has time while the next chunk decodes.
        carried = thumbs if self._prev_thumb is None else np.concatenate([self._prev_thumb, thumbs])
        grey = carried.astype(np.float32).mean(axis=3)  # one grey copy for the shift and the steps
        dx, dy, _peak = translation_steps(carried, grey=grey)
        skip = 0 if self._prev_thumb is None else 1
        self.shift.extend(np.stack([dx[skip:], dy[skip:]], axis=1))
        self.steps.extend(grey_steps(carried, grey)[skip:])
        self._prev_thumb = thumbs[-1:].copy()

        hsv = cv2.cvtColor(stacked_rgb, cv2.COLOR_RGB2HSV).reshape(n, h, w, 3)
        if self._prev_hsv is None:
            self._prev_hsv = hsv[:1]
        stacked = np.concatenate([self._prev_hsv, hsv], axis=0)
        # cv2.absdiff on uint8 is |a - b| exactly, without widening the chunk to int16 first.
        changed = cv2.absdiff(stacked[1:].reshape(n * h, w, 3), stacked[:-1].reshape(n * h, w, 3))
        content = changed.reshape(n, -1).mean(axis=1, dtype=np.float32)
        self._prev_hsv = hsv[-1:].copy()

        # Per-frame histograms in C: a lookup table puts each channel's value in its bin (hue is
        # 0..179 in OpenCV, so it is spread onto the same 16 bins first), and one 2-D calcHist per
        # channel over (frame index, bin) counts every frame of the chunk at once.
        binned = cv2.LUT(hsv.reshape(n * h, w, 3), _BIN_LUT)
        index = self._frame_index(n, h, w)
        hist = np.concatenate(
            [
                cv2.calcHist([index, binned], [0, 1 + c], None, [n, HIST_BINS], [0, n, 0, HIST_BINS])
                for c in range(3)
            ],
            axis=1,
        ) / float(h * w * 3)
        if self._prev_hist is None:
            self._prev_hist = hist[:1]
        hist_stack = np.concatenate([self._prev_hist, hist], axis=0)
        histogram = 0.5 * np.abs(np.diff(hist_stack, axis=0)).sum(axis=1)
        self._prev_hist = hist[-1:]

        self.content.extend(content)
        self.histogram.extend(histogram.astype(np.float32))
        self.luma.extend(hsv[..., 2].mean(axis=(1, 2), dtype=np.float32))


def extract_features(
    path: str | os.PathLike[str],
    *,
    info: VideoInfo | None = None,
    progress: ProgressFn = no_progress,
    should_stop: StopFn = never_stop,
) -> ClipFeatures:
    """Decode ``path`` once and return the per-frame features and thumbnails.

    Arguments:
        info: the ``probe`` result when the caller already has it.
        progress, should_stop: the usual callbacks (checked every frame by the decoder).

    Returns:
        ``ClipFeatures``; when decoding stopped early, ``last_good_frame`` and a warning say where.

    Raises:
        VideoOpenError: missing, empty, audio-only or undecodable file.
        Cancelled: ``should_stop()`` became true.
    """
    info = info or probe(path, should_stop=should_stop)
    processor = _ChunkProcessor(info.frame_count + 1)
    warnings: list[str] = []
    last_good: int | None = None
    # FFmpeg scales and converts every frame to the analysis size in the decode thread (swscale,
    # area filter) and hands over chunks of CHUNK frames: no full-size frame reaches Python, and
    # the features of one chunk are computed here while the next one decodes.
    batches = iter_batches(
        info.path,
        size=ANALYSIS_SIZE,
        color="rgb",
        batch=CHUNK,
        queue_depth=QUEUE_CHUNKS,
        expected_frames=info.frame_count,
        progress=progress,
        should_stop=should_stop,
    )
    try:
        for _, chunk in batches:
            processor.process(chunk)
    except VideoDecodeError as exc:
        last_good = exc.last_good_frame
        warnings.append(
            f"Decoding stopped after frame {exc.last_good_frame} of {info.frame_count}: the file is "
            "truncated or damaged. Cuts up to that frame are kept; re-export or re-copy the file "
            "to analyse the rest."
        )
    check_stop(should_stop)
    return ClipFeatures(
        info=info,
        thumbs=processor.thumbs.result(),
        content=processor.content.result(),
        histogram=processor.histogram.result(),
        luma=processor.luma.result(),
        shift=processor.shift.result(),
        steps=processor.steps.result(),
        warnings=warnings,
        last_good_frame=last_good,
    )
