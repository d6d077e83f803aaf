"""Four calibrated cameras (Pose2Sim's single-person demo) → a triangulated 3D reference, and how
close one view's 3D comes to it: limb directions and PA-MPJPE, raw MediaPipe vs Clapper's capture."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ai_engine.capture.geometry import kabsch
from ai_engine.capture.landmarks import POSE

# Joints compared (the body proper; the face points are tiny and the feet short).
JOINTS = [
    POSE[n]
    for n in (
        "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
        "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    )
]  # fmt: skip
LIMBS = [
    (POSE[f"{s}_{a}"], POSE[f"{s}_{b}"])
    for s in ("left", "right")
    for a, b in (("shoulder", "elbow"), ("elbow", "wrist"), ("hip", "knee"), ("knee", "ankle"))
]


@dataclass
class Camera:
    name: str
    K: np.ndarray  # 3x3 pixels
    dist: np.ndarray  # k1 k2 p1 p2 k3
    R: np.ndarray  # world → camera
    t: np.ndarray  # world → camera, metres

    @property
    def P(self) -> np.ndarray:
        return self.K @ np.hstack([self.R, self.t[:, None]])


def read_qualisys(path: Path) -> list[Camera]:
    """Cameras of a Qualisys ``.qca.txt`` as Pose2Sim reads it: sensor units are 1/64 pixel, the
    transform's matrix takes world axes to Qualisys camera axes (optical axis -Z, Y up) and its
    x/y/z are the camera centre in millimetres."""
    cameras = []
    for cam in ET.parse(path).getroot().iter("camera"):
        tr, intr = cam.find("transform"), cam.find("intrinsic")
        assert tr is not None and intr is not None
        pose = np.array([[float(tr.get(f"r{i}{j}")) for j in (1, 2, 3)] for i in (1, 2, 3)])
        position = np.array([float(tr.get(k)) for k in "xyz"]) / 1000.0
        fu, fv = float(intr.get("focalLengthU")) / 64, float(intr.get("focalLengthV")) / 64
        cu, cv = float(intr.get("centerPointU")) / 64, float(intr.get("centerPointV")) / 64
        K = np.array([[fu, 0, cu], [0, fv, cv], [0, 0, 1.0]])
        dist = np.array([float(intr.get(k)) for k in ("radialDistortion1", "radialDistortion2", "tangentalDistortion1", "tangentalDistortion2", "radialDistortion3")])  # fmt: skip
        flip = np.diag([1.0, -1.0, -1.0])  # Qualisys camera axes → OpenCV's (x right, y down, z forward)
        R = flip @ pose
        cameras.append(Camera(str(cam.get("serial")), K, dist, R, -R @ position))
    return cameras


def undistort(camera: Camera, pixels: np.ndarray) -> np.ndarray:
    import cv2

    points = cv2.undistortPoints(
        pixels.reshape(-1, 1, 2).astype(np.float64), camera.K, camera.dist, P=camera.K
    )
    return points.reshape(pixels.shape)


def triangulate(cameras: list[Camera], pixels: list[np.ndarray], weights: list[np.ndarray]) -> np.ndarray:
    """Weighted DLT per point. pixels[c]: (N, 2) undistorted; weights[c]: (N,). Returns (N, 3)."""
    n = pixels[0].shape[0]
    out = np.full((n, 3), np.nan)
    for i in range(n):
        rows = []
        for cam, px, w in zip(cameras, pixels, weights, strict=True):
            if w[i] <= 0 or not np.isfinite(px[i]).all():
                continue
            P = cam.P
            rows.append(w[i] * (px[i, 0] * P[2] - P[0]))
            rows.append(w[i] * (px[i, 1] * P[2] - P[1]))
        if len(rows) >= 4:
            _, _, vt = np.linalg.svd(np.asarray(rows))
            out[i] = vt[-1, :3] / vt[-1, 3]
    return out


def reproject(camera: Camera, points: np.ndarray) -> np.ndarray:
    cam = points @ camera.R.T + camera.t
    px = cam @ camera.K.T
    return px[:, :2] / px[:, 2:3]


def reference_3d(
    cameras: list[Camera], image_tracks: list[np.ndarray], visibility: list[np.ndarray]
) -> tuple[np.ndarray, float]:
    """(T, 33, 3) triangulated joints from every view, each view's left/right labels made consistent
    with the others first (a view that mirrors the body would otherwise corrupt the reference).

    Returns the reference and its median reprojection error in pixels.
    """
    from ai_engine.capture.landmarks import POSE_MIRROR

    frames = image_tracks[0].shape[0]
    undist = [
        np.stack([undistort(c, t[f]) for f in range(frames)])
        for c, t in zip(cameras, image_tracks, strict=True)
    ]
    ref = np.full((frames, 33, 3), np.nan)
    errors = []
    for f in range(frames):
        px = [u[f] for u in undist]
        w = [np.clip(v[f], 0.05, 1) for v in visibility]
        for _round in range(2):
            ref_f = triangulate(cameras, px, w)
            for c, cam in enumerate(cameras):
                mirrored = px[c][list(POSE_MIRROR)]
                proj = reproject(cam, ref_f)
                keep = np.nanmean(np.linalg.norm(proj[JOINTS] - px[c][JOINTS], axis=1))
                swap = np.nanmean(np.linalg.norm(proj[JOINTS] - mirrored[JOINTS], axis=1))
                if swap < 0.7 * keep:
                    px[c] = mirrored
                    w[c] = w[c][list(POSE_MIRROR)]
        ref[f] = triangulate(cameras, px, w)
        errors += [
            np.linalg.norm(reproject(cam, ref[f])[JOINTS] - px[c][JOINTS], axis=1)
            for c, cam in enumerate(cameras)
        ]
    return ref, float(np.nanmedian(np.concatenate(errors)))


def _procrustes(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    R, s, t = kabsch(source, target)
    return s * source @ R.T + t


def compare(estimate: np.ndarray, reference: np.ndarray) -> dict[str, float]:
    """Per-frame rigid alignment of one view's (T, 33, 3) world landmarks onto the reference, then
    the angle between corresponding limbs; and PA-MPJPE (similarity-aligned joint error, mm)."""
    angles, errors = [], []
    for f in range(reference.shape[0]):
        est, ref = estimate[f, JOINTS], reference[f, JOINTS]
        if not (np.isfinite(est).all() and np.isfinite(ref).all()):
            continue
        R, _s, _t = kabsch(est, ref)
        rotated = estimate[f] @ R.T
        for a, b in LIMBS:
            u, v = rotated[b] - rotated[a], reference[f, b] - reference[f, a]
            cos = float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))
            angles.append(np.degrees(np.arccos(np.clip(cos, -1, 1))))
        aligned = _procrustes(est, ref)
        errors.append(np.linalg.norm(aligned - ref, axis=1).mean() * 1000)
    return {
        "limb_deg_mean": float(np.mean(angles)),
        "limb_deg_p90": float(np.percentile(angles, 90)),
        "pa_mpjpe_mm": float(np.mean(errors)),
        "frames": len(errors),
    }


def _similarity(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``source`` (T, J, 3) mapped onto ``target`` by the one similarity that fits every frame."""
    ok = np.isfinite(source).all(axis=(1, 2)) & np.isfinite(target).all(axis=(1, 2))
    R, s, t = kabsch(source[ok][:, JOINTS].reshape(-1, 3), target[ok][:, JOINTS].reshape(-1, 3))
    return s * source @ R.T + t


def acceleration_error(estimate: np.ndarray, reference: np.ndarray) -> float:
    """Mean |acceleration(estimate) − acceleration(reference)| of the joints, mm/frame², both
    hip-centred and the estimate brought onto the reference by one similarity for the take."""
    hip = [POSE["left_hip"], POSE["right_hip"]]
    est = estimate - estimate[:, hip].mean(1, keepdims=True)
    ref = reference - reference[:, hip].mean(1, keepdims=True)
    est = _similarity(est, ref)
    diff = np.diff(est[:, JOINTS], n=2, axis=0) - np.diff(ref[:, JOINTS], n=2, axis=0)
    return float(np.nanmean(np.linalg.norm(diff, axis=-1)) * 1000)


def foot_slide(estimate_global: np.ndarray, reference: np.ndarray, fps: float) -> dict[str, float]:
    """How far the feet move per frame (mm) on the frames where the reference's foot is planted
    (its ankle slower than 0.1 m/s); the estimate (camera frame, metres) is brought onto the
    reference by one similarity for the whole take."""
    est = _similarity(estimate_global, reference)
    steps, planted = [], 0
    for side in ("left", "right"):
        idx = [POSE[f"{side}_ankle"], POSE[f"{side}_heel"], POSE[f"{side}_foot_index"]]
        ref_speed = np.linalg.norm(np.diff(reference[:, POSE[f"{side}_ankle"]], axis=0), axis=-1) * fps
        move = np.linalg.norm(np.diff(est[:, idx].mean(1), axis=0), axis=-1)
        mask = (ref_speed < 0.1) & np.isfinite(move)
        planted += int(mask.sum())
        steps.append(move[mask])
    moved = np.concatenate(steps) * 1000
    return {"mm_per_frame": float(np.mean(moved)) if moved.size else float("nan"), "frames": planted}


def swapped_frames(estimate: np.ndarray, reference: np.ndarray) -> int:
    """Frames where the estimate's left and right are exchanged against the reference (the mirrored
    labels fit the reference better after per-frame alignment)."""
    from ai_engine.capture.landmarks import POSE_MIRROR

    count = 0
    for f in range(reference.shape[0]):
        est, ref = estimate[f, JOINTS], reference[f, JOINTS]
        if not (np.isfinite(est).all() and np.isfinite(ref).all()):
            continue
        mirrored = estimate[f, list(POSE_MIRROR)][JOINTS]
        keep = np.linalg.norm(_procrustes(est, ref) - ref, axis=1).mean()
        swap = np.linalg.norm(_procrustes(mirrored, ref) - ref, axis=1).mean()
        count += int(swap < 0.8 * keep)
    return count
