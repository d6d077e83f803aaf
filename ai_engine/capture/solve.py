"""The whole-take body solve: one optimisation over every frame of a take, not a per-frame filter.

The person's bone lengths are estimated once (left and right alike); then the body's joints in the
camera's frame are solved for the whole take at once (torch on the CPU) so that

* they project onto the tracked 2D landmarks (accurate sideways, robust to outliers),
* their shape stays near MediaPipe's 3D world landmarks (depth, which one picture does not give),
* every bone keeps its length on every frame,
* they accelerate little (smoothness, in m/s²),
* elbows and knees do not bend backwards (joint limits),
* a foot in contact with the floor stays where it is and on the floor: the floor is a plane fitted
  to the feet where they rest, not assumed; contacts are found, or given (an animator's edits).

Views are given as camera-frame pixels with a pinhole camera (focal length known from a calibration,
or ``focal_factor × the longer image side`` for an uncalibrated phone or webcam).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from .landmarks import POSE

if TYPE_CHECKING:
    from .track import MotionTrack

# The bones held at one length (body proper; the face and the hands' small points are left free).
_SIDE_BONES = (
    ("shoulder", "elbow"), ("elbow", "wrist"), ("hip", "knee"), ("knee", "ankle"),
    ("ankle", "heel"), ("ankle", "foot_index"), ("heel", "foot_index"), ("shoulder", "hip"),
    ("wrist", "index"), ("wrist", "pinky"),
)  # fmt: skip
BONES: tuple[tuple[str, str], ...] = (
    *((f"{s}_{a}", f"{s}_{b}") for s in ("left", "right") for a, b in _SIDE_BONES),
    ("left_shoulder", "right_shoulder"),
    ("left_hip", "right_hip"),
)
FEET: tuple[tuple[int, ...], tuple[int, ...]] = (
    (POSE["left_ankle"], POSE["left_heel"], POSE["left_foot_index"]),
    (POSE["right_ankle"], POSE["right_heel"], POSE["right_foot_index"]),
)
HIPS = (POSE["left_hip"], POSE["right_hip"])
SHOULDERS = (POSE["left_shoulder"], POSE["right_shoulder"])
CORE = tuple(POSE[n] for n in (
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
))  # fmt: skip


@dataclass(frozen=True)
class SolveWeights:
    """Weights of the solve's terms (tuned on cam01+cam03 of the Pose2Sim take, see bench/capture.py).

    Scales: ``reprojection`` per landmark on pixels / person height; ``prior`` per landmark on metres
    from MediaPipe's local shape; ``smooth`` on m/s²; ``contact`` on a planted foot's m/s.
    """

    reprojection: float = 1.0
    prior: float = 0.05
    bone: float = 50.0
    smooth: float = 2e-4
    limits: float = 10.0
    contact: float = 0.02
    floor: float = 20.0
    prior_several: float = 0.0  # the prior's share when several cameras see the depth
    focal_factor: float = 0.9
    contact_height: float = 0.06  # m above the floor
    contact_speed: float = 0.35  # m/s
    iterations: int = 250


@dataclass
class SolvedBody:
    world: np.ndarray  # (T, 33, 3) hip-centred, camera axes (like MediaPipe's world landmarks)
    camera: np.ndarray  # (T, 33, 3) in the camera's frame, metres
    confidence: np.ndarray  # (T,) 0…1
    contacts: np.ndarray  # (T, 2) bool, left and right foot planted
    bone_lengths: dict[str, float]
    floor_normal: np.ndarray | None  # (3,) up, camera frame; None when no foot ever rests
    floor_offset: float


def bone_lengths(world: np.ndarray, visibility: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """One length per bone of ``BONES`` for the whole take: visibility-weighted median over frames,
    left and right the same (the person's bones do not change between frames or sides)."""
    lengths = np.zeros(len(BONES))
    for i, (a, b) in enumerate(BONES):
        ia, ib = POSE[a], POSE[b]
        seg = np.linalg.norm(world[valid, ia] - world[valid, ib], axis=-1)
        conf = np.minimum(visibility[valid, ia], visibility[valid, ib])
        good = np.isfinite(seg) & (conf >= np.quantile(conf, 0.5) if conf.size else False)
        lengths[i] = float(np.median(seg[good])) if good.any() else float(np.nanmedian(seg))
    half = (len(BONES) - 2) // 2
    lengths[:half] = lengths[half : 2 * half] = 0.5 * (lengths[:half] + lengths[half : 2 * half])
    return lengths


@dataclass(frozen=True)
class View:
    """One camera's 2D landmarks and its pinhole model. ``pixels`` (T, 33, 2) undistorted pixels,
    ``visibility`` (T, 33) 0…1; ``K`` 3×3; ``R``, ``t`` world → camera (identity for a lone camera)."""

    pixels: np.ndarray
    visibility: np.ndarray
    K: np.ndarray
    R: np.ndarray = field(default_factory=lambda: np.eye(3))
    t: np.ndarray = field(default_factory=lambda: np.zeros(3))


def pinhole(image_size: tuple[int, int], focal_factor: float) -> np.ndarray:
    """The intrinsics of an uncalibrated camera: focal ``focal_factor`` × the longer side, centred."""
    w, h = image_size
    f = focal_factor * max(w, h)
    return np.array([[f, 0, w / 2.0], [0, f, h / 2.0], [0, 0, 1.0]])


def _root_translation(local: np.ndarray, view: View) -> np.ndarray:
    """Per frame, the translation t putting ``local`` + t in front of the camera so it projects onto
    the view's pixels (linear least squares: (u - cx)(Z + tz) = fx (X + tx))."""
    fx, fy, cx, cy = view.K[0, 0], view.K[1, 1], view.K[0, 2], view.K[1, 2]
    t_count = local.shape[0]
    out = np.zeros((t_count, 3))
    for t in range(t_count):
        X, w = local[t], np.sqrt(view.visibility[t])
        u, v = view.pixels[t, :, 0] - cx, view.pixels[t, :, 1] - cy
        zeros, ones = np.zeros(33), np.ones(33)
        A = np.concatenate(
            [
                np.stack([fx * ones, zeros, -u], 1) * w[:, None],
                np.stack([zeros, fy * ones, -v], 1) * w[:, None],
            ]
        )
        b = np.concatenate([(u * X[:, 2] - fx * X[:, 0]) * w, (v * X[:, 2] - fy * X[:, 1]) * w])
        ok = np.isfinite(A).all(axis=1) & np.isfinite(b)
        out[t] = np.linalg.lstsq(A[ok], b[ok], rcond=None)[0] if ok.sum() >= 3 else np.array([0, 0, 3.0])
    out[:, 2] = np.maximum(out[:, 2], 0.5)
    return out


def triangulate(views: list[View], frame: int, min_views: int = 2, max_error: float = 0.04) -> np.ndarray:
    """(33, 3) joints of one frame from every view (weighted DLT), dropping the view that reprojects
    worst while it is off by more than ``max_error`` × the person's height in that picture (an
    outlier: a mirrored or lost landmark); NaN where fewer than ``min_views`` views remain."""
    out = np.full((33, 3), np.nan)
    Ps = [v.K @ np.hstack([v.R, v.t[:, None]]) for v in views]
    heights = [
        max(float(np.nanmax(v.pixels[frame, :, 1]) - np.nanmin(v.pixels[frame, :, 1])), 1.0)
        if np.isfinite(v.pixels[frame]).any()
        else 1.0
        for v in views
    ]
    for j in range(33):
        use = [
            i
            for i, v in enumerate(views)
            if v.visibility[frame, j] > 0.05 and np.isfinite(v.pixels[frame, j]).all()
        ]
        while len(use) >= min_views:
            rows = []
            for i in use:
                x, y = views[i].pixels[frame, j]
                w = views[i].visibility[frame, j]
                rows += [w * (x * Ps[i][2] - Ps[i][0]), w * (y * Ps[i][2] - Ps[i][1])]
            vt = np.linalg.svd(np.asarray(rows))[2]
            X = vt[-1, :3] / vt[-1, 3]
            errors = []
            for i in use:
                p = Ps[i] @ np.append(X, 1.0)
                errors.append(np.linalg.norm(p[:2] / p[2] - views[i].pixels[frame, j]) / heights[i])
            worst = int(np.argmax(errors))
            if errors[worst] <= max_error or len(use) == min_views:
                if errors[worst] <= 2 * max_error or len(use) > min_views:
                    out[j] = X
                break
            use.pop(worst)
    return out


def find_contacts(
    camera: np.ndarray, fps: float, weights: SolveWeights
) -> tuple[np.ndarray, np.ndarray | None, float]:
    """Planted feet and the floor: up is the take's median hip→shoulder direction, the floor a plane
    fitted to the lowest foot points; a foot is planted when near the floor and slow.

    Returns (contacts (T, 2) bool, floor normal or None, floor offset along the normal).
    """
    t_count = camera.shape[0]
    torso = camera[:, SHOULDERS].mean(1) - camera[:, HIPS].mean(1)
    up = np.nanmedian(torso / np.linalg.norm(torso, axis=1, keepdims=True), axis=0)
    up /= np.linalg.norm(up)
    feet = np.stack([camera[:, list(foot)] for foot in FEET], axis=1)  # (T, 2, 3, 3)
    height = feet @ up  # (T, 2, 3)
    low = np.nanmin(height, axis=2)  # each foot's lowest point
    floor = float(np.nanpercentile(low, 5))
    speed = np.zeros((t_count, 2))
    centre = feet.mean(axis=2)
    speed[1:] = np.linalg.norm(np.diff(centre, axis=0), axis=-1) * fps
    speed[0] = speed[1] if t_count > 1 else 0
    contacts = (low - floor < weights.contact_height) & (speed < weights.contact_speed)
    contacts &= np.isfinite(low)
    if contacts.sum() < max(3, 0.02 * t_count):
        return np.zeros((t_count, 2), bool), None, 0.0
    # Refine the floor: a plane through the lowest point of each planted foot.
    points = np.concatenate(
        [
            feet[:, s][contacts[:, s]].reshape(-1, 3, 3)[
                np.arange(contacts[:, s].sum()), np.argmin(height[:, s][contacts[:, s]], axis=1)
            ]
            for s in (0, 1)
        ]
    )
    centroid = points.mean(0)
    _, _, vt = np.linalg.svd(points - centroid)
    normal = vt[-1] * np.sign(vt[-1] @ up)
    if normal @ up < np.cos(np.radians(30)):  # feet too few or collinear to tilt the plane: keep up
        normal = up
    return contacts, normal, float(centroid @ normal)


def solve_body(
    world: np.ndarray,
    views: list[View],
    valid: np.ndarray,
    fps: float,
    *,
    weights: SolveWeights | None = None,
    contacts: np.ndarray | None = None,
    breaks: np.ndarray | None = None,
) -> SolvedBody:
    """Solve the take. ``world`` (T, 33, 3): MediaPipe's world landmarks of the first view (its shape
    and depth: bone lengths and the prior); ``views``: one or more calibrated views; ``valid`` (T):
    frames with a body. ``contacts`` (T, 2): planted feet an animator chose (found when None);
    ``breaks`` (T) bool: frames where the motion restarts (another person, a cut): not smoothed across.

    Raises:
        MissingRuntime: this build has no PyTorch (several cameras and re-solving need the solve)."""
    from .. import runtimes

    runtimes.require_torch("The whole-take body solve (several cameras, re-solving with edited contacts)")
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small tensors: threads cost more than they give
    try:
        return _solve(world, views, valid, fps, weights or SolveWeights(), contacts, breaks, torch)
    finally:
        torch.set_num_threads(threads)


def _solve(world, views, valid, fps, weights, contacts, breaks, torch):  # type: ignore[no-untyped-def]
    t_all = world.shape[0]
    finite = np.isfinite(world).all(axis=(1, 2))
    frames = np.flatnonzero(valid & finite & np.isfinite(views[0].pixels).all(axis=(1, 2)))
    out_world = np.full(world.shape, np.nan)
    out_camera = np.full(world.shape, np.nan)
    confidence = np.zeros(t_all)
    out_contacts = np.zeros((t_all, 2), bool)
    first = views[0]
    vis0 = np.clip(first.visibility, 0.0, 1.0)
    lengths = bone_lengths(world, vis0, valid & finite)
    if len(views) > 1:
        tri = np.stack([triangulate(views, f) for f in range(t_all)])
        solid = np.isfinite(tri[:, list(HIPS + SHOULDERS)]).all(axis=(1, 2))  # enough to place the body
        frames = np.flatnonzero(valid & finite & solid)
        if frames.size:
            lengths = bone_lengths(
                tri @ first.R.T + first.t, np.ones_like(vis0), np.isin(np.arange(t_all), frames)
            )
    names = {f"{a}-{b}": float(v) for (a, b), v in zip(BONES, lengths, strict=True)}
    if frames.size < 2:
        return SolvedBody(world.astype(np.float64), out_camera, confidence, out_contacts, names, None, 0.0)
    # The solve's frame: the first camera's (so the result keeps MediaPipe's axes).
    cams = [(v.K, v.R @ first.R.T, v.t - v.R @ first.R.T @ first.t) for v in views]
    px = np.stack([v.pixels[frames] for v in views]).astype(np.float64)
    vis = np.stack([np.clip(v.visibility[frames], 0.05, 1.0) for v in views]).astype(np.float64)
    seen = np.isfinite(px).all(axis=-1) & np.isfinite(vis)
    vis = np.where(seen, vis, 0.0)  # a view that lost the person there says nothing
    px = np.where(seen[..., None], px, 0.0)
    local = world[frames].astype(np.float64)
    if len(views) > 1:
        init = tri[frames] @ first.R.T + first.t
        init = np.where(
            np.isfinite(init), init, local + np.nanmean(init[:, list(HIPS)], axis=1, keepdims=True)
        )
    else:
        init = local + _root_translation(local, View(px[0], vis[0], first.K))[:, None, :]
    height_px = np.array(
        [
            float(np.median(np.ptp(p[s_.all(1)][..., 1], axis=1))) if s_.all(1).any() else 1000.0
            for p, s_ in zip(px, seen, strict=True)
        ]
    )
    step = np.diff(frames) == 1  # consecutive solved frames only are tied by smoothness
    if breaks is not None:
        step &= ~np.asarray(breaks, bool)[frames[1:]]
    args = (local, px, vis, lengths, cams, height_px, fps, step, weights, len(views) > 1)
    camera = _optimise(init, *args, None, torch)
    found, normal, offset = find_contacts(camera, fps, weights)
    if contacts is not None:
        found = np.asarray(contacts, bool)[frames]
        if normal is None and found.any():
            torso = camera[:, SHOULDERS].mean(1) - camera[:, HIPS].mean(1)
            normal = np.median(torso / np.linalg.norm(torso, axis=1, keepdims=True), axis=0)
            normal /= np.linalg.norm(normal)
            low = [np.min(camera[:, list(FEET[s])] @ normal, axis=1)[found[:, s]] for s in (0, 1)]
            offset = float(np.median(np.concatenate(low)))
    if found.any() and normal is not None:
        camera = _optimise(camera, *args, (found, normal, offset), torch)
    hips = camera[:, list(HIPS)].mean(axis=1, keepdims=True)
    out_camera[frames] = camera
    out_world[frames] = camera - hips
    out_contacts[frames] = found
    K, R, t = cams[0]
    xc = camera @ R.T + t
    proj = xc[..., :2] / xc[..., 2:3] * np.diag(K)[:2] + K[:2, 2]
    residual = np.linalg.norm(proj[:, list(CORE)] - px[0][:, list(CORE)], axis=-1) / height_px[0]
    quality = vis[0][:, list(CORE)].mean(1) * np.exp(-np.median(residual, axis=1) / 0.03)
    confidence[frames] = np.clip(quality, 0.0, 1.0)
    return SolvedBody(out_world, out_camera, confidence, out_contacts, names, normal, float(offset))


def _optimise(init, local, px, vis, lengths, cams, height_px, fps, step, weights, several, contact, torch):  # type: ignore[no-untyped-def]
    dt = torch.float32
    X = torch.tensor(init, dtype=dt, requires_grad=True)
    L0 = torch.tensor(local, dtype=dt)
    P = torch.tensor(px, dtype=dt)  # (V, F, 33, 2)
    V = torch.tensor(vis, dtype=dt)  # (V, F, 33)
    Rs = torch.tensor(np.stack([c[1] for c in cams]), dtype=dt)
    ts = torch.tensor(np.stack([c[2] for c in cams]), dtype=dt)
    focal = torch.tensor(np.stack([np.diag(c[0])[:2] for c in cams]), dtype=dt)[:, None, None, :]
    centre = torch.tensor(np.stack([c[0][:2, 2] for c in cams]), dtype=dt)[:, None, None, :]
    H = torch.tensor(height_px, dtype=dt)[:, None, None]
    prior_weight = weights.prior * (weights.prior_several if several else 1.0)
    Lb = torch.tensor(lengths, dtype=dt)
    ia = torch.tensor([POSE[a] for a, _ in BONES])
    ib = torch.tensor([POSE[b] for _, b in BONES])
    S = torch.tensor(step, dtype=dt)
    S2 = (S[1:] * S[:-1])[:, None, None]
    n = X.shape[0]
    hips = list(HIPS)
    # Knees: the shank turns about the hip axis one way only (the take's own majority decides which).
    upper = torch.tensor([POSE["left_hip"], POSE["right_hip"]])
    joint = torch.tensor([POSE["left_knee"], POSE["right_knee"]])
    lower = torch.tensor([POSE["left_ankle"], POSE["right_ankle"]])
    lh, rh = POSE["left_hip"], POSE["right_hip"]

    def bend(Y):  # type: ignore[no-untyped-def]
        side = (Y[:, lh] - Y[:, rh])[:, None, :]
        return (torch.cross(Y[:, joint] - Y[:, upper], Y[:, lower] - Y[:, joint], dim=-1) * side).sum(-1)

    with torch.no_grad():
        sign = torch.sign(torch.median(bend(X), dim=0).values)
        sign[sign == 0] = 1
    if contact is not None:
        planted = torch.tensor(contact[0], dtype=dt)  # (F, 2)
        normal = torch.tensor(contact[1], dtype=dt)
        offset = float(contact[2])
        feet = torch.tensor([list(FEET[0]), list(FEET[1])])  # (2, 3)
        both = (planted[1:] * planted[:-1] * S[:, None])[:, :, None, None]
    optimiser = torch.optim.Adam([X], lr=0.01)
    delta = 0.02
    for it in range(weights.iterations):
        if it == int(weights.iterations * 0.7):
            for g in optimiser.param_groups:
                g["lr"] = 0.003
        optimiser.zero_grad()
        xc = torch.einsum("fjk,vlk->vfjl", X, Rs) + ts[:, None, None, :]
        proj = xc[..., :2] / xc[..., 2:3].clamp(min=0.1) * focal + centre
        r = (proj - P).norm(dim=-1) / H
        huber = torch.where(r < delta, 0.5 * r**2, delta * (r - 0.5 * delta))
        e_reproj = (V * huber).sum() / n
        hip = X[:, hips].mean(1, keepdim=True)
        e_prior = (V[0][..., None] * (X - hip - L0) ** 2).sum() / n
        seg = (X[:, ia] - X[:, ib]).norm(dim=-1)
        e_bone = ((seg - Lb) ** 2).sum() / n
        loss = 1e3 * (weights.reprojection * e_reproj + prior_weight * e_prior + weights.bone * e_bone)
        if n >= 3:
            acc = (X[2:] - 2 * X[1:-1] + X[:-2]) * (fps * fps)
            loss = loss + weights.smooth * (S2 * acc**2).sum() / n
        loss = loss + weights.limits * 1e3 * torch.relu(-bend(X) * sign).pow(2).sum() / n
        if contact is not None:
            foot = X[:, feet]  # (F, 2, 3, 3)
            vel = (foot[1:] - foot[:-1]) * fps
            e_contact = (both * vel**2).sum() / n
            low = (foot @ normal).min(dim=2).values - offset  # (F, 2)
            e_floor = (planted * low**2).sum() / n
            loss = loss + 1e3 * (weights.contact * e_contact + weights.floor * e_floor)
        loss.backward()
        optimiser.step()
    return X.detach().numpy().astype(np.float64)


def solve_track(
    track: MotionTrack,
    *,
    contacts: np.ndarray | None = None,
    breaks: np.ndarray | None = None,
    smoothing: float = 0.5,
    weights: SolveWeights | None = None,
) -> SolvedBody:
    """Solve a one-camera track in place: ``body_world`` becomes the solved body, ``body_confidence``,
    ``foot_contacts`` and ``body_root`` are filled; ``body_world_raw`` is left as tracked.

    ``contacts`` (T, 2) bool: feet planted where an animator said (the floor is then fitted to them).
    """
    weights = weights or SolveWeights()
    weights = replace(weights, smooth=weights.smooth * 4.0 * smoothing**2)
    track.with_defaults()
    K = pinhole(track.image_size, weights.focal_factor)
    size = np.array(track.image_size, np.float64)
    view = View(track.body_image[..., :2].astype(np.float64) * size, track.body_visibility, K)
    if contacts is not None:
        contacts = np.asarray(contacts, bool)
        if contacts.shape != (track.frame_count, 2):
            raise ValueError(
                f"The foot contacts cover {contacts.shape[0]} frames but the take has {track.frame_count}: "
                "key them on the rig over the whole captured range."
            )
    solved = solve_body(
        track.body_world,
        [view],
        track.body_valid,
        track.fps,
        weights=weights,
        contacts=contacts,
        breaks=breaks,
    )
    done = np.isfinite(solved.camera).all(axis=(1, 2))
    track.body_world = np.where(done[:, None, None], solved.world, track.body_world).astype(np.float32)
    track.body_confidence = solved.confidence.astype(np.float32)
    track.foot_contacts = solved.contacts
    track.body_root = np.where(done[:, None], solved.camera[:, list(HIPS)].mean(axis=1), np.nan).astype(
        np.float32
    )
    track.meta = {
        **track.meta,
        "solve": {
            "bone_lengths": solved.bone_lengths,
            "floor_found": solved.floor_normal is not None,
            "focal_px": float(K[0, 0]),
            "contacts_given": contacts is not None,
        },
    }
    return solved
