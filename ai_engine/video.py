"""The one decoding path every feature uses: probing and streaming frames.

* ``probe(path)`` answers what a video is (``VideoInfo``): frame count, fps, duration, displayed
  size, rotation, variable frame rate, audio.
* ``iter_frames(path, ...)`` streams ``(index, frame)`` pairs: never all frames in memory,
  optional downscale, indices are 0-based positions in decode order (the order OpenCV and the
  ground truth use), optionally decoded in a background thread so decoding overlaps the
  consumer's work on the other core.

Frames come out displayed-upright (OpenCV applies the container's rotation), RGB ``uint8`` by
default. A file that stops decoding part-way yields every good frame, then raises
``VideoDecodeError`` naming the last good frame, so a caller can keep what it has.
"""

from __future__ import annotations

import math
import os
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from .container import ContainerInfo, read_container
from .contract import Contract
from .errors import VideoDecodeError, VideoOpenError
from .progress import ProgressFn, StopFn, check_stop, never_stop, no_progress

ColorMode = Literal["rgb", "bgr", "gray"]

AUDIO_EXTENSIONS = {".wav", ".mp3", ".flac", ".ogg", ".oga", ".aac", ".m4a", ".opus", ".aif", ".aiff", ".wma"}


@dataclass(frozen=True)
class VideoInfo(Contract):
    """What a video file holds. Sizes are as displayed (after rotation)."""

    path: str
    frame_count: int
    fps: float  # average frames per second (frame_count / duration)
    nominal_fps: float  # the container's declared rate; differs from ``fps`` on VFR files
    duration: float  # seconds
    width: int
    height: int
    rotation: int  # degrees clockwise the player rotates the stored picture (0, 90, 180, 270)
    variable_frame_rate: bool
    has_audio: bool
    codec: str
    container: str


def _open_capture(path: str):  # type: ignore[no-untyped-def]
    import cv2

    cap = cv2.VideoCapture(path, cv2.CAP_FFMPEG)
    if not cap.isOpened():
        cap.release()
        return None
    # Upright frames, as a player shows them (phones store portrait video rotated + a flag).
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    return cap


def _check_path(path: str | os.PathLike[str]) -> str:
    p = Path(path)
    if not p.exists():
        raise VideoOpenError(f"Video not found: {p}. Check the path (and that the drive is mounted).")
    if p.is_dir():
        raise VideoOpenError(f"{p} is a folder, not a video file. Pick a video file inside it.")
    if p.stat().st_size == 0:
        raise VideoOpenError(f"{p} is empty (0 bytes): the copy or download did not finish. Copy it again.")
    if not os.access(p, os.R_OK):
        raise VideoOpenError(f"{p} cannot be read (permission denied). Fix its permissions or copy it.")
    return str(p)


def _not_a_video(path: str, container: ContainerInfo) -> VideoOpenError:
    suffix = Path(path).suffix.lower()
    if (container.has_audio and not container.has_video) or suffix in AUDIO_EXTENSIONS:
        return VideoOpenError(
            f"{path} is an audio-only file (no picture). Add it as a sound strip instead "
            "(Sequencer › Add › Sound), or pick a video file."
        )
    if container.format == "mp4" and not container.tracks:
        return VideoOpenError(
            f"{path} is truncated: its index (the 'moov' box) is missing, so no player can read it. "
            "The copy or export did not finish; copy or export it again."
        )
    return VideoOpenError(
        f"{path} is not a video Clapper can decode (unknown format, or the file is damaged). "
        "Re-export it as H.264 MP4 and try again."
    )


def _fourcc(cap) -> str:  # type: ignore[no-untyped-def]
    import cv2

    code = int(cap.get(cv2.CAP_PROP_FOURCC))
    text = "".join(chr((code >> (8 * i)) & 0xFF) for i in range(4))
    return text.strip("\x00 ") if text.isprintable() else ""


def probe(path: str | os.PathLike[str], *, should_stop: StopFn = never_stop) -> VideoInfo:
    """Describe a video without decoding its pictures where the container allows it.

    Raises:
        VideoOpenError: missing, empty, audio-only, not a video, or no decodable frame.
    """
    import cv2

    path = _check_path(path)
    container = read_container(path)
    cap = _open_capture(path)
    if cap is None:
        raise _not_a_video(path, container)
    try:
        rotation = int(round(cap.get(cv2.CAP_PROP_ORIENTATION_META) or 0)) % 360
        nominal_fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        codec = _fourcc(cap)
        track = container.video
        timestamps_ms: list[float] = []
        # One decoded frame proves the stream decodes and gives the displayed (upright) size.
        ok, first = cap.read()
        if not ok or first is None:
            raise _not_a_video(path, container)
        height, width = first.shape[:2]
        if track is not None and track.sample_count:
            frame_count = int(track.sample_count)
            variable = bool(track.variable_rate)
            duration = None
            if track.timescale and track.sample_deltas:
                ticks = sum(c * d for c, d in track.sample_deltas)
                duration = ticks / track.timescale
        else:
            # No sample table (Matroska, AVI, ...): count by demuxing, which is exact and cheap.
            timestamps_ms.append(float(cap.get(cv2.CAP_PROP_POS_MSEC)))
            frame_count = 1
            while cap.grab():
                timestamps_ms.append(float(cap.get(cv2.CAP_PROP_POS_MSEC)))
                frame_count += 1
                if frame_count % 500 == 0:
                    check_stop(should_stop)
            deltas = np.diff(np.asarray(timestamps_ms)) if len(timestamps_ms) > 2 else np.zeros(0)
            variable = bool(deltas.size and (deltas.max() - deltas.min()) > 1.5)
            duration = None
            if len(timestamps_ms) > 1 and deltas.size:
                duration = (timestamps_ms[-1] - timestamps_ms[0] + float(np.median(deltas))) / 1000.0
    finally:
        cap.release()

    if not duration or duration <= 0:
        duration = frame_count / nominal_fps if nominal_fps > 0 else 0.0
    fps = frame_count / duration if duration > 0 else nominal_fps
    if not variable and nominal_fps > 0:
        fps = nominal_fps  # keep 29.97 as 29.97 rather than a rounding of it
    return VideoInfo(
        path=os.path.abspath(path),
        frame_count=frame_count,
        fps=round(fps, 6),
        nominal_fps=round(nominal_fps, 6),
        duration=round(duration, 6),
        width=width,
        height=height,
        rotation=rotation,
        variable_frame_rate=variable,
        has_audio=bool(container.has_audio),
        codec=codec,
        container=container.format,
    )


def fit_size(width: int, height: int, max_side: int | None) -> tuple[int, int]:
    """The (w, h) that keeps the aspect ratio with the longer side at most ``max_side`` (even sizes)."""
    if not max_side or max(width, height) <= max_side:
        return width, height
    scale = max_side / max(width, height)
    return max(2, int(round(width * scale / 2)) * 2), max(2, int(round(height * scale / 2)) * 2)


def _convert(frame: np.ndarray, color: ColorMode, size: tuple[int, int] | None) -> np.ndarray:
    import cv2

    if size is not None and (frame.shape[1], frame.shape[0]) != size:
        frame = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
    if color == "rgb":
        return cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    if color == "gray":
        return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    return frame


def _decode(
    path: str,
    *,
    size: tuple[int, int] | None,
    max_side: int | None,
    color: ColorMode,
    start: int,
    stop: int | None,
    step: int,
) -> Iterator[tuple[int, np.ndarray]]:
    cap = _open_capture(path)
    if cap is None:
        raise _not_a_video(path, read_container(path))
    try:
        index = 0
        out_size = size
        while stop is None or index < stop:
            wanted = index >= start and (index - start) % step == 0
            if not wanted:
                if not cap.grab():  # demux only: skipped frames cost no pixel conversion
                    break
                index += 1
                continue
            ok, frame = cap.read()
            if not ok or frame is None:
                break
            if out_size is None and max_side:
                out_size = fit_size(frame.shape[1], frame.shape[0], max_side)
            yield index, _convert(frame, color, out_size)
            index += 1
    finally:
        cap.release()


_DONE = object()


def iter_frames(
    path: str | os.PathLike[str],
    *,
    size: tuple[int, int] | None = None,
    max_side: int | None = None,
    color: ColorMode = "rgb",
    start: int = 0,
    stop: int | None = None,
    step: int = 1,
    threaded: bool = True,
    queue_depth: int = 16,
    expected_frames: int | None = None,
    progress: ProgressFn = no_progress,
    should_stop: StopFn = never_stop,
) -> Iterator[tuple[int, np.ndarray]]:
    """Stream ``(index, frame)`` in decode order.

    Arguments:
        size: exact output (width, height); ``max_side``: shrink so the longer side fits.
        start/stop/step: which decode-order indices to yield (skipped frames are only demuxed).
        threaded: decode in a background thread feeding a bounded queue (memory stays flat).
        expected_frames: when given (e.g. ``probe().frame_count``), a stream that ends early raises
            ``VideoDecodeError`` after yielding every good frame; progress fractions use it too.

    Raises:
        VideoOpenError, VideoDecodeError, Cancelled.
    """
    path = _check_path(path)
    if expected_frames is None:
        # Container frame count: cheap, used for progress and early-end detection.
        track = read_container(path).video
        expected_frames = track.sample_count if track is not None else None
    end = expected_frames if stop is None else (min(stop, expected_frames) if expected_frames else stop)
    decoder = _decode(path, size=size, max_side=max_side, color=color, start=start, stop=stop, step=step)
    source: Iterator[tuple[int, np.ndarray]] = _prefetch(decoder, queue_depth) if threaded else decoder
    last = start - 1
    report_every = max(1, (end or 1000) // 200)
    try:
        for index, frame in source:
            last = index
            if should_stop():
                check_stop(should_stop)
            if end and index % report_every == 0:
                progress(min(index / end, 1.0), f"frame {index + 1} of {end}")
            yield index, frame
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()
    if end and last < end - 1 and (stop is None or last < stop - step):
        raise VideoDecodeError(
            f"{path}: decoding stopped after frame {last} of {end} (the file is truncated or damaged). "
            "Results so far cover frames up to there; re-export or re-copy the file for the rest.",
            last_good_frame=last,
        )


def _prefetch(source: Iterator[tuple[int, np.ndarray]], depth: int) -> Iterator[tuple[int, np.ndarray]]:
    """Run ``source`` in a thread feeding a bounded queue; the thread is joined on exit."""
    items: queue.Queue[object] = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()
    failure: list[BaseException] = []

    def produce() -> None:
        try:
            for item in source:
                while not stop.is_set():
                    try:
                        items.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    break
        except BaseException as exc:  # re-raised in the consumer
            failure.append(exc)
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()
            while not stop.is_set():
                try:
                    items.put(_DONE, timeout=0.1)
                    break
                except queue.Full:
                    continue

    thread = threading.Thread(target=produce, name="clapper-decode", daemon=True)
    thread.start()
    try:
        while True:
            item = items.get()
            if item is _DONE:
                break
            yield item  # type: ignore[misc]
        if failure:
            raise failure[0]
    finally:
        stop.set()
        thread.join(timeout=10)


def frame_at_time(info: VideoInfo, seconds: float) -> int:
    """The decode-order index of the frame shown at ``seconds`` for constant-rate video."""
    return max(0, min(info.frame_count - 1, int(math.floor(seconds * info.fps + 1e-6))))


def frame_times(path: str | os.PathLike[str], *, should_stop: StopFn = never_stop) -> np.ndarray:
    """Presentation time in seconds of every frame, in decode order (demuxes, does not decode).

    This is what maps a decode-order frame index onto a timeline by time, which matters for VFR
    clips (Blender plays them at their nominal rate, so its frame N is not our frame N).
    """
    import cv2

    path = _check_path(path)
    cap = _open_capture(path)
    if cap is None:
        raise _not_a_video(path, read_container(path))
    times: list[float] = []
    try:
        while cap.grab():
            times.append(float(cap.get(cv2.CAP_PROP_POS_MSEC)) / 1000.0)
            if len(times) % 500 == 0:
                check_stop(should_stop)
    finally:
        cap.release()
    return np.asarray(times, dtype=np.float64)
