"""Video → raw ``MotionTrack``: decoding, landmark inference (``runners``) and per-frame bookkeeping.

Three things run at once so both cores work: ``video.iter_frames`` decodes in its own thread, the
pose graph runs on the calling thread, and the face and hands graphs run on a helper thread on the
same frame (LiteRT, like MediaPipe, releases the GIL while a model runs). ``bench/capture.py`` measures the gain
against a one-frame-at-a-time loop over the same models.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from ..errors import VideoDecodeError
from ..progress import ProgressFn, StopFn, check_stop, never_stop, no_progress
from ..video import iter_frames, probe
from .landmarks import POSE
from .runners import FaceResult, FaceRunner, HandsResult, HandsRunner, PoseResult, PoseRunner
from .track import PARTS, MotionTrack

# MediaPipe labels handedness as if the picture were a mirrored selfie; in ordinary footage its
# "Left" is the person's right hand. Used only when no body is tracked to match wrists against.
_LABEL_TO_SIDE = {"Left": 1, "Right": 0}


@dataclass
class ExtractStats:
    """What the extraction pass saw, for the health report."""

    frames_decoded: int = 0
    seconds: float = 0.0
    max_faces_seen: int = 0
    frames_with_two_faces: int = 0
    hands_rejected: int = 0  # detected hands too far from the tracked body's wrists (another person)
    truncated_after: int | None = None  # last good frame of a file that ended early
    warnings: list[str] = field(default_factory=list)

    @property
    def frames_per_second(self) -> float:
        return self.frames_decoded / self.seconds if self.seconds > 0 else 0.0


@dataclass
class _Side:
    face: FaceResult | None
    hands: HandsResult | None


HeadBox = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels


class _Lane:
    """One helper thread running ``work`` on submitted frames, results taken back in order."""

    def __init__(self, work: Callable[[np.ndarray, HeadBox | None], _Side]) -> None:
        self._work = work
        self._inbox: queue.Queue[tuple[np.ndarray, HeadBox | None] | None] = queue.Queue(maxsize=2)
        self._outbox: queue.Queue[tuple[_Side | None, BaseException | None]] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="clapper-face-hands", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._inbox.get()
            if item is None:
                return
            try:
                self._outbox.put((self._work(*item), None))
            except BaseException as exc:  # handed to the caller by take()
                self._outbox.put((None, exc))

    def submit(self, frame: np.ndarray, head: HeadBox | None) -> None:
        self._inbox.put((frame, head))

    def take(self) -> _Side:
        side, failure = self._outbox.get()
        if failure is not None:
            raise failure
        assert side is not None
        return side

    def close(self) -> None:
        self._inbox.put(None)
        self._thread.join(timeout=10)


def head_box(pose: PoseResult | None, size: tuple[int, int]) -> HeadBox | None:
    """A square around the head of a tracked body (from its nose, eyes and ears), or None.

    Face Mesh's own detector only finds faces that fill a good part of the picture; on full-body
    shots the face is searched again inside this crop, as MediaPipe Holistic does.
    """
    if pose is None:
        return None
    w, h = size
    head = pose.image[
        [POSE["nose"], POSE["left_ear"], POSE["right_ear"], POSE["left_eye"], POSE["right_eye"]], :2
    ]
    head = head * (w, h)
    shoulders = pose.image[[POSE["left_shoulder"], POSE["right_shoulder"]], :2] * (w, h)
    span = max(float(np.ptp(head[:, 0])), float(np.linalg.norm(shoulders[0] - shoulders[1])) * 0.5, 16.0)
    half = span * 1.6
    cx, cy = head.mean(0)
    x0, y0 = int(max(cx - half, 0)), int(max(cy - half, 0))
    x1, y1 = int(min(cx + half, w)), int(min(cy + half, h))
    if x1 - x0 < 16 or y1 - y0 < 16 or (x1 - x0) > 0.6 * w:
        return None  # off-frame, or the face is big enough for the whole-frame search
    return x0, y0, x1, y1


def _face_in_box(runner: FaceRunner, frame: np.ndarray, box: HeadBox) -> FaceResult:
    """Run Face Mesh on the head crop and map its landmarks back to whole-frame coordinates."""
    x0, y0, x1, y1 = box
    h, w = frame.shape[:2]
    crop = np.ascontiguousarray(frame[y0:y1, x0:x1])
    result = runner.process(crop)
    cw, ch = x1 - x0, y1 - y0
    faces = [f * (cw / w, ch / h, cw / w) + (x0 / w, y0 / h, 0.0) for f in result.faces]
    return FaceResult([f.astype(np.float32) for f in faces])


def _pick_face(faces: list[np.ndarray], pose: PoseResult | None) -> np.ndarray | None:
    """The face of the tracked person: nearest the pose's nose, else the biggest."""
    if not faces:
        return None
    if pose is not None and len(faces) > 1:
        nose = pose.image[POSE["nose"], :2]
        return min(faces, key=lambda f: float(np.linalg.norm(f[1, :2] - nose)))
    return max(faces, key=lambda f: float(np.ptp(f[:, 0]) * np.ptp(f[:, 1])))


def _assign_hands(
    hands: HandsResult, pose: PoseResult | None, size: tuple[int, int]
) -> tuple[list[tuple[int, int]], int]:
    """Pairs (hand index, side 0=left/1=right) and how many hands were rejected as someone else's."""
    scale = np.array(size, np.float32)
    pairs: list[tuple[int, int]] = []
    rejected = 0
    if pose is not None:
        wrists = pose.image[[POSE["left_wrist"], POSE["right_wrist"]], :2] * scale
        shoulders = pose.image[[POSE["left_shoulder"], POSE["right_shoulder"]], :2] * scale
        reach = max(float(np.linalg.norm(shoulders[0] - shoulders[1])), 20.0)
        candidates = []
        for h, image in enumerate(hands.image):
            wrist = image[0, :2] * scale
            for side in (0, 1):
                candidates.append((float(np.linalg.norm(wrist - wrists[side])), h, side))
        taken_hands: set[int] = set()
        taken_sides: set[int] = set()
        for distance, h, side in sorted(candidates):
            if h in taken_hands or side in taken_sides or distance > reach:
                continue
            pairs.append((h, side))
            taken_hands.add(h)
            taken_sides.add(side)
        rejected = len(hands.image) - len(pairs)
        return pairs, rejected
    used: set[int] = set()
    for h, label in enumerate(hands.labels):
        side = _LABEL_TO_SIDE.get(label, h)
        if side not in used:
            pairs.append((h, side))
            used.add(side)
    return pairs, rejected


MAX_PEOPLE = 4  # people tracked at once when one is to be chosen among several
REFIND_DISTANCE = 0.12  # a lost person is re-found within this fraction of the frame of where they were


def _hips(pose: PoseResult) -> np.ndarray:
    return np.asarray(pose.image[[23, 24], :2].mean(axis=0))


def _box_area(pose: PoseResult) -> float:
    seen = pose.image[pose.visibility > 0.5, :2] if (pose.visibility > 0.5).sum() >= 4 else pose.image[:, :2]
    return float(np.ptp(seen[:, 0]) * np.ptp(seen[:, 1]))


class PersonChooser:
    """Follows one person among the tracked ones: chosen by ``rule`` (``PERSON_CHOICES``) the first
    time anyone is seen, then by the tracker's id; when that track ends, the person is re-found as
    the one nearest (within ``REFIND_DISTANCE``) to where they were last seen — never by the rule
    again, so someone else walking in is not taken for them."""

    def __init__(self, rule: str) -> None:
        self.rule = rule
        self.track_id: int | None = None
        self.last_seen: np.ndarray | None = None
        self.switches = 0  # re-found after the tracker lost them (not an identity switch)

    def choose(self, people: list[PoseResult]) -> PoseResult | None:
        if not people:
            return None
        chosen: PoseResult | None = None
        if self.track_id is None:
            if self.rule == "largest":
                chosen = max(people, key=_box_area)
            elif self.rule == "rightmost":
                chosen = max(people, key=lambda p: float(_hips(p)[0]))
            elif self.rule == "leftmost":
                chosen = min(people, key=lambda p: float(_hips(p)[0]))
            else:
                chosen = people[0]
        else:
            chosen = next((p for p in people if p.track_id == self.track_id), None)
            if chosen is None and self.last_seen is not None:
                distance, nearest = min(
                    ((float(np.linalg.norm(_hips(p) - self.last_seen)), p) for p in people),
                    key=lambda x: x[0],
                )
                if distance <= REFIND_DISTANCE:
                    chosen = nearest
                    self.switches += 1
        if chosen is not None:
            self.track_id, self.last_seen = chosen.track_id, _hips(chosen)
        return chosen


def extract_track(
    video: str | os.PathLike[str],
    *,
    parts: tuple[str, ...] = PARTS,
    max_side: int | None = None,
    concurrent: bool = True,
    decode_thread: bool = True,
    backend: str | None = None,
    person: str = "first",
    progress: ProgressFn = no_progress,
    should_stop: StopFn = never_stop,
) -> tuple[MotionTrack, ExtractStats]:
    """Run MediaPipe over every frame of ``video`` and collect the raw landmarks.

    Arguments:
        parts: any of "body", "face", "hands".
        max_side: downscale frames so the longer side fits (None: full resolution).
        concurrent: run the face/hands graphs beside the pose graph (False: one after the other).
        decode_thread: decode in a background thread (False: decode, then infer, frame by frame).
        backend: how landmarks are computed (``runners.BACKENDS``; None: ``runners.default_backend()``).
        person: whom to follow among several people (``PERSON_CHOICES``; see ``PersonChooser``).

    Returns:
        The raw track (no swap fixing, gap filling or smoothing yet) and extraction statistics.

    Raises:
        VideoOpenError, Cancelled. A file that ends early keeps its good frames (``truncated_after``).
    """
    unknown = set(parts) - set(PARTS)
    if unknown or not parts:
        raise ValueError(f"parts must be a non-empty subset of {PARTS}, got {parts}")
    info = probe(video, should_stop=should_stop)
    stats = ExtractStats()
    want_body, want_face, want_hands = ("body" in parts), ("face" in parts), ("hands" in parts)
    several = person != "first"
    pose_runner = PoseRunner(backend=backend, max_people=MAX_PEOPLE if several else 1) if want_body else None
    chooser = PersonChooser(person) if several else None
    face_runner = FaceRunner(backend=backend) if want_face else None
    # A second Face Mesh for head crops: its tracking state must not mix with the whole-frame one.
    crop_face_runner = FaceRunner(max_faces=1, backend=backend) if want_face and want_body else None
    hands_runner = HandsRunner(backend=backend) if want_hands else None

    def side_work(frame: np.ndarray, head: HeadBox | None) -> _Side:
        face = None
        # A small face (the body gives a head box) is looked for in its crop only: Face Mesh's
        # whole-frame detector does not find faces that small, so running it too is wasted work.
        if face_runner is not None and head is not None and crop_face_runner is not None:
            face = _face_in_box(crop_face_runner, frame, head)
        elif face_runner is not None:
            face = face_runner.process(frame)
        return _Side(face, hands_runner.process(frame) if hands_runner else None)

    lane = _Lane(side_work) if concurrent and want_body and (want_face or want_hands) else None
    results: list[tuple[PoseResult | None, _Side]] = []
    size: tuple[int, int] | None = None
    last_pose: PoseResult | None = None
    waiting: deque[PoseResult | None] = deque()  # poses whose face/hands result is still in the lane
    started = time.perf_counter()
    total = max(info.frame_count, 1)
    frames: Iterator[tuple[int, np.ndarray]] = iter_frames(
        video,
        max_side=max_side,
        color="rgb",
        threaded=decode_thread,
        expected_frames=info.frame_count,
        should_stop=should_stop,
    )
    try:
        try:
            for index, frame in frames:
                check_stop(should_stop)
                if size is None:
                    size = (int(frame.shape[1]), int(frame.shape[0]))
                # The head crop comes from the previous frame's pose: the face lane runs beside this
                # frame's pose inference, not after it.
                head = head_box(last_pose, size)
                if lane is not None:
                    lane.submit(frame, head)
                if pose_runner is None:
                    pose = None
                elif chooser is not None:
                    pose = chooser.choose(pose_runner.process_all(frame))
                else:
                    pose = pose_runner.process(frame)
                if lane is not None:
                    # The lane may run a frame behind: collect the previous frame's face and hands
                    # now, so neither thread waits for the other on every frame.
                    waiting.append(pose)
                    if len(waiting) > 1:
                        results.append((waiting.popleft(), lane.take()))
                else:
                    results.append((pose, side_work(frame, head)))
                last_pose = pose
                if index % 5 == 0:
                    progress(
                        min((index + 1) / total, 1.0), f"tracking frame {index + 1} of {info.frame_count}"
                    )
        except VideoDecodeError as exc:
            stats.truncated_after = exc.last_good_frame
            stats.warnings.append(str(exc))
        while lane is not None and waiting:
            results.append((waiting.popleft(), lane.take()))
    finally:
        close = getattr(frames, "close", None)
        if close is not None:
            close()
        if lane is not None:
            lane.close()
        for runner in (pose_runner, face_runner, crop_face_runner, hands_runner):
            if runner is not None:
                runner.close()
    stats.seconds = time.perf_counter() - started
    stats.frames_decoded = len(results)
    size = size or (info.width, info.height)
    track = MotionTrack.empty(len(results), info.fps, size, parts)
    track.source = str(info.path)
    _fill(track, results, size, stats)
    return track, stats


def capture_image(
    rgb: np.ndarray, *, parts: tuple[str, ...] = PARTS, fps: float = 1.0, backend: str | None = None
) -> MotionTrack:
    """One photo (RGB uint8) → a one-frame raw ``MotionTrack``, MediaPipe in still-image mode.

    Used to check captures against annotated photos; the conversion is the same as for video.
    """
    size = (int(rgb.shape[1]), int(rgb.shape[0]))
    pose_runner = PoseRunner(static_image_mode=True, backend=backend) if "body" in parts else None
    face_runner = FaceRunner(static_image_mode=True, backend=backend) if "face" in parts else None
    hands_runner = HandsRunner(static_image_mode=True, backend=backend) if "hands" in parts else None
    try:
        pose = pose_runner.process(rgb) if pose_runner else None
        side = _Side(
            face_runner.process(rgb) if face_runner else None,
            hands_runner.process(rgb) if hands_runner else None,
        )
    finally:
        for runner in (pose_runner, face_runner, hands_runner):
            if runner is not None:
                runner.close()
    track = MotionTrack.empty(1, fps, size, parts)
    _fill(track, [(pose, side)], size, ExtractStats())
    return track


def _fill(
    track: MotionTrack,
    results: list[tuple[PoseResult | None, _Side]],
    size: tuple[int, int],
    stats: ExtractStats,
) -> None:
    for t, (pose, side) in enumerate(results):
        if pose is not None:
            track.body_world[t] = pose.world
            track.body_image[t] = pose.image
            track.body_visibility[t] = pose.visibility
            track.body_valid[t] = True
        if side.face is not None:
            faces = side.face.faces
            stats.max_faces_seen = max(stats.max_faces_seen, len(faces))
            stats.frames_with_two_faces += int(len(faces) > 1)
            face = _pick_face(faces, pose)
            if face is not None:
                track.face[t] = face
                track.face_valid[t] = True
        if side.hands is not None and side.hands.image:
            pairs, rejected = _assign_hands(side.hands, pose, size)
            stats.hands_rejected += rejected
            for h, hand_side in pairs:
                track.hands_image[t, hand_side] = side.hands.image[h]
                if h < len(side.hands.world):
                    track.hands[t, hand_side] = side.hands.world[h]
                track.hands_valid[t, hand_side] = True
