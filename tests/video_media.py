"""Test media made at test time: FFmpeg (imageio-ffmpeg's binary) and PyAV write small files whose
true properties are known by construction (rate, timestamps, tracks, pixel format, rotation)."""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest


def ffmpeg(*args: str | Path) -> None:
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", *map(str, args)]
    subprocess.run(cmd, check=True, capture_output=True)


def pattern(size: str = "320x180", rate: str = "25", seconds: float = 2) -> list[str]:
    return ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:duration={seconds}"]


def sine(freq: int, seconds: float, rate: int = 48000) -> list[str]:
    return ["-f", "lavfi", "-i", f"sine=frequency={freq}:duration={seconds}:sample_rate={rate}"]


def flat(colour: str, size: str = "320x180", rate: str = "25", seconds: float = 1) -> list[str]:
    return ["-f", "lavfi", "-i", f"color=c={colour}:size={size}:rate={rate}:duration={seconds}"]


def write_with_timestamps(path: Path, stamps_ms: list[int], *, declared_fps: int) -> None:
    """H.264 frames at the given presentation times (ms) in a stream whose header declares ``declared_fps``.

    Frame ``i`` is a flat grey of level ``(i * 7) % 256`` so tests can tell frames apart.
    """
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=declared_fps)
        stream.width, stream.height, stream.pix_fmt = 160, 96, "yuv420p"
        stream.codec_context.time_base = Fraction(1, 1000)
        stream.options = {"preset": "ultrafast", "bf": "0"}
        for i, stamp in enumerate(stamps_ms):
            image = np.full((96, 160, 3), (i * 7) % 256, np.uint8)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts, frame.time_base = stamp, Fraction(1, 1000)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def write_empty_video_track(path: Path) -> None:
    """A container with a declared video stream and not one frame in it."""
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = 160, 96, "yuv420p"
        out.start_encoding()  # headers are written; no frame ever follows
