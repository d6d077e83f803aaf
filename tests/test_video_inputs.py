"""ai_engine.video on files made here with known truth: every container, track layout, pixel format
and kind of damage an artist's footage comes in (no shared data needed, no bpy)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from video_media import ffmpeg, flat, pattern, sine, write_empty_video_track, write_with_timestamps

from ai_engine.errors import VideoDecodeError, VideoOpenError
from ai_engine.video import extract_audio_track, frame_times, iter_batches, iter_frames, probe


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("video-media")


# --- what the file holds ------------------------------------------------------------------------


@pytest.mark.parametrize("ext", ["avi", "mkv"])
def test_avi_and_mkv_with_ac3_at_23976_are_constant_rate_with_sound(media: Path, ext: str) -> None:
    path = media / f"camera.{ext}"
    ffmpeg(
        *pattern(rate="24000/1001", seconds=3),
        *sine(440, 3),
        "-c:v",
        "mpeg4",
        "-q:v",
        "5",
        "-c:a",
        "ac3",
        path,
    )
    info = probe(path)
    assert info.frame_count == 72  # 3 s at 23.976 (71.93 → 72 pictures)
    assert info.fps == pytest.approx(24000 / 1001, abs=1e-5)
    assert not info.variable_frame_rate
    assert info.has_audio and len(info.audio_tracks) == 1
    track = info.audio_tracks[0]
    assert (track.codec, track.stream_index, track.sample_rate, track.channels) == ("ac3", 1, 48000, 1)
    assert info.codec == "mpeg4" and info.container == ("avi" if ext == "avi" else "matroska")
    assert sum(1 for _ in iter_frames(path, size=(64, 36), color="gray")) == 72


@pytest.mark.parametrize("ext", ["mp4", "mkv", "mov"])
def test_two_audio_tracks_are_both_reported_with_their_stream_index(media: Path, ext: str) -> None:
    path = media / f"interview.{ext}"
    ffmpeg(
        *pattern(seconds=2), *sine(440, 2, rate=48000), *sine(660, 2, rate=44100),
        "-map", "0", "-map", "1", "-map", "2", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac",
        "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fra", path,
    )  # fmt: skip
    info = probe(path)
    assert info.has_audio
    assert [
        (t.stream_index, t.audio_index, t.codec, t.sample_rate, t.language) for t in info.audio_tracks
    ] == [
        (1, 0, "aac", 48000, "eng"),
        (2, 1, "aac", 44100, "fra"),
    ]
    assert info.video_stream_index == 0 and info.frame_count == 50
    again = type(info).from_dict(info.to_dict())  # what crosses the worker comes back whole
    assert again == info


def _dominant_frequency(path: Path) -> tuple[float, int]:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        samples = np.concatenate([f.to_ndarray().mean(axis=0) for f in container.decode(stream)])
    spectrum = np.abs(np.fft.rfft(samples))
    return float(np.argmax(spectrum) * rate / samples.size), rate


def test_each_audio_track_can_be_copied_into_a_file_of_its_own(media: Path) -> None:
    path = media / "two-voices.mp4"
    ffmpeg(
        *pattern(seconds=2), *sine(440, 2, rate=48000), *sine(660, 2, rate=44100),
        "-map", "0", "-map", "1", "-map", "2", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", path,
    )  # fmt: skip
    for n, (hz, rate) in enumerate(((440, 48000), (660, 44100))):
        out = media / f"two-voices.track{n + 1}.mka"
        track = extract_audio_track(path, n, out)
        assert (track.audio_index, track.stream_index, track.sample_rate) == (n, n + 1, rate)
        found, found_rate = _dominant_frequency(out)
        assert found_rate == rate and abs(found - hz) < 2  # the right voice, not the first one twice
        assert not list(media.glob("*.partial"))
    with pytest.raises(VideoOpenError, match="no track 3"):
        extract_audio_track(path, 2, media / "none.mka")
    assert not (media / "none.mka").exists()


def test_stated_rate_that_disagrees_with_the_timestamps(media: Path) -> None:
    # The Matroska header says 30 fps; the pictures are 40 ms apart (25 fps).
    path = media / "mislabelled.mkv"
    write_with_timestamps(path, [40 * i for i in range(50)], declared_fps=30)
    info = probe(path)
    assert info.nominal_fps == pytest.approx(30.0)
    assert info.fps == pytest.approx(25.0)  # the timestamps win
    assert not info.variable_frame_rate
    assert info.duration == pytest.approx(2.0)
    assert (info.frame_count, info.frame_count_source) == (50, "demuxed")


@pytest.mark.parametrize("ext", ["mp4", "mkv"])
def test_variable_frame_rate_from_real_timestamps(media: Path, ext: str) -> None:
    # 25 fps with frames 20–24 dropped: a 240 ms gap in otherwise 40 ms steps.
    path = media / f"dropped.{ext}"
    stamps = [40 * i for i in range(50) if not 20 <= i < 25]
    write_with_timestamps(path, stamps, declared_fps=25)
    info = probe(path)
    assert info.variable_frame_rate
    assert info.frame_count == 45
    assert info.nominal_fps == pytest.approx(25.0)
    assert info.duration == pytest.approx(2.0, abs=0.001)
    assert info.fps == pytest.approx(45 / 2.0, abs=0.01)
    times = frame_times(path)
    assert times == pytest.approx(np.asarray(stamps) / 1000.0, abs=1e-3)
    # Decoded frames are the 45 written ones, in order (grey level 7*i of the i-th written frame).
    levels = [int(frame.mean()) for _, frame in iter_frames(path, size=(16, 16), color="gray")]
    written = [(7 * i) % 256 for i in range(45)]
    assert len(levels) == 45
    assert np.abs(np.asarray(levels) - np.asarray(written)).max() <= 3


def test_rotated_video_comes_out_upright(media: Path) -> None:
    import cv2

    plain = media / "landscape.mp4"
    ffmpeg(*pattern(size="320x180", seconds=1), "-c:v", "libx264", "-preset", "ultrafast", plain)
    turned = media / "portrait.mp4"
    ffmpeg("-display_rotation", "90", "-i", plain, "-c", "copy", turned)  # 90° counter-clockwise
    info = probe(turned)
    assert info.rotation == 270  # clockwise degrees, as the player turns it
    assert (info.width, info.height) == (180, 320)
    ours = dict(iter_frames(turned, color="bgr", threaded=False))
    assert ours[0].shape == (320, 180, 3)
    # OpenCV's own auto-orientation is the independent reference for which way is up.
    cap = cv2.VideoCapture(str(turned), cv2.CAP_FFMPEG)
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    ok, theirs = cap.read()
    cap.release()
    assert ok and theirs.shape == ours[0].shape
    assert np.abs(theirs.astype(int) - ours[0]).mean() < 1.0
    small = next(iter(iter_frames(turned, size=(90, 160), color="rgb")))[1]
    assert small.shape == (160, 90, 3)


@pytest.mark.parametrize(
    ("pix_fmt", "ext", "depth"),
    [("yuv420p10le", "mp4", 10), ("yuv444p", "mkv", 8), ("yuv444p10le", "mov", 10)],
)
def test_high_bit_depth_and_444_decode_to_the_right_8_bit_colour(
    media: Path, pix_fmt: str, ext: str, depth: int
) -> None:
    path = media / f"grade-{pix_fmt}.{ext}"
    ffmpeg(*flat("0x3366CC", seconds=1), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", pix_fmt, path)
    info = probe(path)
    assert (info.pixel_format, info.bit_depth) == (pix_fmt, depth)
    frames = [frame for _, frame in iter_frames(path, size=(32, 18), color="rgb")]
    assert len(frames) == info.frame_count == 25
    assert frames[0].dtype == np.uint8 and frames[0].shape == (18, 32, 3)
    assert np.abs(frames[10].reshape(-1, 3).mean(axis=0) - (0x33, 0x66, 0xCC)).max() < 4
    bgr = next(iter(iter_frames(path, size=(32, 18), color="bgr")))[1]
    assert np.abs(bgr.reshape(-1, 3).mean(axis=0) - (0xCC, 0x66, 0x33)).max() < 4


@pytest.mark.parametrize("codec", ["mpeg2video", "libx264"])
def test_interlaced_stream_is_reported_and_decodes_every_frame(media: Path, codec: str) -> None:
    path = media / f"broadcast-{codec}.{'mpg' if codec == 'mpeg2video' else 'mp4'}"
    ffmpeg(
        *pattern(size="720x576", rate="50", seconds=2), "-vf", "tinterlace=interleave_top,setfield=tff",
        "-c:v", codec, "-flags", "+ilme+ildct", *(["-b:v", "4M"] if codec == "mpeg2video" else ["-preset", "ultrafast"]),
        path,
    )  # fmt: skip
    info = probe(path)
    assert info.interlaced and info.field_order == "tt"
    assert info.frame_count == 50 and info.fps == pytest.approx(25.0)
    assert (info.width, info.height) == (720, 576)
    assert sum(1 for _ in iter_frames(path, size=(72, 58), color="gray")) == 50


def test_progressive_stream_is_not_interlaced(media: Path) -> None:
    path = media / "progressive.mp4"
    ffmpeg(*pattern(seconds=1), "-c:v", "libx264", "-preset", "ultrafast", path)
    info = probe(path)
    assert not info.interlaced and info.field_order == "progressive"
    assert (info.pixel_format, info.bit_depth, info.codec) == ("yuv420p", 8, "h264")


# --- bad input ----------------------------------------------------------------------------------


def test_single_frame_video(media: Path) -> None:
    path = media / "still.mp4"
    ffmpeg(*pattern(seconds=1), "-frames:v", "1", "-c:v", "libx264", "-preset", "ultrafast", path)
    info = probe(path)
    assert info.frame_count == 1 and not info.variable_frame_rate
    assert info.duration == pytest.approx(0.04)
    frames = list(iter_frames(path, size=(32, 18), color="gray"))
    assert [i for i, _ in frames] == [0] and frames[0][1].shape == (18, 32)


@pytest.mark.parametrize("ext", ["avi", "mkv"])
def test_zero_frame_video_says_so(media: Path, ext: str) -> None:
    path = media / f"nothing.{ext}"
    write_empty_video_track(path)
    with pytest.raises(VideoOpenError, match="0 frames"):
        probe(path)
    with pytest.raises(VideoOpenError, match="0 frames"):
        list(iter_frames(path))


def test_truncated_h264_yields_good_frames_then_names_the_last(media: Path) -> None:
    # The index at the front (as cameras and -movflags faststart write it): the file opens cut short.
    whole = media / "whole.mp4"
    ffmpeg(
        *pattern(seconds=10),
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-g",
        "25",
        "-movflags",
        "+faststart",
        whole,
    )
    cut = media / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    info = probe(cut)
    assert info.frame_count == 250  # what the file claims
    got: list[int] = []
    with pytest.raises(VideoDecodeError) as failure:
        for index, _ in iter_frames(cut, size=(64, 36), color="gray", expected_frames=info.frame_count):
            got.append(index)
    assert 60 < len(got) < 200
    assert got == list(range(len(got)))
    assert failure.value.last_good_frame == got[-1]
    assert f"after frame {got[-1]} of 250" in str(failure.value)
    # The batched reader keeps the partial batch before it raises.
    seen: list[int] = []
    with pytest.raises(VideoDecodeError):
        for first, frames in iter_batches(cut, size=(64, 36), batch=32):
            seen.extend(range(first, first + len(frames)))
    assert seen == got


def test_mp4_cut_before_its_index_is_called_truncated(media: Path) -> None:
    whole = media / "index-at-end.mp4"
    ffmpeg(*pattern(seconds=2), "-c:v", "libx264", "-preset", "ultrafast", whole)  # moov written last
    cut = media / "index-lost.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(VideoOpenError, match=r"truncated.*moov"):
        probe(cut)
    with pytest.raises(VideoOpenError, match="truncated"):
        next(iter(iter_frames(cut)))


def test_audio_only_files_say_so(media: Path) -> None:
    for name, codec in (("music.m4a", "aac"), ("music.mka", "ac3"), ("voice.wav", "pcm_s16le")):
        path = media / name
        ffmpeg(*sine(440, 1), "-c:a", codec, path)
        with pytest.raises(VideoOpenError, match="audio-only"):
            probe(path)
        with pytest.raises(VideoOpenError, match="audio-only"):
            next(iter(iter_frames(path)))


def test_folder_and_garbage_get_clear_errors(media: Path) -> None:
    with pytest.raises(VideoOpenError, match="folder"):
        probe(media)
    junk = media / "junk.mov"
    junk.write_bytes(os.urandom(64 * 1024))
    with pytest.raises(VideoOpenError, match="not a video"):
        probe(junk)


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="root reads every file: no permission error"
)
def test_unreadable_file_says_permission(media: Path) -> None:
    path = media / "locked.mp4"
    ffmpeg(*pattern(seconds=1), "-c:v", "libx264", "-preset", "ultrafast", path)
    path.chmod(0)
    try:
        with pytest.raises(VideoOpenError, match="permission"):
            probe(path)
    finally:
        path.chmod(0o644)


# --- the analysis path --------------------------------------------------------------------------


def test_sizes_and_pixel_formats_come_straight_from_ffmpeg(media: Path) -> None:
    path = media / "analysis.mp4"
    ffmpeg(*flat("0x3366CC", size="640x360", seconds=1), "-c:v", "libx264", "-preset", "ultrafast", path)
    gray = next(iter(iter_frames(path, size=(48, 27), color="gray")))[1]
    rgb = next(iter(iter_frames(path, size=(160, 90), color="rgb")))[1]
    full = next(iter(iter_frames(path, color="bgr")))[1]
    assert gray.shape == (27, 48) and rgb.shape == (90, 160, 3) and full.shape == (360, 640, 3)
    luma = 0.2126 * 0x33 + 0.7152 * 0x66 + 0.0722 * 0xCC  # BT.709, what the encoder tagged
    assert abs(float(gray.mean()) - luma) < 4
    assert all(f.flags["C_CONTIGUOUS"] and f.dtype == np.uint8 for f in (gray, rgb, full))


def test_batches_match_single_frames(media: Path) -> None:
    path = media / "batches.mp4"
    ffmpeg(*pattern(seconds=3), "-c:v", "libx264", "-preset", "ultrafast", path)
    singles = np.stack([f for _, f in iter_frames(path, size=(48, 27), color="gray")])
    batches = list(iter_batches(path, size=(48, 27), color="gray", batch=32))
    assert [(first, len(frames)) for first, frames in batches] == [(0, 32), (32, 32), (64, 11)]
    assert np.array_equal(np.concatenate([frames for _, frames in batches]), singles)
    colour = next(iter(iter_batches(path, size=(48, 27), color="rgb", batch=8)))[1]
    assert colour.shape == (8, 27, 48, 3)


def test_importing_the_contract_does_not_load_ffmpeg_into_blender() -> None:
    # The add-on imports VideoInfo inside Blender's process, which links its own FFmpeg: PyAV's
    # FFmpeg is loaded only by the worker, on the first probe or decode.
    import subprocess
    import sys

    code = "import sys, ai_engine.engine_contract, ai_engine.video; print('av' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
