"""Two or more calibrated cameras: calibration readers (Qualisys, Pose2Sim TOML, OpenCV YAML),
triangulation with outlier rejection, sync by motion, and the bad inputs (wrong calibration, other
frame rates) — end to end on the Pose2Sim take."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from capture_media import mocap, read_frames, write_clip

from ai_engine.__main__ import main
from ai_engine.capture.contract import CaptureOptions, CaptureResult
from ai_engine.capture.landmarks import POSE
from ai_engine.capture.multiview import (
    CalibrationError,
    VideosDoNotMatch,
    capture_views,
    find_offset,
    match_cameras,
    read_calibration,
)
from ai_engine.capture.solve import BONES, View, triangulate

TAKE = ("videos_people", "pose2sim_single_person")


@pytest.fixture(scope="module")
def qca() -> Path:
    return mocap(*TAKE, "calibration", "Calib.qca.txt")


def test_qualisys_calibration_is_read(qca: Path) -> None:
    cameras = read_calibration(qca)
    assert [c.name for c in cameras] == ["cam01", "cam02", "cam03", "cam04"]
    assert all(c.size == (1088, 1920) for c in cameras)
    cam = cameras[0]
    assert cam.K[0, 0] == pytest.approx(107599.671875 / 64) and cam.K[1, 2] == pytest.approx(
        60680.792969 / 64
    )
    assert np.allclose(cam.R @ cam.R.T, np.eye(3), atol=1e-6) and np.linalg.det(cam.R) == pytest.approx(1.0)
    # The four cameras look at the same place: the origin is in front of every one of them.
    assert all((c.R @ np.zeros(3) + c.t)[2] > 1.0 for c in cameras)


def test_opencv_yaml_and_pose2sim_toml_give_the_same_cameras(qca: Path, tmp_path: Path) -> None:
    import cv2

    cameras = read_calibration(qca)
    yml = tmp_path / "calib.yml"
    fs = cv2.FileStorage(str(yml), cv2.FILE_STORAGE_WRITE)
    toml = []
    for c in cameras:
        fs.startWriteStruct(c.name, cv2.FILE_NODE_MAP)
        fs.write("K", c.K)
        fs.write("dist", c.dist.reshape(1, -1))
        fs.write("R", c.R)
        fs.write("T", c.t.reshape(3, 1))
        fs.write("image_width", c.size[0])
        fs.write("image_height", c.size[1])
        fs.endWriteStruct()
        rvec = cv2.Rodrigues(c.R)[0].ravel()
        toml.append(
            f'[{c.name}]\nname = "{c.name}"\nsize = [{c.size[0]}.0, {c.size[1]}.0]\n'
            f"matrix = {json.dumps(c.K.tolist())}\ndistortions = {json.dumps(c.dist[:4].tolist())}\n"
            f"rotation = {json.dumps(rvec.tolist())}\ntranslation = {json.dumps(c.t.tolist())}\n"
            "fisheye = false\n"
        )
    fs.release()
    (tmp_path / "Calib_board.toml").write_text("\n".join(toml) + "\n[metadata]\nerror = 0.0\n")
    for path in (yml, tmp_path / "Calib_board.toml"):
        again = read_calibration(path)
        assert [c.name for c in again] == [c.name for c in cameras]
        for a, b in zip(again, cameras, strict=True):
            assert np.allclose(a.K, b.K) and np.allclose(a.R, b.R, atol=1e-6) and np.allclose(a.t, b.t)
            assert a.size == b.size


def test_unreadable_calibration_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.qca.txt"
    bad.write_text("<?xml version='1.0'?><calibration><cameras><camera serial='x'/></cameras>")
    with pytest.raises(CalibrationError, match=r"broken\.qca\.txt"):
        read_calibration(bad)
    with pytest.raises(CalibrationError, match="not found"):
        read_calibration(tmp_path / "none.yml")
    (tmp_path / "cams.json").write_text("{}")
    with pytest.raises(CalibrationError, match="unknown calibration format"):
        read_calibration(tmp_path / "cams.json")


def test_calibration_that_does_not_match_the_videos_is_refused_naming_the_file(qca: Path) -> None:
    cameras = read_calibration(qca)
    # Three videos not named after the cameras, four cameras: which is which cannot be known.
    with pytest.raises(CalibrationError, match=r"Calib\.qca\.txt describes 4 camera"):
        match_cameras(cameras, ["a.mp4", "b.mp4", "c.mp4"], [(1088, 1920)] * 3, str(qca))
    with pytest.raises(CalibrationError, match=r"Calib\.qca\.txt: camera cam02 was calibrated at 1088×1920"):
        match_cameras(cameras, ["x/cam01.mp4", "x/cam02.mp4"], [(1088, 1920), (1920, 1080)], str(qca))
    # Named after the cameras, any subset fits; 1080 wide is the same sensor padded to 1088.
    chosen = match_cameras(cameras, ["x/cam04.mp4", "x/cam02.mp4"], [(1080, 1920)] * 2, str(qca))
    assert [c.name for c in chosen] == ["cam04", "cam02"]


def test_triangulation_rejects_an_outlier_view(qca: Path) -> None:
    cameras = read_calibration(qca)
    rng = np.random.default_rng(0)
    truth = rng.normal([0, 0, 1.0], 0.3, (33, 3))
    views = []
    for i, c in enumerate(cameras):
        p = (truth @ c.R.T + c.t) @ c.K.T
        px = p[:, :2] / p[:, 2:3]
        if i == 2:
            px = px + 150.0  # one camera's landmarks are wrong (another person, a mirror)
        views.append(View(px[None], np.ones((1, 33)), c.K, c.R, c.t))
    X = triangulate(views, 0)
    assert np.abs(X - truth).max() < 1e-3
    naive = triangulate(views, 0, max_error=np.inf)
    assert np.abs(naive - truth).max() > 0.01  # without the rejection the bad view pulls it away


def test_sync_by_motion_recovers_a_known_offset(qca: Path) -> None:
    cameras = read_calibration(qca)
    rng = np.random.default_rng(1)
    frames = 200
    # A body wandering about the room: every joint on its own smooth random path.
    path = np.cumsum(rng.normal(0, 0.01, (frames + 40, 33, 3)), axis=0) + rng.normal(
        [0, 0, 1.0], 0.3, (1, 33, 3)
    )

    def view(camera, points):  # type: ignore[no-untyped-def]
        p = (points @ camera.R.T + camera.t) @ camera.K.T
        return View(p[..., :2] / p[..., 2:3], np.ones(points.shape[:2]), camera.K, camera.R, camera.t)

    first = view(cameras[0], path[:frames])
    late = view(cameras[2], path[17 : frames + 17])  # the third camera started 17 frames later
    early = view(cameras[2], path[:frames])
    assert find_offset(first, late, 30)[0] == 17
    lag, error = find_offset(first, early, 30)
    assert lag == 0 and error < 1e-6


def test_different_frame_rates_are_refused_before_tracking(qca: Path, tmp_path: Path) -> None:
    black = [np.zeros((1920, 1088, 3), np.uint8)] * 5
    a = write_clip(tmp_path / "cam01.mp4", black, fps=60.0)
    b = write_clip(tmp_path / "cam02.mp4", black, fps=25.0)
    with pytest.raises(
        VideosDoNotMatch, match=r"different frame rates \(cam01.mp4 60 fps, cam02.mp4 25 fps\)"
    ):
        capture_views([str(a), str(b)], str(qca), CaptureOptions(parts=("body",)))


@pytest.fixture(scope="module")
def two_views(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """cam01 frames 0–59 and cam04 frames 6–65: the second camera started 6 frames late."""
    folder = tmp_path_factory.mktemp("views")
    one = read_frames(mocap(*TAKE, "videos", "cam01.mp4"), range(60))
    three = read_frames(mocap(*TAKE, "videos", "cam04.mp4"), range(6, 66))
    return (
        write_clip(folder / "cam01.mp4", [one[i] for i in range(60)], fps=60.0),
        write_clip(folder / "cam04.mp4", [three[i] for i in range(6, 66)], fps=60.0),
    )


def test_two_cameras_end_to_end_through_the_cli(
    two_views: tuple[Path, Path], qca: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ai_engine.capture.track import MotionTrack

    out = tmp_path / "take.npz"
    code = main(["capture", *map(str, two_views), "--calibration", str(qca), "--out", str(out), "--parts", "body", "--json"])  # fmt: skip
    assert code == 0
    result = CaptureResult.from_dict(json.loads(capsys.readouterr().out.strip().splitlines()[-1]))
    views = result.report.views
    assert [(v.video, v.camera) for v in views] == [("cam01.mp4", "cam01"), ("cam04.mp4", "cam04")]
    # Within a frame (17 ms at 60 fps): MediaPipe's landmarks differ by a few px between views.
    assert abs(views[1].offset_frames - 6) <= 1 and views[1].sync_error_px < 15
    track = MotionTrack.load(out)
    assert track.body_confidence is not None
    solved = track.body_confidence > 0  # solved over both views (the others keep cam01's own body)
    # cam01's frame i is cam04's i - 6: frames 6–59 were seen by both cameras, 0–5 by cam01 alone.
    assert solved[6:].sum() >= 50 and not solved[:5].any()
    spread = [
        np.std(np.linalg.norm(track.body_world[solved, POSE[a]] - track.body_world[solved, POSE[b]], axis=-1))
        for a, b in BONES
    ]
    assert max(spread) < 0.006
    thigh = np.median(
        np.linalg.norm(
            track.body_world[solved, POSE["left_hip"]] - track.body_world[solved, POSE["left_knee"]], axis=-1
        )
    )
    assert 0.3 < thigh < 0.6  # metric, from the calibration


def test_cli_needs_a_calibration_for_several_videos(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["capture", "a.mp4", "b.mp4", "--out", str(tmp_path / "t.npz")]) == 2
    assert "--calibration" in capsys.readouterr().err
