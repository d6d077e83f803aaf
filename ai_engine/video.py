"""The one decoding path every feature uses: probing and streaming frames, through PyAV (FFmpeg).

* ``probe(path) -> VideoInfo`` answers what a file is: the video stream's frame count (from the
  container header, or counted by demuxing packets when the header does not say: ``frame_count_source``),
  its real frame rate and whether it is variable (decided from the packets' timestamps, not from what
  the container declares), displayed size and rotation (the display-matrix side data), pixel format,
  bit depth, interlacing, and every audio track (``audio_tracks``: codec, channels, rate and the
  container stream index, so each can become its own sound strip).
* ``iter_frames(path, size=(w, h), color="gray") -> Iterator[(index, ndarray)]`` streams frames.
  FFmpeg decodes with its own threads (``thread_type="AUTO"``) and scales and converts each frame
  (swscale, area filter) straight to the requested size and pixel format, so a full-size picture
  reaches Python only when no ``size``/``max_side`` is asked for. ``color`` is the output pixel
  format: ``"rgb"`` (FFmpeg ``rgb24``, H×W×3), ``"bgr"`` (``bgr24``, H×W×3, what cv2 expects) or
  ``"gray"`` (``gray``, H×W, the luma plane). Frames are ``uint8`` at any source bit depth
  (10-bit and 4:4:4 are converted by swscale), upright as a player shows them (rotation applied),
  contiguous, and never reused by the decoder (safe to keep).
* ``iter_batches(path, size=..., color=..., batch=64) -> Iterator[(first_index, ndarray)]`` is the
  same stream packed into ``(n, H, W[, 3])`` arrays in the decode thread: one queue hand-off per batch
  instead of per frame, for analysis that works on whole chunks (the cut detector's fast pass).
* ``frame_times(path)`` gives every frame's presentation time in seconds (demuxed, not decoded).
* ``extract_audio_track(path, n, out.mka)`` copies audio track ``n`` into a file of its own (Blender
  plays only a file's first audio stream, so each further track needs one to become a sound strip).

Indices are 0-based positions in decode (presentation) order: the order the ground truth and every
player use. Decoding normally runs in a background thread feeding a bounded queue (``threaded``), so
it overlaps the consumer's work and memory stays flat with length. A file that stops decoding
part-way yields every good frame, then raises ``VideoDecodeError`` naming the last good frame, so a
caller can keep what it has.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from .contract import Contract
from .errors import VideoDecodeError, VideoOpenError
from .progress import ProgressFn, StopFn, check_stop, never_stop, no_progress
from .settings import threads_asked

if TYPE_CHECKING:
    import av
    import av.container
    import av.video.stream

ColorMode = Literal["rgb", "bgr", "gray"]
FrameCountSource = Literal["header", "demuxed"]

PIXEL_FORMATS: dict[str, str] = {"rgb": "rgb24", "bgr": "bgr24", "gray": "gray"}
"""``color`` → the FFmpeg pixel format swscale converts to."""

AUDIO_EXTENSIONS = {".wav", ".mp3", ".flac", ".ogg", ".oga", ".aac", ".m4a", ".opus", ".aif", ".aiff", ".wma"}
_FIELD_ORDERS = {0: "unknown", 1: "progressive", 2: "tt", 3: "bb", 4: "tb", 5: "bt"}
_INTERPOLATION = "AREA"  # averages every source pixel: the right filter for large reductions


@dataclass(frozen=True)
class AudioTrack(Contract):
    """One audio stream of a file."""

    stream_index: int  # the container's stream index (ffmpeg ``-map 0:N``)
    audio_index: int  # 0-based among the file's audio streams (ffmpeg ``-map 0:a:N``)
    codec: str  # FFmpeg codec name: "aac", "ac3", "pcm_s16le", ...
    channels: int
    sample_rate: int
    language: str  # ISO 639 code from the container, "" when not stated
    title: str


@dataclass(frozen=True)
class VideoInfo(Contract):
    """What a video file holds. Sizes are as displayed (after rotation)."""

    path: str
    frame_count: int
    fps: float  # the rate the timestamps show: exact for constant rate, frame_count / duration for VFR
    nominal_fps: float  # the container's declared rate (what Blender plays a VFR file at)
    duration: float  # seconds, first frame's start to last frame's end
    width: int
    height: int
    rotation: int  # degrees clockwise the player rotates the stored picture (0, 90, 180, 270)
    variable_frame_rate: bool  # decided from the packets' timestamps
    has_audio: bool
    codec: str  # FFmpeg codec name of the video stream: "h264", "hevc", "mpeg4", ...
    container: str  # "mp4", "mov", "matroska", "avi", ...
    frame_count_source: FrameCountSource = "header"  # "header": the container says; "demuxed": counted
    video_stream_index: int = 0
    pixel_format: str = ""  # as stored: "yuv420p", "yuv420p10le", "yuv444p", ...
    bit_depth: int = 8
    interlaced: bool = False
    field_order: str = "progressive"  # "progressive", "tt", "bb", "tb", "bt" or "unknown"
    audio_tracks: tuple[AudioTrack, ...] = ()


# --- opening ---------------------------------------------------------------------------------


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


def _looks_like_mp4(path: str) -> bool:
    with open(path, "rb") as f:
        head = f.read(12)
    return head[4:8] in (b"ftyp", b"mdat", b"wide", b"free")


def _open(path: str) -> av.container.InputContainer:
    import av  # imported on first use: the add-on imports VideoInfo inside Blender, FFmpeg stays out

    try:
        return av.open(path, "r", metadata_errors="ignore")
    except PermissionError as exc:
        raise VideoOpenError(
            f"{path} cannot be read (permission denied). Fix its permissions or copy it."
        ) from exc
    except av.error.EOFError as exc:  # headers, then nothing: a recording that never got a frame
        raise _no_frames(path) from exc
    except av.error.FFmpegError as exc:
        if _looks_like_mp4(path):
            raise VideoOpenError(
                f"{path} is truncated: its index (the 'moov' box) is missing, so no player can read it. "
                "The copy or export did not finish; copy or export it again."
            ) from exc
        if Path(path).suffix.lower() in AUDIO_EXTENSIONS:
            raise _audio_only(path) from exc
        raise VideoOpenError(
            f"{path} is not a video Clapper can decode (unknown format, or the file is damaged: "
            f"{exc.strerror or exc}). Re-export it as H.264 MP4 and try again."
        ) from exc


def _audio_only(path: str) -> VideoOpenError:
    return VideoOpenError(
        f"{path} is an audio-only file (no picture). Add it as a sound strip instead "
        "(Sequencer › Add › Sound), or pick a video file."
    )


def _video_stream(container: av.container.InputContainer, path: str) -> av.video.stream.VideoStream:
    """The first real video stream (cover art in a music file is not one)."""
    import av

    for stream in container.streams.video:
        if not stream.disposition & av.stream.Disposition.attached_pic:
            return stream
    if container.streams.audio:
        raise _audio_only(path)
    raise VideoOpenError(f"{path} holds no video stream. Pick a video file.")


def _no_frames(path: str) -> VideoOpenError:
    return VideoOpenError(
        f"{path} has a video track but no picture decodes from it (0 frames): the recording or export "
        "did not finish, or the file is damaged. Record or export it again."
    )


# --- probing ---------------------------------------------------------------------------------


def _audio_tracks(container: av.container.InputContainer) -> tuple[AudioTrack, ...]:
    tracks = []
    for n, stream in enumerate(container.streams.audio):
        ctx = stream.codec_context
        channels = getattr(ctx, "channels", None) or (ctx.layout.nb_channels if ctx.layout else 0)
        tracks.append(
            AudioTrack(
                stream_index=stream.index,
                audio_index=n,
                codec=ctx.name or "",
                channels=int(channels or 0),
                sample_rate=int(ctx.sample_rate or 0),
                language=stream.language or "",
                title=str(stream.metadata.get("title", "")),
            )
        )
    return tuple(tracks)


def _container_name(container: av.container.InputContainer, path: str) -> str:
    names = container.format.name.split(",")
    ext = Path(path).suffix.lower().lstrip(".")
    if ext in names:
        return ext
    return "mp4" if "mp4" in names else names[0]


def _rotation_cw(frame: av.VideoFrame) -> int:
    """Degrees clockwise a player turns the stored picture (FFmpeg's display matrix is counter-clockwise)."""
    return int(round(-float(frame.rotation or 0))) % 360 // 90 * 90


def _bit_depth(fmt: av.VideoFormat | None) -> int:
    if fmt is None or not fmt.components:
        return 8
    return max(int(c.bits) for c in fmt.components)


def _is_variable(steps: np.ndarray, tick: float) -> bool:
    """True when the frame steps (seconds) are not all one period.

    A constant-rate file still jitters by a tick when its timebase cannot hold the period exactly
    (23.976 fps in Matroska's milliseconds: 41, 42, 42 ms), and the last frame's step is often short.
    """
    steps = steps[:-1] if steps.size > 2 else steps
    if steps.size == 0:
        return False
    period = float(np.median(steps))
    if period <= 0:
        return True
    tolerance = max(1.5 * tick, 0.1 * period)
    return bool(np.any(np.abs(steps - period) > tolerance))


def _rate_from_period(period: float, nominal: float) -> float:
    """The frame rate a constant period means, kept exact where it is a common rational rate."""
    if period <= 0:
        return nominal
    measured = 1.0 / period
    if nominal > 0 and abs(measured - nominal) <= 0.002 * nominal:
        return nominal  # keep 29.97002997 rather than a rounding of it
    # Whole rates first (25 is not 24.975), then the NTSC ones (24000/1001, 30000/1001 …).
    for candidate in (Fraction(round(measured)), Fraction(round(measured * 1.001) * 1000, 1001)):
        if candidate > 0 and abs(float(candidate) - measured) <= 0.0004 * measured:
            return float(candidate)
    return measured


def media_seconds(path: str) -> float | None:
    """Duration of ``path``'s longest stream from its container header alone (no packet scan, no
    decoding: milliseconds a file, for ordering work); None if it is unknown or no media FFmpeg reads
    (a .bvh, a .blend). ``probe`` is the full, checked reading."""
    if not os.path.isfile(path):
        return None
    try:
        with _open(path) as container:
            if container.duration is not None and container.duration > 0:
                return float(container.duration) / 1_000_000
            best = 0.0
            for stream in container.streams:
                if stream.duration is not None and stream.time_base is not None:
                    best = max(best, float(stream.duration * stream.time_base))
            return best or None
    except Exception:  # VideoOpenError for what FFmpeg cannot read, anything else a header may raise
        return None


def probe(path: str | os.PathLike[str], *, should_stop: StopFn = never_stop) -> VideoInfo:
    """Describe a video: decodes only its first picture, demuxes packets only where needed.

    MP4/MOV give every frame's timestamp in their index; other containers (Matroska, AVI, MPEG-TS …)
    are demuxed once (packets read, not decoded) to count frames when the header does not say and to
    read their timestamps.

    Raises:
        VideoOpenError: missing, empty, unreadable, audio-only, not a video, or no decodable frame.
        Cancelled: ``should_stop()`` became true while demuxing a long file.
    """
    path = _check_path(path)
    with _open(path) as container:
        # Everything is read inside the block: PyAV's stream objects dangle once the file is closed.
        stream = _video_stream(container, path)
        stream_index = int(stream.index)
        header_frames = int(stream.frames or 0)
        time_base = float(stream.time_base) if stream.time_base else 0.0
        stated_duration = (
            float(stream.duration * stream.time_base) if stream.duration and stream.time_base else 0.0
        )
        declared = stream.base_rate or stream.guessed_rate or stream.average_rate
        nominal_fps = float(declared) if declared else 0.0
        codec_ctx = stream.codec_context
        stored_format = codec_ctx.format
        pixel_format = stored_format.name if stored_format is not None else ""
        bit_depth = _bit_depth(stored_format)
        field_order = _FIELD_ORDERS.get(int(codec_ctx.field_order or 0), "unknown")
        index = [e.timestamp for e in stream.index_entries if not e.is_discard]
        # The MP4 index holds every sample; Matroska's holds only keyframes (cues).
        indexed = header_frames > 1 and len(index) == header_frames
        first, times, counted = _first_frame_and_times(
            container, stream, need_times=not indexed, stop=should_stop
        )
        audio = _audio_tracks(container)
        container_name = _container_name(container, path)
        codec = codec_ctx.name or ""
        if first is not None:
            rotation = _rotation_cw(first)
            width, height = int(first.width), int(first.height)
            interlaced = bool(first.interlaced_frame) or field_order in ("tt", "bb", "tb", "bt")
            pixel_format = pixel_format or first.format.name
            bit_depth = bit_depth if stored_format is not None else _bit_depth(first.format)
    if first is None:
        raise _no_frames(path)

    if indexed:
        pts = np.sort(np.asarray(index, dtype=np.float64)) * time_base
        frame_count, source = header_frames, "header"
    else:
        pts = np.sort(np.asarray(times, dtype=np.float64)) * time_base
        frame_count, source = (header_frames, "header") if header_frames > 0 else (max(counted, 1), "demuxed")

    steps = np.diff(pts) if pts.size > 1 else np.zeros(0)
    variable = _is_variable(steps, time_base)
    steady = steps[:-1] if steps.size > 2 else steps  # the last frame's step is often short
    if variable:
        span = float(pts[-1] - pts[0])
        # The container's own total includes the last picture's display time; timestamps cannot.
        plausible = span < stated_duration <= span + 2 * float(steps.max())
        duration = stated_duration if plausible else span + float(np.median(steady))
        fps = frame_count / duration if duration > 0 else nominal_fps
    else:
        period = float(steady.mean()) if steady.size else (1.0 / nominal_fps if nominal_fps > 0 else 0.0)
        fps = _rate_from_period(period, nominal_fps)
        duration = frame_count / fps if fps > 0 else 0.0
    if rotation in (90, 270):
        width, height = height, width
    return VideoInfo(
        path=os.path.abspath(path),
        frame_count=int(frame_count),
        fps=round(fps, 6),
        nominal_fps=round(nominal_fps, 6),
        duration=round(duration, 6),
        width=width,
        height=height,
        rotation=rotation,
        variable_frame_rate=variable,
        has_audio=bool(audio),
        codec=codec,
        container=container_name,
        frame_count_source=source,  # type: ignore[arg-type]
        video_stream_index=stream_index,
        pixel_format=pixel_format,
        bit_depth=bit_depth,
        interlaced=interlaced,
        field_order=field_order if interlaced or field_order != "unknown" else "progressive",
        audio_tracks=audio,
    )


def _first_frame_and_times(
    container: av.container.InputContainer,
    stream: av.video.stream.VideoStream,
    *,
    need_times: bool,
    stop: StopFn,
) -> tuple[av.VideoFrame | None, list[int], int]:
    """Decode the first picture; when ``need_times``, demux every video packet for its timestamp."""
    import av

    first: av.VideoFrame | None = None
    times: list[int] = []
    counted = 0
    try:
        for packet in container.demux(stream):
            if packet.size == 0:  # the flush packet at the end
                continue
            if first is None:
                first = _decode_first(stream, packet)
            if not need_times:
                if first is not None:
                    break
                continue
            if packet.is_discard:
                continue
            counted += 1
            stamp = packet.pts if packet.pts is not None else packet.dts
            if stamp is not None:
                times.append(stamp)
            if counted % 1000 == 0:
                check_stop(stop)
    except av.error.FFmpegError:
        pass  # a damaged tail: what was read before it is what the file holds
    if first is None:
        try:
            first = next(iter(stream.codec_context.decode(None)), None)  # frames held back by the decoder
        except av.error.FFmpegError:
            first = None
    return first, times, counted


def _decode_first(stream: av.video.stream.VideoStream, packet: av.Packet) -> av.VideoFrame | None:
    import av

    try:
        frames = stream.codec_context.decode(packet)
    except av.error.FFmpegError:
        return None  # a damaged packet: try the next one
    return frames[0] if frames else None


def frame_times(path: str | os.PathLike[str], *, should_stop: StopFn = never_stop) -> np.ndarray:
    """Presentation time in seconds of every frame, in presentation order (demuxes, does not decode).

    This maps a frame index onto a timeline by time, which matters for VFR clips (Blender lays them
    out by timestamp at their nominal rate, so its frame N is not our frame N).
    """
    import av

    path = _check_path(path)
    with _open(path) as container:
        stream = _video_stream(container, path)
        time_base = float(stream.time_base) if stream.time_base else 0.0
        stamps: list[int] = []
        try:
            for packet in container.demux(stream):
                if packet.size == 0 or packet.is_discard:
                    continue
                stamp = packet.pts if packet.pts is not None else packet.dts
                if stamp is not None:
                    stamps.append(stamp)
                if len(stamps) % 1000 == 0:
                    check_stop(should_stop)
        except av.error.FFmpegError:
            pass
    return np.sort(np.asarray(stamps, dtype=np.float64)) * time_base


def extract_audio_track(
    path: str | os.PathLike[str], audio_index: int, out: str | os.PathLike[str]
) -> AudioTrack:
    """Copy audio track ``audio_index`` (0-based among the audio streams) of ``path`` into ``out``.

    Blender's sound strips play a file's first audio stream only, so every further track needs a
    file of its own. The packets are copied, not re-encoded (bit-exact, fast); ``out`` should be a
    Matroska audio file (``.mka``), which holds any codec. Written to a temporary name and renamed,
    so a failure leaves no half file.

    Raises:
        VideoOpenError: ``path`` cannot be read or has no such track.
    """
    import av

    path = _check_path(path)
    target = Path(out)
    partial = target.with_name(target.name + ".partial")
    with _open(path) as container:
        tracks = _audio_tracks(container)
        if not 0 <= audio_index < len(tracks):
            raise VideoOpenError(
                f"{path} has {len(tracks)} audio track(s); there is no track {audio_index + 1}. Probe it again."
            )
        source = container.streams.audio[audio_index]
        try:
            with av.open(str(partial), "w", format="matroska") as sink:
                copy = sink.add_stream_from_template(source)
                for packet in container.demux(source):
                    if packet.dts is None:  # the flush packet
                        continue
                    packet.stream = copy
                    sink.mux(packet)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    partial.replace(target)
    return tracks[audio_index]


# --- decoding --------------------------------------------------------------------------------


def fit_size(width: int, height: int, max_side: int | None) -> tuple[int, int]:
    """The (w, h) that keeps the aspect ratio with the longer side at most ``max_side`` (even sizes)."""
    if not max_side or max(width, height) <= max_side:
        return width, height
    scale = max_side / max(width, height)
    return max(2, int(round(width * scale / 2)) * 2), max(2, int(round(height * scale / 2)) * 2)


class _Converter:
    """Turns decoded frames into upright uint8 arrays of one size and pixel format (swscale)."""

    def __init__(self, size: tuple[int, int] | None, max_side: int | None, color: ColorMode) -> None:
        import av.video.reformatter

        if color not in PIXEL_FORMATS:
            raise ValueError(f"color must be one of {sorted(PIXEL_FORMATS)}, not {color!r}")
        self.format = PIXEL_FORMATS[color]
        self.size = size
        self.max_side = max_side
        self.stored: tuple[int, int] | None = None  # (w, h) asked of swscale, before rotation
        self.turns = 0
        # One reformatter per stream keeps its SwsContext: frame.reformat() would build (and
        # compute filter taps for) a new one per frame, which costs more than the scaling itself.
        self.reformatter = av.video.reformatter.VideoReformatter()

    def _setup(self, frame: av.VideoFrame) -> None:
        rotation = _rotation_cw(frame)
        self.turns = rotation // 90
        shown = (frame.height, frame.width) if self.turns % 2 else (frame.width, frame.height)
        out = self.size or fit_size(shown[0], shown[1], self.max_side)
        self.stored = (out[1], out[0]) if self.turns % 2 else (out[0], out[1])

    def __call__(self, frame: av.VideoFrame) -> np.ndarray:
        if self.stored is None:
            self._setup(frame)
        assert self.stored is not None
        width, height = self.stored
        image: np.ndarray = self.reformatter.reformat(
            frame, width, height, self.format, interpolation=_INTERPOLATION
        ).to_ndarray()
        if self.turns:
            image = np.ascontiguousarray(np.rot90(image, k=-self.turns))  # k < 0: clockwise
        return image


def _decode(
    path: str,
    convert: _Converter,
    *,
    start: int,
    stop: int | None,
    step: int,
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(index, array)``; every frame is decoded (later ones reference it), only wanted ones converted."""
    import av

    with _open(path) as container:
        stream = _video_stream(container, path)
        stream.thread_type = "AUTO"  # frame + slice threads inside FFmpeg
        asked = threads_asked()
        if asked:  # a batch task's CPU budget (FFmpeg's own default is a thread per core, plus one)
            stream.thread_count = asked
        packets = container.demux(stream)
        flushed = False
        index = 0
        while not flushed:
            try:
                packet = next(packets)
            except StopIteration:
                break
            except av.error.FFmpegError:
                packet = None  # an unreadable tail: flush the decoder for the frames it still holds
            flushed = packet is None or packet.size == 0
            try:
                frames = stream.codec_context.decode(packet)
            except av.error.EOFError:
                break
            except av.error.FFmpegError:
                continue  # a damaged packet: FFmpeg resynchronises on the next one, as players do
            for frame in frames:
                if stop is not None and index >= stop:
                    return
                if index >= start and (index - start) % step == 0:
                    yield index, convert(frame)
                index += 1


def _expected_frames(path: str) -> int | None:
    """The header's frame count (cheap); ``None`` when the container does not say."""
    with _open(path) as container:
        stream = _video_stream(container, path)
        return int(stream.frames) if stream.frames else None


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
    """Stream ``(index, frame)`` in presentation order, converted inside FFmpeg.

    Arguments:
        size: exact output ``(width, height)`` as displayed; ``max_side``: shrink so the longer side
            fits (even sizes, aspect kept). Neither: the full displayed size.
        color: ``"rgb"`` → H×W×3 ``rgb24``; ``"bgr"`` → H×W×3 ``bgr24``; ``"gray"`` → H×W ``gray``.
        start/stop/step: which indices to yield (every frame is decoded; only these are converted).
        threaded: decode in a background thread feeding a bounded queue of ``queue_depth`` frames.
        expected_frames: when given (e.g. ``probe().frame_count``; else the header's count), a stream
            that ends early raises ``VideoDecodeError`` after yielding every good frame; progress
            fractions use it too.

    Raises:
        VideoOpenError, VideoDecodeError, Cancelled.
    """
    path = _check_path(path)
    if expected_frames is None:
        expected_frames = _expected_frames(path)
    convert = _Converter(size, max_side, color)
    end = expected_frames if stop is None else (min(stop, expected_frames) if expected_frames else stop)
    decoder = _decode(path, convert, start=start, stop=stop, step=step)
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
    if last < start and (stop is None or start < stop):
        if start == 0:
            raise _no_frames(path)
    if end and last < end - 1 and (stop is None or last < stop - step):
        raise VideoDecodeError(
            f"{path}: decoding stopped after frame {last} of {end} (the file is truncated or damaged). "
            "Results so far cover frames up to there; re-export or re-copy the file for the rest.",
            last_good_frame=last,
        )


def iter_batches(
    path: str | os.PathLike[str],
    *,
    size: tuple[int, int],
    color: ColorMode = "gray",
    batch: int = 64,
    queue_depth: int = 4,
    expected_frames: int | None = None,
    progress: ProgressFn = no_progress,
    should_stop: StopFn = never_stop,
) -> Iterator[tuple[int, np.ndarray]]:
    """Stream ``(first_index, frames)`` with ``frames`` shaped ``(n, H, W)`` or ``(n, H, W, 3)``, n ≤ ``batch``.

    The batches are filled in the decode thread, so the consumer pays one queue hand-off per batch.
    Each batch is a fresh array (safe to keep). The last one may be shorter. Errors as ``iter_frames``:
    a truncated file yields every good frame (the partial batch included) before ``VideoDecodeError``.
    """
    path = _check_path(path)
    if expected_frames is None:
        expected_frames = _expected_frames(path)
    convert = _Converter(size, None, color)
    shape = (size[1], size[0]) if color == "gray" else (size[1], size[0], 3)

    def batches() -> Iterator[tuple[int, np.ndarray]]:
        chunk = np.empty((batch, *shape), np.uint8)
        filled, first = 0, 0
        for index, frame in _decode(path, convert, start=0, stop=None, step=1):
            if filled == 0:
                first = index
            chunk[filled] = frame
            filled += 1
            if filled == batch:
                yield first, chunk
                chunk, filled = np.empty((batch, *shape), np.uint8), 0
        if filled:
            yield first, chunk[:filled]

    end = expected_frames
    last = -1
    source = _prefetch(batches(), queue_depth)
    try:
        for first, frames in source:
            check_stop(should_stop)
            last = first + len(frames) - 1
            if end:
                progress(min(last / end, 1.0), f"frame {last + 1} of {end}")
            yield first, frames
    finally:
        source.close()
    if last < 0:
        raise _no_frames(path)
    if end and last < end - 1:
        raise VideoDecodeError(
            f"{path}: decoding stopped after frame {last} of {end} (the file is truncated or damaged). "
            "Results so far cover frames up to there; re-export or re-copy the file for the rest.",
            last_good_frame=last,
        )


_BUNDLE_BYTES = 256 * 1024


def _prefetch(
    source: Iterator[tuple[int, np.ndarray]], depth: int
) -> Generator[tuple[int, np.ndarray], None, None]:
    """Run ``source`` in a thread feeding a bounded queue; the thread is joined on exit.

    Small items travel in bundles (up to 64, about 256 KB each): one queue hand-off, and so one
    GIL hand-over between the threads, per bundle rather than per 48x27 frame, which otherwise costs
    more than decoding it. Full-size frames travel one by one; the queue holds ``depth`` bundles.
    """
    bundles: queue.Queue[object] = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()
    failure: list[BaseException] = []

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                bundles.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        bundle: list[tuple[int, np.ndarray]] = []
        per_bundle = 0
        try:
            for item in source:
                if not per_bundle:
                    per_bundle = max(1, min(64, _BUNDLE_BYTES // max(1, item[1].nbytes)))
                bundle.append(item)
                if len(bundle) >= per_bundle:
                    if not put(bundle):
                        return
                    bundle = []
        except BaseException as exc:  # re-raised in the consumer, after the frames before it
            failure.append(exc)
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()
            if bundle:
                put(bundle)
            put(_DONE)

    thread = threading.Thread(target=produce, name="clapper-decode", daemon=True)
    thread.start()
    try:
        while True:
            bundle = bundles.get()
            if bundle is _DONE:
                break
            yield from bundle  # type: ignore[misc]
        if failure:
            raise failure[0]
    finally:
        stop.set()
        thread.join(timeout=10)
