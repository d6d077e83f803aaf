"""QA overlay: the captured landmarks drawn over the video's frames, as a contact sheet or a sequence.

Colours: the person's left in blue, right in orange, face in green; frames whose body was
interpolated are labelled "filled", frames whose left/right were repaired "unswapped".
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..progress import ProgressFn, StopFn, check_stop, never_stop, no_progress
from ..video import iter_frames
from .landmarks import HAND_EDGES, POSE, POSE_EDGES
from .track import MotionTrack

LEFT = (255, 140, 40)  # BGR: blue-ish
RIGHT = (40, 140, 255)  # BGR: orange
CENTRE = (230, 230, 230)
FACE = (80, 220, 80)


def draw_frame(frame_bgr: np.ndarray, track: MotionTrack, t: int) -> np.ndarray:
    """Draw frame ``t`` of ``track`` onto a copy of the BGR frame (any size: coordinates are normalised)."""
    import cv2

    image = frame_bgr.copy()
    h, w = image.shape[:2]
    thickness = max(1, round(max(h, w) / 400))

    def px(points: np.ndarray) -> np.ndarray:
        return np.round(points[..., :2] * (w, h)).astype(np.int32)

    if track.face_valid[t]:
        for x, y in px(track.face[t])[::3]:
            cv2.circle(image, (int(x), int(y)), max(1, thickness // 2), FACE, -1)
    if track.body_valid[t]:
        points = px(track.body_image[t])
        for a, b in POSE_EDGES:
            name = next((n for n, i in POSE.items() if i == b), "")
            colour = LEFT if name.startswith("left") else RIGHT if name.startswith("right") else CENTRE
            cv2.line(image, tuple(map(int, points[a])), tuple(map(int, points[b])), colour, thickness)
    for side, colour in ((0, LEFT), (1, RIGHT)):
        if track.hands_valid[t, side]:
            points = px(track.hands_image[t, side])
            for a, b in HAND_EDGES:
                cv2.line(image, tuple(map(int, points[a])), tuple(map(int, points[b])), colour, thickness)
    labels = [f"frame {t}"]
    if track.body_interpolated[t]:
        labels.append("filled")
    if track.body_swapped[t]:
        labels.append("unswapped")
    if not track.body_valid[t] and "body" in track.parts:
        labels.append("body lost")
    scale = max(0.4, max(h, w) / 900)
    cv2.putText(
        image,
        " ".join(labels),
        (8, int(24 * scale) + 4),
        cv2.FONT_HERSHEY_SIMPLEX,
        scale,
        (0, 0, 0),
        thickness + 2,
    )
    cv2.putText(
        image,
        " ".join(labels),
        (8, int(24 * scale) + 4),
        cv2.FONT_HERSHEY_SIMPLEX,
        scale,
        (255, 255, 255),
        thickness,
    )
    return image


def contact_sheet(
    video: str | os.PathLike[str],
    track: MotionTrack,
    out_png: str | os.PathLike[str],
    *,
    tiles: int = 12,
    tile_width: int = 320,
    progress: ProgressFn = no_progress,
    should_stop: StopFn = never_stop,
) -> Path:
    """Write a PNG grid of ``tiles`` evenly spaced frames with the landmarks drawn. Returns its path."""
    import cv2

    frames = track.frame_count
    wanted = sorted(set(np.linspace(0, max(frames - 1, 0), num=min(tiles, frames)).round().astype(int)))
    drawn: list[np.ndarray] = []
    step = 1
    for index, frame in iter_frames(video, color="bgr", stop=frames, step=step, expected_frames=frames):
        check_stop(should_stop)
        if index in wanted:
            image = draw_frame(frame, track, index)
            height = round(image.shape[0] * tile_width / image.shape[1])
            drawn.append(cv2.resize(image, (tile_width, height), interpolation=cv2.INTER_AREA))
            progress(len(drawn) / len(wanted), f"overlay {len(drawn)} of {len(wanted)}")
        if index >= wanted[-1]:
            break
    columns = min(4, len(drawn))
    rows = -(-len(drawn) // columns)
    tile_h = drawn[0].shape[0]
    sheet = np.zeros((rows * tile_h, columns * tile_width, 3), np.uint8)
    for i, tile in enumerate(drawn):
        r, c = divmod(i, columns)
        sheet[r * tile_h : (r + 1) * tile_h, c * tile_width : (c + 1) * tile_width] = tile
    out = Path(out_png)
    out.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(out), sheet)
    return out


def image_sequence(
    video: str | os.PathLike[str],
    track: MotionTrack,
    folder: str | os.PathLike[str],
    *,
    max_side: int | None = 960,
    progress: ProgressFn = no_progress,
    should_stop: StopFn = never_stop,
) -> Path:
    """Write every frame with its landmarks as ``folder/overlay_00000.jpg`` … Returns the folder."""
    import cv2

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    frames = track.frame_count
    for index, frame in iter_frames(
        video, color="bgr", max_side=max_side, stop=frames, expected_frames=frames
    ):
        check_stop(should_stop)
        cv2.imwrite(str(out / f"overlay_{index:05d}.jpg"), draw_frame(frame, track, index))
        progress((index + 1) / max(frames, 1), f"overlay frame {index + 1} of {frames}")
    return out
