"""Annotated photos: body PCK@0.2 of our MotionTrack vs MediaPipe called directly (COCO, MPII), and
face curves vs annotated geometry (300W, WFLW, 300VW, dlib's 68-point faces)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ai_engine.capture.face import ARKIT_BLENDSHAPES, face_curves
from ai_engine.capture.landmarks import POSE

COCO_FROM_POSE = [
    POSE[n]
    for n in (
        "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
        "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip",
        "left_knee", "right_knee", "left_ankle", "right_ankle",
    )
]  # fmt: skip
# MPII joint index → MediaPipe landmark (pelvis, thorax, neck and head top have no MediaPipe twin).
MPII_FROM_POSE = {
    0: POSE["right_ankle"], 1: POSE["right_knee"], 2: POSE["right_hip"], 3: POSE["left_hip"],
    4: POSE["left_knee"], 5: POSE["left_ankle"], 10: POSE["right_wrist"], 11: POSE["right_elbow"],
    12: POSE["right_shoulder"], 13: POSE["left_shoulder"], 14: POSE["left_elbow"], 15: POSE["left_wrist"],
}  # fmt: skip


@dataclass
class Person:
    image: Path
    keypoints: np.ndarray  # (K, 2) pixels
    visible: np.ndarray  # (K,) bool
    size: float  # normaliser of PCK (pixels)
    to_pose: list[int]  # MediaPipe landmark per keypoint


def coco_people(root: Path) -> list[Person]:
    data = json.loads((root / "test_coco.json").read_text())
    files = {im["id"]: im["file_name"] for im in data["images"]}
    people = []
    for ann in data["annotations"]:
        k = np.asarray(ann["keypoints"], float).reshape(-1, 3)
        if (k[:, 2] > 0).sum() < 6:
            continue
        _x, _y, w, h = ann["bbox"]
        people.append(Person(root / files[ann["image_id"]], k[:, :2], k[:, 2] > 0, max(w, h), COCO_FROM_POSE))
    return people


def mpii_people(root: Path) -> list[Person]:
    people = []
    for ann in json.loads((root / "test_mpii.json").read_text()):
        k = np.asarray(ann["joints"], float)
        vis = np.asarray(ann["joints_vis"], bool)
        keep = sorted(MPII_FROM_POSE)
        # The annotated person's height box (MPII's scale is height / 200 px).
        people.append(
            Person(
                root / ann["image"], k[keep], vis[keep], ann["scale"] * 200, [MPII_FROM_POSE[i] for i in keep]
            )
        )
    return people


def pck(predicted: np.ndarray | None, person: Person, threshold: float = 0.2) -> tuple[int, int]:
    """(correct, counted) keypoints of one person; a missed person counts all visible as wrong."""
    counted = int(person.visible.sum())
    if predicted is None:
        return 0, counted
    distance = np.linalg.norm(predicted[person.to_pose] - person.keypoints, axis=1)
    return int(((distance <= threshold * person.size) & person.visible).sum()), counted


def body_pck(people: list[Person], backends: tuple[str, ...] | None = None) -> dict[str, float]:
    """PCK@0.2 of MediaPipe Pose called directly and of our capture of the same photos, per backend.

    The single-person pose finds one person per photo; each photo is scored against the annotated
    person it found (the one it matches best), the same for every column. ``pck_<backend>`` is our
    capture through that backend (``runners.BACKENDS``); ``pck_ours`` is the default backend's;
    ``agreement_px`` is the median distance between the LiteRT and MediaPipe landmarks.
    ``pck_all_people_litert`` scores every annotated person against the LiteRT runtime following up
    to 8 people, and ``pck_all_people_one_person`` the same people against the one-person capture
    (what one person per photo cannot reach).
    """
    import cv2

    from ai_engine.capture.extract import capture_image
    from ai_engine.capture.runners import PoseRunner, default_backend, mediapipe_available

    backends = backends or (("litert", "mediapipe") if mediapipe_available() else ("litert",))
    by_image: dict[Path, list[Person]] = {}
    for p in people:
        by_image.setdefault(p.image, []).append(p)
    columns = (("direct",) if mediapipe_available() else ()) + backends
    totals = {name: [0, 0] for name in columns}
    everyone = [0, 0]
    everyone_single = [0, 0]
    distances: list[np.ndarray] = []
    identical = True
    several = PoseRunner(static_image_mode=True, max_people=8, backend="litert")
    for image_path, persons in by_image.items():
        rgb = cv2.cvtColor(cv2.imread(str(image_path)), cv2.COLOR_BGR2RGB)
        h, w = rgb.shape[:2]
        found: dict[str, np.ndarray | None] = {}
        if "direct" in columns:
            import mediapipe as mp

            with mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1) as pose:
                result = pose.process(rgb)
            found["direct"] = None
            if result.pose_landmarks is not None:
                found["direct"] = np.array([(lm.x * w, lm.y * h) for lm in result.pose_landmarks.landmark])
        for backend in backends:
            track = capture_image(rgb, parts=("body",), backend=backend)
            found[backend] = (
                track.body_image[0, :, :2].astype(np.float64) * (w, h) if track.body_valid[0] else None
            )
        if found.get("litert") is not None and found.get("mediapipe") is not None:
            distances.append(np.linalg.norm(found["litert"] - found["mediapipe"], axis=1))
        if "direct" in found and "mediapipe" in found:
            d, o = found["direct"], found["mediapipe"]
            identical &= (d is None) == (o is None) and (d is None or np.allclose(d, o, atol=1e-3))
        for name in columns:
            predicted = found[name]
            best = max(persons, key=lambda p, pr=predicted: pck(pr, p)[0] / max(pck(pr, p)[1], 1))
            correct, counted = pck(predicted, best)
            totals[name][0] += correct
            totals[name][1] += counted
        poses = [r.image[:, :2].astype(np.float64) * (w, h) for r in several.process_all(rgb)]
        for person in persons:
            scores = [pck(pr, person) for pr in poses] or [pck(None, person)]
            correct, counted = max(scores)
            everyone[0] += correct
            everyone[1] += counted
            everyone_single[0] += pck(found[backends[0]], person)[0]
            everyone_single[1] += counted
    out = {f"pck_{name}": totals[name][0] / max(totals[name][1], 1) for name in columns}
    out["pck_ours"] = out[f"pck_{default_backend()}"]
    out["keypoints"] = totals[backends[0]][1]
    out["images"] = len(by_image)
    out["identical_landmarks"] = float(identical)
    out["agreement_px"] = float(np.median(np.concatenate(distances))) if distances else float("nan")
    out["pck_all_people_litert"] = everyone[0] / max(everyone[1], 1)
    out["pck_all_people_one_person"] = everyone_single[0] / max(everyone_single[1], 1)
    out["people_annotated"] = len(people)
    return out


@dataclass
class AnnotatedFace:
    image: Path
    points: np.ndarray  # (68, 2) or (98, 2) pixels
    scheme: str  # "68" or "98"


def _face_crop(face):  # type: ignore[no-untyped-def]
    """The annotated face, twice its landmarks' extent, resized to 384 px wide (BGR); None if unreadable or tiny."""
    import cv2

    image = cv2.imread(str(face.image))
    if image is None:
        return None
    x0, y0 = face.points.min(0)
    x1, y1 = face.points.max(0)
    side = max(x1 - x0, y1 - y0) * 2.0
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    a, b = int(max(cx - side / 2, 0)), int(max(cy - side / 2, 0))
    crop = image[b : int(cy + side / 2), a : int(cx + side / 2)]
    if min(crop.shape[:2]) < 20:
        return None
    return cv2.resize(crop, (384, round(384 * crop.shape[0] / crop.shape[1])), interpolation=cv2.INTER_CUBIC)


def _68_measures(p: np.ndarray) -> tuple[float, float]:
    """(inner-lip gap / face height, eye aspect ratio) of an iBUG 68-point face."""
    gap = np.mean([np.linalg.norm(p[a] - p[b]) for a, b in ((61, 67), (62, 66), (63, 65))])
    height = np.linalg.norm(p[8] - p[27])
    ears = []
    for e in (36, 42):
        eye = p[e : e + 6]
        ears.append(
            (np.linalg.norm(eye[1] - eye[5]) + np.linalg.norm(eye[2] - eye[4]))
            / (2 * np.linalg.norm(eye[0] - eye[3]))
        )
    return float(gap / height), float(np.mean(ears))


def _98_measures(p: np.ndarray) -> tuple[float, float]:
    """The same on a WFLW 98-point face."""
    gap = np.mean([np.linalg.norm(p[a] - p[b]) for a, b in ((89, 95), (90, 94), (91, 93))])
    height = np.linalg.norm(p[16] - p[51])
    ears = []
    for e in (60, 68):
        eye = p[e : e + 8]
        ears.append(
            np.mean([np.linalg.norm(eye[i] - eye[8 - i]) for i in (1, 2, 3)])
            / np.linalg.norm(eye[0] - eye[4])
        )
    return float(gap / height), float(np.mean(ears))


def annotated_faces(mmpose: Path, dlib: Path) -> list[AnnotatedFace]:
    faces = []
    for name, scheme in (("300w/test_300w.json", "68"), ("wflw/test_wflw.json", "98")):
        data = json.loads((mmpose / name).read_text())
        files = {im["id"]: im["file_name"] for im in data["images"]}
        for ann in data["annotations"]:
            k = np.asarray(ann["keypoints"], float).reshape(-1, 3)[:, :2]
            faces.append(AnnotatedFace(mmpose / name.split("/")[0] / files[ann["image_id"]], k, scheme))
    for pts in sorted((mmpose / "300vw").glob("*/annot/*.pts")):
        lines = pts.read_text().split("{")[1].split("}")[0].split()
        k = np.asarray(lines, float).reshape(-1, 2)
        faces.append(AnnotatedFace(pts.parent.parent / "imgs" / (pts.stem + ".jpg"), k, "68"))
    for xml_name in ("training_with_face_landmarks.xml", "testing_with_face_landmarks.xml"):
        for image in ET.parse(dlib / xml_name).getroot().iter("image"):
            for box in image.iter("box"):
                parts = sorted(box.iter("part"), key=lambda e: int(e.get("name", 0)))
                k = np.array([(float(e.get("x", 0)), float(e.get("y", 0))) for e in parts])
                if k.shape == (68, 2):
                    faces.append(AnnotatedFace(dlib / str(image.get("file")), k, "68"))
    return faces


def face_agreement(faces: list[AnnotatedFace], backend: str | None = None) -> dict[str, float]:
    """Spearman of jawOpen vs annotated lip gap / face height and of eyeBlink vs eye aspect ratio.

    Each face is cropped around its annotation (twice its size, so Face Mesh's detector sees it as
    a face close to the camera), meshed as a still through ``backend`` (``runners.BACKENDS``), and
    measured without a neutral frame.
    """
    import cv2

    from ai_engine.capture.runners import FaceRunner

    runner = FaceRunner(static_image_mode=True, max_faces=1, backend=backend)
    jaw, blink, gaps, ears = [], [], [], []
    found = 0
    try:
        for face in faces:
            crop = _face_crop(face)
            if crop is None:
                continue
            rgb = cv2.cvtColor(crop, cv2.COLOR_BGR2RGB)
            meshes = runner.process(rgb).faces
            if not meshes:
                continue
            found += 1
            weights, _ = face_curves(meshes[0][None], np.ones(1, bool), (rgb.shape[1], rgb.shape[0]))
            gap, ear = (_68_measures if face.scheme == "68" else _98_measures)(face.points)
            jaw.append(weights[0, ARKIT_BLENDSHAPES.index("jawOpen")])
            blink.append(
                (
                    weights[0, ARKIT_BLENDSHAPES.index("eyeBlinkLeft")]
                    + weights[0, ARKIT_BLENDSHAPES.index("eyeBlinkRight")]
                )
                / 2
            )
            gaps.append(gap)
            ears.append(ear)
    finally:
        runner.close()
    return {
        "faces_annotated": len(faces),
        "faces_meshed": found,
        "jaw_open_spearman": spearman(np.array(jaw), np.array(gaps)),
        "eye_blink_spearman": spearman(np.array(blink), np.array(ears)),
    }


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation with average ranks for ties."""

    def ranks(x: np.ndarray) -> np.ndarray:
        order = np.argsort(x, kind="mergesort")
        r = np.empty(len(x))
        r[order] = np.arange(len(x), dtype=float)
        for value in np.unique(x):
            same = x == value
            r[same] = r[same].mean()
        return r

    ra, rb = ranks(a), ranks(b)
    return float(np.corrcoef(ra, rb)[0, 1])


def face_symmetry(faces: list[AnnotatedFace], mirror_average: bool) -> dict[str, float]:
    """Item 5 of issue 13: |eyeBlinkLeft(face) − eyeBlinkRight(mirrored face)| (and the same for every
    Left/Right pair of curves) on the annotated faces, LiteRT mesh with or without mirror averaging;
    with jawOpen's Spearman against the annotated lip gap from the same meshes."""
    import cv2

    from ai_engine.capture.facemesh import FaceMesh

    mesh = FaceMesh(static_image_mode=True, max_faces=1, mirror_average=mirror_average)
    names = list(ARKIT_BLENDSHAPES)
    pairs = [(i, names.index(n.replace("Left", "Right"))) for i, n in enumerate(names) if "Left" in n]
    blink = names.index("eyeBlinkLeft"), names.index("eyeBlinkRight")
    blink_gaps, pair_gaps, jaw, gaps = [], [], [], []
    for face in faces:
        crop = _face_crop(face)
        if crop is None:
            continue
        rgb = np.ascontiguousarray(cv2.cvtColor(crop, cv2.COLOR_BGR2RGB))
        size = (rgb.shape[1], rgb.shape[0])
        seen, mirrored = mesh.process(rgb), mesh.process(np.ascontiguousarray(rgb[:, ::-1]))
        if not seen or not mirrored:
            continue
        w = face_curves(seen[0][None], np.ones(1, bool), size)[0][0]
        m = face_curves(mirrored[0][None], np.ones(1, bool), size)[0][0]
        blink_gaps += [abs(w[blink[0]] - m[blink[1]]), abs(w[blink[1]] - m[blink[0]])]
        pair_gaps += [abs(w[i] - m[j]) for i, j in pairs] + [abs(w[j] - m[i]) for i, j in pairs]
        jaw.append(w[names.index("jawOpen")])
        gaps.append((_68_measures if face.scheme == "68" else _98_measures)(face.points)[0])
    return {
        "faces": len(jaw),
        "eye_blink_mirror_gap_mean": float(np.mean(blink_gaps)),
        "left_right_pairs_mirror_gap_mean": float(np.mean(pair_gaps)),
        "left_right_pairs_mirror_gap_max": float(np.max(pair_gaps)),
        "jaw_open_spearman": spearman(np.array(jaw), np.array(gaps)),
    }
