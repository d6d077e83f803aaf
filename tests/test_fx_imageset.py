"""ai_engine.fx.imageset: every bad training input is refused with a clear BadImageSet."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from ai_engine.errors import BadImageSet
from ai_engine.fx.imageset import load_image_set, random_crops


def _write(path: Path, pixels: np.ndarray) -> Path:
    assert cv2.imwrite(str(path), pixels)
    return path


def test_empty_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadImageSet, match="empty"):
        load_image_set(tmp_path, min_side=32)


def test_folder_without_images_names_what_it_holds(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not an image")
    with pytest.raises(BadImageSet, match=r"notes\.txt"):
        load_image_set(tmp_path, min_side=32)


@pytest.mark.slow  # 4-5 s; build.py test --quick leaves it out
def test_corrupt_image_is_refused_by_name(tmp_path: Path) -> None:
    _write(tmp_path / "good.png", np.full((64, 64, 3), 128, np.uint8))
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 20)
    with pytest.raises(BadImageSet, match=r"broken\.png"):
        load_image_set(tmp_path, min_side=32)


def test_text_file_named_like_an_image_is_refused(tmp_path: Path) -> None:
    (tmp_path / "photo.jpg").write_text("hello")
    with pytest.raises(BadImageSet, match=r"photo\.jpg"):
        load_image_set(tmp_path, min_side=32)


def test_image_smaller_than_the_crop_is_refused_with_sizes(tmp_path: Path) -> None:
    _write(tmp_path / "small.png", np.zeros((40, 50, 3), np.uint8))
    with pytest.raises(BadImageSet, match=r"50×40 px, smaller than the 64 px"):
        load_image_set(tmp_path, min_side=64)


def test_greyscale_16bit_and_alpha_become_rgb_floats(tmp_path: Path) -> None:
    grey = _write(tmp_path / "grey.png", np.full((64, 64), 200, np.uint8))
    deep = _write(tmp_path / "deep.png", np.full((64, 64, 3), 65535 // 2, np.uint16))
    bgra = np.zeros((64, 64, 4), np.uint8)
    bgra[..., 2] = 255  # red
    bgra[..., 3] = 128  # half opaque
    alpha = _write(tmp_path / "alpha.png", bgra)
    image_set = load_image_set([grey, deep, alpha], min_side=32)
    for image in image_set.images:
        assert image.shape == (64, 64, 3) and image.dtype == np.float32
    assert np.allclose(image_set.images[0], 200 / 255)
    assert np.allclose(image_set.images[1], 0.5, atol=1e-3)
    red = image_set.images[2]
    assert np.allclose(red[..., 0], 128 / 255, atol=1e-3) and np.allclose(red[..., 1:], 0)  # premultiplied
    assert len(image_set.digest) == 64


def test_random_crops_are_reproducible_and_inside(tmp_path: Path) -> None:
    image = np.random.default_rng(0).random((80, 100, 3)).astype(np.float32)
    image_set = load_image_set([image], min_side=32)
    a = random_crops(image_set, count=5, size=32, generator=np.random.default_rng(3))
    b = random_crops(image_set, count=5, size=32, generator=np.random.default_rng(3))
    assert a.shape == (5, 32, 32, 3) and np.array_equal(a, b)
