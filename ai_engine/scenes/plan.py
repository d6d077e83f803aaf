"""Make Edit: whole shots chosen to fill a length, every scene first, the most telling shots first.

Ranking of a shot (each term 0..1, weights ``FACE_W``/``MOTION_W``/``NOVELTY_W``):

* faces: share of 3 frames spread over the shot where OpenCV's frontal-face Haar cascade finds a
  face (people carry a story);
* motion: the shot's mean frame difference relative to the clip's most moving shot;
* novelty: 1 − its highest similarity (scene-grouping similarity) to any shot already chosen, so
  the edit does not repeat one set-up.

Pass 1 takes one shot per scene — the best-ranked scene first — while it fits; pass 2 fills the rest
of the time with the best remaining shots (novelty recomputed after each pick). Shots shorter than
the minimum are never used; a shot that does not fit whole is skipped, so the edit never exceeds
the length asked for.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..video import iter_frames
from .contract import PlannedShot, PlanRequest, PlanResult, Scene
from .group import similarity
from .pipeline import Analysis, shot_motion

FACE_W, MOTION_W, NOVELTY_W = 0.4, 0.3, 0.3
FACE_SAMPLES = 3


def face_scores(video: str, shots: list[tuple[int, int]]) -> np.ndarray:
    from pathlib import Path

    import cv2

    cascade = cv2.CascadeClassifier(
        str(Path(cv2.__file__).parent / "data" / "haarcascade_frontalface_default.xml")
    )
    wanted: dict[int, int] = {}
    for index, (a, b) in enumerate(shots):
        for k in range(FACE_SAMPLES):
            wanted[int(a + (b - a) * (k + 1) / (FACE_SAMPLES + 1))] = index
    hits = np.zeros(len(shots), np.float32)
    for frame_index, frame in iter_frames(video, color="gray", max_side=480):
        shot = wanted.get(frame_index)
        if shot is None:
            continue
        faces = cascade.detectMultiScale(frame, scaleFactor=1.15, minNeighbors=5, minSize=(24, 24))
        hits[shot] += 1.0 if len(faces) else 0.0
    return hits / FACE_SAMPLES


def plan_edit(
    analysis: Analysis, scenes: list[list[int]], request: PlanRequest, *, warn: Callable[[str], None]
) -> PlanResult:
    shots = analysis.shots
    fps = float(analysis.cut_list.fps) or 25.0
    budget = int(round(request.seconds * fps))
    min_len = max(1, int(round(request.min_shot_seconds * fps)))
    lengths = np.array([b - a + 1 for a, b in shots])
    motion = shot_motion(analysis.features, shots)
    motion = motion / max(float(motion.max()), 1e-6) if len(motion) else motion
    faces = face_scores(analysis.cut_list.video, shots)
    assert analysis.embeddings is not None
    sim = similarity(analysis.embeddings)
    scene_of = {s: n for n, members in enumerate(scenes) for s in members}
    chosen: list[int] = []
    used = 0

    def rank(index: int) -> tuple[float, float]:
        novelty = 1.0 - (max(float(sim[index, c]) for c in chosen) if chosen else 0.0)
        return FACE_W * faces[index] + MOTION_W * motion[index] + NOVELTY_W * novelty, novelty

    eligible = [i for i in range(len(shots)) if lengths[i] >= min_len]
    if not eligible:
        warn(f"No shot lasts the minimum {request.min_shot_seconds:g} s: lower Minimum Shot.")
    novelty_at: dict[int, float] = {}
    # Pass 1: one shot per scene, best scenes first.
    best_per_scene = []
    for members in scenes:
        options = [i for i in members if i in eligible]
        if options:
            best = max(options, key=lambda i: rank(i)[0])
            best_per_scene.append((rank(best)[0], best))
    for _, index in sorted(best_per_scene, reverse=True):
        if used + lengths[index] <= budget:
            novelty_at[index] = rank(index)[1]
            chosen.append(index)
            used += int(lengths[index])
    # Pass 2: fill with the best remaining shots.
    while True:
        remaining = [i for i in eligible if i not in chosen and used + lengths[i] <= budget]
        if not remaining:
            break
        index = max(remaining, key=lambda i: rank(i)[0])
        novelty_at[index] = rank(index)[1]
        chosen.append(index)
        used += int(lengths[index])
    represented = {scene_of[i] for i in chosen}
    skipped = tuple(n for n in range(len(scenes)) if n not in represented)
    if skipped:
        warn(f"{len(skipped)} scene(s) have no shot in the edit (too short, or the time ran out).")
    planned = tuple(
        PlannedShot(
            shot=i,
            scene=scene_of[i],
            first=shots[i][0],
            last=shots[i][1],
            score=round(float(FACE_W * faces[i] + MOTION_W * motion[i] + NOVELTY_W * novelty_at[i]), 4),
            faces=round(float(faces[i]), 4),
            motion=round(float(motion[i]), 4),
            novelty=round(float(novelty_at[i]), 4),
        )
        for i in sorted(chosen)
    )
    return PlanResult(
        video=str(analysis.cut_list.video),
        fps=fps,
        frame_count=analysis.features.frame_count,
        seconds=round(used / fps, 4),
        shots=planned,
        scenes=tuple(Scene(shots[m[0]][0], shots[m[-1]][1], tuple(m)) for m in scenes),
        skipped_scenes=skipped,
    )
