"""QA overlay: landmarks drawn on the real frames as a contact sheet and as an image sequence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from capture_media import CARPHONE, mocap, read_frames, write_clip

from ai_engine.capture import CaptureOptions, capture
from ai_engine.capture.overlay import contact_sheet, draw_frame, image_sequence


def test_contact_sheet_and_sequence_show_the_landmarks(tmp_path: Path) -> None:
    import cv2

    frames = read_frames(mocap(*CARPHONE), range(16))
    clip = write_clip(tmp_path / "talk.mp4", [frames[i] for i in range(16)])
    track = capture(clip, CaptureOptions(parts=("body", "face"))).track
    sheet = cv2.imread(str(contact_sheet(clip, track, tmp_path / "sheet.png", tiles=8, tile_width=160)))
    assert sheet is not None and sheet.shape[1] == 4 * 160 and sheet.shape[0] >= 2 * 100
    folder = image_sequence(clip, track, tmp_path / "frames")
    assert len(list(folder.glob("overlay_*.jpg"))) == 16
    # Drawing changes pixels where the landmarks are (and nowhere else is guaranteed): the face's
    # green dots land on the tracked face.
    drawn = draw_frame(frames[5], track, 5)
    changed = np.any(drawn != frames[5], axis=2)
    x, y = (track.face[5, 1, :2] * (176, 144)).astype(int)
    assert changed[max(y - 6, 0) : y + 6, max(x - 6, 0) : x + 6].any()
