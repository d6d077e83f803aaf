"""Two or more calibrated cameras: read the calibration, synchronise the videos by their motion,
make left and right agree between views, then the whole-take solve over every view at once
(triangulation with outlier rejection starts it).

Calibrations read: Pose2Sim/Qualisys ``.qca.txt``, Pose2Sim's ``Calib*.toml``, OpenCV YAML (``.yml``/
``.yaml``, one node per camera holding ``K``/``camera_matrix``, ``dist``/``distortion_coefficients``,
``R`` (3×3 or Rodrigues), ``T``, and ``size`` or ``image_width``/``image_height``).
"""

from __future__ import annotations

import copy
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..errors import EngineError
from ..progress import ProgressFn, StopFn, check_stop, never_stop, no_progress, sub_progress
from .contract import CaptureOptions, ViewHealth
from .landmarks import POSE, POSE_MIRROR
from .pipeline import Captured
from .solve import CORE, HIPS, SHOULDERS, View, solve_body, triangulate

SIZE_TOLERANCE = 16  # px: encoders pad 1080 to 1088; a calibration within this fits the video


class CalibrationError(EngineError):
    """A calibration file that cannot be read or does not fit the videos."""


@dataclass(frozen=True)
class Camera:
    name: str
    K: np.ndarray  # 3×3 pixels
    dist: np.ndarray  # k1 k2 p1 p2 [k3]
    R: np.ndarray  # world → camera
    t: np.ndarray  # world → camera, metres
    size: tuple[int, int]  # width, height in pixels


def read_calibration(path: str | os.PathLike[str]) -> list[Camera]:
    """Every camera of a calibration file (format from its name and content).

    Raises:
        CalibrationError: missing, unknown format, or unreadable (the message names the file).
    """
    path = Path(path)
    if not path.is_file():
        raise CalibrationError(f"Calibration file not found: {path}.")
    name = path.name.lower()
    try:
        if name.endswith((".qca.txt", ".qca")) or path.read_text(errors="replace").lstrip().startswith(
            "<?xml"
        ):
            cameras = _read_qualisys(path)
        elif name.endswith(".toml"):
            cameras = _read_toml(path)
        elif name.endswith((".yml", ".yaml")):
            cameras = _read_opencv_yaml(path)
        else:
            raise CalibrationError(
                f"{path.name}: unknown calibration format; use a Pose2Sim/Qualisys .qca.txt, a Pose2Sim .toml "
                "or an OpenCV .yml/.yaml."
            )
    except CalibrationError:
        raise
    except (ET.ParseError, KeyError, ValueError, TypeError, AttributeError) as exc:
        raise CalibrationError(
            f"{path} cannot be read as a camera calibration ({type(exc).__name__}: {exc})."
        ) from exc
    if not cameras:
        raise CalibrationError(f"{path} holds no camera.")
    return cameras


def _read_qualisys(path: Path) -> list[Camera]:
    """Qualisys as Pose2Sim reads it: sensor units are 1/64 pixel, the transform's matrix takes world
    axes to Qualisys camera axes (optical axis -Z, Y up), its x/y/z are the camera centre in mm."""
    cameras = []
    for cam in ET.parse(path).getroot().iter("camera"):
        tr, intr, fov = cam.find("transform"), cam.find("intrinsic"), cam.find("fov_video")
        if tr is None or intr is None:
            raise KeyError("transform/intrinsic")
        pose = np.array([[float(tr.get(f"r{i}{j}")) for j in (1, 2, 3)] for i in (1, 2, 3)])  # type: ignore[arg-type]
        position = np.array([float(tr.get(k)) for k in "xyz"]) / 1000.0  # type: ignore[arg-type]
        g = lambda key, intr=intr: float(intr.get(key))  # type: ignore[misc]  # noqa: E731
        K = np.array(
            [
                [g("focalLengthU") / 64, 0, g("centerPointU") / 64],
                [0, g("focalLengthV") / 64, g("centerPointV") / 64],
                [0, 0, 1.0],
            ]
        )
        dist = np.array([g(k) for k in ("radialDistortion1", "radialDistortion2", "tangentalDistortion1", "tangentalDistortion2", "radialDistortion3")])  # fmt: skip
        if fov is not None:
            size = (
                int(fov.get("right", 0)) - int(fov.get("left", 0)) + 1,
                int(fov.get("bottom", 0)) - int(fov.get("top", 0)) + 1,
            )
        else:
            size = (int(round(g("sensorMaxU") / 64)), int(round(g("sensorMaxV") / 64)))
        R = np.diag([1.0, -1.0, -1.0]) @ pose  # Qualisys camera axes → OpenCV's (x right, y down, z ahead)
        cameras.append(Camera(str(cam.get("serial")), K, dist, R, -R @ position, size))
    return cameras


def _rotation(value: np.ndarray) -> np.ndarray:
    import cv2

    value = np.asarray(value, np.float64)
    if value.size == 3:
        return cv2.Rodrigues(value.reshape(3, 1))[0]
    return value.reshape(3, 3)


def _read_toml(path: Path) -> list[Camera]:
    import tomllib

    data = tomllib.loads(path.read_text())
    cameras = []
    for key, cam in data.items():
        if not isinstance(cam, dict) or "matrix" not in cam:
            continue
        size = tuple(int(round(float(v))) for v in cam["size"])
        cameras.append(
            Camera(
                str(cam.get("name", key)), np.array(cam["matrix"], float), np.array(cam["distortions"], float),
                _rotation(np.array(cam["rotation"], float)), np.array(cam["translation"], float).reshape(3),
                (size[0], size[1]),
            )
        )  # fmt: skip
    return cameras


def _read_opencv_yaml(path: Path) -> list[Camera]:
    import cv2

    fs = cv2.FileStorage(str(path), cv2.FILE_STORAGE_READ)
    if not fs.isOpened():
        raise CalibrationError(f"{path} cannot be opened by OpenCV as YAML.")
    try:
        root = fs.root()
        nodes = [(name, root.getNode(name)) for name in root.keys()]
        if any(n in ("K", "camera_matrix") for n, _ in nodes):
            nodes = [(path.stem, root)]
        cameras = []
        for name, node in nodes:
            if not node.isMap():
                continue

            def get(*keys: str, node: cv2.FileNode = node) -> cv2.FileNode | None:
                return next((node.getNode(k) for k in keys if not node.getNode(k).empty()), None)

            K, dist = get("K", "camera_matrix"), get("dist", "D", "distortion_coefficients", "dist_coeffs")
            R, T = get("R", "rotation", "rvec"), get("T", "t", "translation", "tvec")
            if K is None or R is None or T is None:
                continue
            size_node = get("size", "image_size")
            if size_node is not None:
                size_values = (
                    size_node.mat().reshape(-1)
                    if size_node.isSeq() is False
                    else [size_node.at(i).real() for i in range(size_node.size())]
                )
                size = (int(size_values[0]), int(size_values[1]))
            else:
                size = (int(node.getNode("image_width").real()), int(node.getNode("image_height").real()))
            cameras.append(
                Camera(
                    name, K.mat().astype(float), dist.mat().reshape(-1).astype(float) if dist is not None else np.zeros(5),
                    _rotation(R.mat()), T.mat().reshape(3).astype(float), size,
                )
            )  # fmt: skip
        return cameras
    finally:
        fs.release()


def match_cameras(
    cameras: list[Camera], videos: list[str], sizes: list[tuple[int, int]], calibration: str
) -> list[Camera]:
    """The camera of each video: by name when every video's name names a camera (cam01.mp4 ↔ cam01;
    then any subset of the cameras may be used), else in order. Raises ``CalibrationError`` naming the file when the count or an image size differs."""
    file = Path(calibration).name
    by_name = {c.name.lower(): c for c in cameras}
    stems = [Path(v).stem.lower() for v in videos]
    if all(s in by_name for s in stems) and len(set(stems)) == len(stems):
        chosen = [by_name[s] for s in stems]  # any subset of the cameras, named like them
    elif len(cameras) == len(videos):
        chosen = list(cameras)
    else:
        raise CalibrationError(
            f"{file} describes {len(cameras)} camera(s) ({', '.join(c.name for c in cameras)}) but "
            f"{len(videos)} video(s) were given whose names do not name them: pass one video per calibrated "
            "camera in the same order, or name each video after its camera (e.g. "
            f"{cameras[0].name}.mp4) to use some of them."
        )
    for cam, video, size in zip(chosen, videos, sizes, strict=True):
        if abs(cam.size[0] - size[0]) > SIZE_TOLERANCE or abs(cam.size[1] - size[1]) > SIZE_TOLERANCE:
            raise CalibrationError(
                f"{file}: camera {cam.name} was calibrated at {cam.size[0]}×{cam.size[1]} but {Path(video).name} "
                f"is {size[0]}×{size[1]}: use the calibration of these cameras at this resolution."
            )
    return chosen


def undistort(camera: Camera, pixels: np.ndarray) -> np.ndarray:
    """(…, 2) pixels without the lens distortion (same camera matrix)."""
    import cv2

    flat = pixels.reshape(-1, 1, 2).astype(np.float64)
    ok = np.isfinite(flat).all(axis=(1, 2))
    out = np.full_like(flat, np.nan)
    if ok.any():
        out[ok] = cv2.undistortPoints(flat[ok], camera.K, camera.dist, P=camera.K)
    return out.reshape(pixels.shape)


def fundamental(first: View, other: View) -> np.ndarray:
    """F with x_other^T F x_first = 0 for the pixels of one 3D point in both views."""
    R = other.R @ first.R.T
    t = other.t - R @ first.t
    tx = np.array([[0, -t[2], t[1]], [t[2], 0, -t[0]], [-t[1], t[0], 0]])
    return np.linalg.inv(other.K).T @ tx @ R @ np.linalg.inv(first.K)


def epipolar_error(first: View, other: View, lag: int) -> np.ndarray:
    """Per overlapping frame, the median distance (px) of ``other``'s core landmarks from the epipolar
    lines of ``first``'s, when frame i of ``first`` is frame i - lag of ``other`` (left/right labels
    taken whichever way fits: a mirrored view is still in sync)."""
    F = fundamental(first, other)
    joints = list(CORE)
    mirrored = [POSE_MIRROR[j] for j in joints]
    start, stop = max(lag, 0), min(first.pixels.shape[0], other.pixels.shape[0] + lag)
    if stop - start < 1:
        return np.full(0, np.nan)
    a = first.pixels[start:stop][:, joints]
    h = lambda p: np.concatenate([p, np.ones((*p.shape[:-1], 1))], axis=-1)  # noqa: E731
    lines = h(a) @ F.T  # (N, 12, 3) epipolar lines in the other view
    norm = np.linalg.norm(lines[..., :2], axis=-1)
    errors = []
    for idx in (joints, mirrored):
        b = other.pixels[start - lag : stop - lag][:, idx]
        errors.append(np.nanmedian(np.abs((h(b) * lines).sum(-1)) / norm, axis=1))
    return np.fmin(errors[0], errors[1])


def find_offset(first: View, other: View, max_lag: int) -> tuple[int, float]:
    """The lag (frames) by which ``other`` starts later than ``first``: the one where the two views'
    landmarks agree best with the cameras' geometry over the whole take (median epipolar distance,
    px, also returned). Needs at least 10 overlapping frames."""
    best = (0, np.inf)
    for lag in range(-max_lag, max_lag + 1):
        error = epipolar_error(first, other, lag)
        if np.isfinite(error).sum() < 10:
            continue
        score = float(np.nanmedian(error))
        if score < best[1]:
            best = (lag, score)
    return best


def consistent_sides(views: list[View], frame: int) -> list[bool]:
    """Which views to mirror (exchange left and right) on ``frame`` so that every view agrees — the
    labelling that triangulates with the least reprojection error — and, of the two mirror-image
    answers, the one whose body is anatomically right (left shoulder to the left when facing ahead)."""
    views = [View(v.pixels[frame : frame + 1], v.visibility[frame : frame + 1], v.K, v.R, v.t) for v in views]
    frame = 0
    n = len(views)
    joints = list(CORE)
    best: tuple[float, tuple[bool, ...]] = (np.inf, (False,) * n)
    for code in range(2 ** (n - 1)):  # the first view's labels fixed: mirror images are the same fit
        trial = (False, *[bool(code >> i & 1) for i in range(n - 1)])
        flipped = [_flip(v, frame) if f else v for v, f in zip(views, trial, strict=True)]
        X = triangulate(flipped, frame, min_views=2, max_error=np.inf)
        error = 0.0
        for v in flipped:
            P = v.K @ np.hstack([v.R, v.t[:, None]])
            p = np.c_[X[joints], np.ones(len(joints))] @ P.T
            r = np.linalg.norm(p[:, :2] / p[:, 2:3] - v.pixels[frame, joints], axis=1)
            error += float(np.nansum(r * v.visibility[frame, joints]))
        if error < best[0]:
            best = (error, trial)
    flips = list(best[1])
    X = triangulate(
        [_flip(v, frame) if f else v for v, f in zip(views, flips, strict=True)], frame, max_error=np.inf
    )
    lateral = X[POSE["left_shoulder"]] - X[POSE["right_shoulder"]]
    up = X[list(SHOULDERS)].mean(0) - X[list(HIPS)].mean(0)
    ahead = X[POSE["nose"]] - X[list(SHOULDERS)].mean(0)
    if np.isfinite(lateral).all() and float(np.cross(lateral, up) @ ahead) < 0:
        flips = [not f for f in flips]
    return flips


def _flip(view: View, frame: int) -> View:
    """``view`` with left and right exchanged on ``frame``."""
    mirror = list(POSE_MIRROR)
    pixels, vis = view.pixels.copy(), view.visibility.copy()
    pixels[frame], vis[frame] = view.pixels[frame, mirror], view.visibility[frame, mirror]
    return View(pixels, vis, view.K, view.R, view.t)


class VideosDoNotMatch(EngineError):
    """Videos of one take that cannot be combined (different frame rates, no common motion)."""


def capture_views(
    videos: list[str],
    calibration: str,
    options: CaptureOptions,
    *,
    sync: str = "motion",
    progress: ProgressFn = no_progress,
    should_stop: StopFn = never_stop,
) -> Captured:
    """Capture one performer filmed by several calibrated cameras (``sync``: one of ``SYNC_MODES``).

    The first video gives the face and hands and the track's axes (its camera's: x right, y down,
    z ahead); every video gives the body. Raises ``CalibrationError`` (naming the file) when the
    calibration does not fit the videos, ``VideosDoNotMatch`` when their frame rates differ.
    """
    from .pipeline import capture

    if len(videos) < 2:
        raise VideosDoNotMatch(
            "A multi-camera capture needs two or more videos; capture a single video on its own."
        )
    from ..video import probe

    cameras = read_calibration(calibration)
    infos = [probe(v, should_stop=should_stop) for v in videos]  # check everything before tracking
    chosen = match_cameras(cameras, videos, [(i.width, i.height) for i in infos], calibration)
    rates = [i.fps for i in infos]
    if max(rates) - min(rates) > 0.01 * max(rates):
        listing = ", ".join(f"{Path(v).name} {r:g} fps" for v, r in zip(videos, rates, strict=True))
        raise VideosDoNotMatch(
            f"The cameras run at different frame rates ({listing}): convert them to one rate first "
            "(e.g. ffmpeg -r), or capture each view on its own."
        )
    share = 0.85 / len(videos)
    takes = []
    for i, video in enumerate(videos):
        parts = options.parts if i == 0 else ("body",)
        takes.append(
            capture(
                video,
                replace(options, parts=parts, solve=False),
                progress=sub_progress(progress, i * share, (i + 1) * share),
                should_stop=should_stop,
            )
        )
    captured = combine_views(takes, chosen, videos, sync=sync, progress=progress, should_stop=should_stop)
    captured.track.meta["calibration"] = str(calibration)
    return captured


def combine_views(
    takes: list[Captured],
    cameras: list[Camera],
    videos: list[str],
    *,
    sync: str = "motion",
    progress: ProgressFn = no_progress,
    should_stop: StopFn = never_stop,
) -> Captured:
    """The multi-camera body from each camera's own capture (``takes``, the first one complete, made
    with ``solve=False``) and its camera: sync, left/right agreement, the whole-take solve."""
    chosen = cameras
    progress(0.87, "synchronising the views")
    first = copy.deepcopy(takes[0].track)  # the takes stay as they were (a benchmark combines them again)
    fps = first.fps
    views: list[View] = []
    health: list[ViewHealth] = []
    warnings = list(takes[0].report.warnings)
    total = first.frame_count
    for take, cam in zip(takes, chosen, strict=True):
        track = take.track
        size = np.array(track.image_size, np.float64)
        scale = np.array(cam.size, np.float64) / size  # a padded video: pixels in the calibration's frame
        pixels = undistort(cam, track.body_image[..., :2].astype(np.float64) * size * scale)
        vis = np.where(track.body_valid[:, None], track.body_visibility, 0.0).astype(np.float64)
        pixels[~track.body_valid] = np.nan
        views.append(View(pixels, vis, cam.K, cam.R, cam.t))
    aligned: list[View] = []
    for i, (view, video, cam) in enumerate(zip(views, videos, chosen, strict=True)):
        max_lag = max(1, min(int(2 * fps), total // 3))
        if i == 0:
            lag, error = 0, 0.0
        elif sync == "motion":
            lag, error = find_offset(views[0], view, max_lag)
        else:  # as filmed: frame i is frame i everywhere
            lag, error = 0, float(np.nanmedian(epipolar_error(views[0], view, 0)))
        px = np.full((total, 33, 2), np.nan)
        vis = np.zeros((total, 33))
        src = np.arange(total) - lag
        ok = (src >= 0) & (src < view.pixels.shape[0])
        px[ok], vis[ok] = view.pixels[src[ok]], view.visibility[src[ok]]
        aligned.append(View(px, vis, view.K, view.R, view.t))
        if i and not np.isfinite(error):
            raise VideosDoNotMatch(
                f"{Path(video).name} and {Path(videos[0]).name} do not overlap by 10 frames with a body in both: "
                "check that they film the same take."
            )
        if i and error > 0.02 * float(cam.size[1]):
            warnings.append(
                f"{Path(video).name}: its landmarks fit the first view's poorly even at the best offset "
                f"({error:.0f} px from the epipolar lines); check the calibration and that the videos film the same take."
            )
        health.append(
            ViewHealth(
                Path(video).name,
                cam.name,
                int(lag),
                round(float(error), 2),
                0,
                int(takes[i].track.body_valid.sum()),
            )
        )
    views = aligned
    check_stop(should_stop)
    progress(0.9, "making left and right agree between views")
    mirrored = np.zeros((len(views), total), bool)
    for f in range(total):
        seen = [i for i, v in enumerate(views) if (v.visibility[f, list(CORE)] > 0.05).sum() >= 8]
        if len(seen) >= 2:
            flips = consistent_sides([views[i] for i in seen], f)
            for i, flip in zip(seen, flips, strict=True):
                mirrored[i, f] = flip
    mirror = list(POSE_MIRROR)
    for i, v in enumerate(views):
        m = mirrored[i]
        v.pixels[m] = v.pixels[m][:, mirror]
        v.visibility[m] = v.visibility[m][:, mirror]
    health = [replace(h, mirrored_frames=int(mirrored[i].sum())) for i, h in enumerate(health)]
    world0 = first.body_world.copy()
    world0[mirrored[0]] = world0[mirrored[0]][:, mirror]
    check_stop(should_stop)
    progress(0.93, "solving the whole take over every view")
    solved = solve_body(world0, views, first.body_valid | (views[1].visibility.sum(1) > 0), fps)
    done = np.isfinite(solved.camera).all(axis=(1, 2))
    if (~done & first.body_valid).sum() > 0.1 * total:
        warnings.append(
            f"Only {int(done.sum())} of {total} frames were seen by two cameras at once; the others keep the "
            "first view's one-camera body."
        )
    first.body_world_raw = takes[0].track.body_world_raw
    first.body_world = np.where(done[:, None, None], solved.world, first.body_world).astype(np.float32)
    first.body_valid = first.body_valid | done
    first.body_confidence = solved.confidence.astype(np.float32)
    first.foot_contacts = solved.contacts
    first.body_root = np.where(done[:, None], solved.camera[:, list(HIPS)].mean(axis=1), np.nan).astype(
        np.float32
    )
    first.meta = {**first.meta, "views": [h.to_dict() for h in health]}
    report = replace(takes[0].report, views=tuple(health), warnings=tuple(warnings))
    progress(1.0, "capture done")
    return Captured(first, report)
