"""Training images: reading them with cv2 into one float layout, and drawing random crops.

Every image, whatever its file holds (8- or 16-bit, greyscale, RGB, RGBA), becomes an RGB float32
array in [0, 1] of shape (H, W, 3). Alpha is premultiplied (composited over black) because the
effects Clapper makes (fire, smoke, magic) are emissive over black, and their alpha is derived
again from luminance when they are generated.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import BadImageSet

IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".exr", ".hdr", ".tga"}
)


@dataclass(frozen=True)
class ImageSet:
    """Training images in one layout.

    Attributes:
        images: RGB float32 arrays in [0, 1], each (H, W, 3).
        names: the file name (or a label) of each image.
        digest: sha256 of the decoded pixels (hex), recorded in the model card.
    """

    images: tuple[np.ndarray, ...]
    names: tuple[str, ...]
    digest: str

    @property
    def min_side(self) -> int:
        return min(min(image.shape[:2]) for image in self.images)


def to_rgb_float(pixels: np.ndarray, *, name: str = "image") -> np.ndarray:
    """Convert what ``cv2.imread(..., IMREAD_UNCHANGED)`` returns to RGB float32 in [0, 1].

    Arguments:
        pixels: (H, W), (H, W, 1), (H, W, 3) BGR or (H, W, 4) BGRA; uint8, uint16 or float.
        name: used in error messages.

    Returns:
        (H, W, 3) float32 RGB, alpha premultiplied.

    Raises:
        BadImageSet: for an unsupported layout or an empty image.
    """
    if pixels.size == 0:
        raise BadImageSet(f"{name} holds no pixels; remove it from the training folder.")
    if pixels.dtype == np.uint8:
        data = pixels.astype(np.float32) / 255.0
    elif pixels.dtype == np.uint16:
        data = pixels.astype(np.float32) / 65535.0
    elif np.issubdtype(pixels.dtype, np.floating):
        data = np.nan_to_num(pixels.astype(np.float32), nan=0.0, posinf=1.0, neginf=0.0)
        data = np.clip(data, 0.0, 1.0)
    else:
        raise BadImageSet(
            f"{name} has pixels of type {pixels.dtype}; save it as an 8- or 16-bit PNG or JPEG."
        )
    if data.ndim == 2:
        data = data[:, :, None]
    channels = data.shape[2]
    if channels == 1:
        rgb = np.repeat(data, 3, axis=2)
    elif channels == 2:  # grey + alpha
        rgb = np.repeat(data[:, :, :1] * data[:, :, 1:2], 3, axis=2)
    elif channels == 3:
        rgb = data[:, :, ::-1]
    elif channels == 4:
        rgb = data[:, :, 2::-1] * data[:, :, 3:4]
    else:
        raise BadImageSet(f"{name} has {channels} channels; save it as RGB, RGBA or greyscale.")
    return np.ascontiguousarray(rgb, dtype=np.float32)


def read_image(path: Path) -> np.ndarray:
    """Read one image file as RGB float32 in [0, 1].

    Raises:
        BadImageSet: when the file is missing, not an image or corrupt.
    """
    import cv2

    if not path.is_file():
        raise BadImageSet(f"Image {path} does not exist; check the path.")
    raw = np.fromfile(str(path), dtype=np.uint8)  # works with non-ASCII paths, unlike cv2.imread
    pixels = cv2.imdecode(raw, cv2.IMREAD_UNCHANGED) if raw.size else None
    if pixels is None:
        raise BadImageSet(
            f"{path.name} is not a readable image (corrupt or another format); "
            "remove it from the folder or re-save it as PNG/JPEG."
        )
    return to_rgb_float(pixels, name=path.name)


def list_image_files(folder: Path) -> list[Path]:
    """The image files (by suffix) directly inside ``folder``, sorted by name."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def load_image_set(
    source: str | Path | Sequence[str | Path] | Sequence[np.ndarray], *, min_side: int
) -> ImageSet:
    """Load training images from a folder, a list of files or arrays, and check them.

    Arguments:
        source: a folder, one file, a list of files, or a list of arrays (RGB float in [0, 1] or
            uint8/uint16 in cv2's BGR order).
        min_side: the training crop; every image must be at least this large on both sides.

    Returns:
        The images in one layout with a digest of their pixels.

    Raises:
        BadImageSet: empty folder, no images, unreadable/corrupt files, images smaller than the crop.
    """
    images: list[np.ndarray] = []
    names: list[str] = []
    if isinstance(source, str | Path):
        path = Path(source)
        if path.is_dir():
            files = list_image_files(path)
            if not files:
                others = [p.name for p in path.iterdir() if p.is_file()]
                hint = (
                    f" (it holds {len(others)} other files, e.g. {others[0]})" if others else " (it is empty)"
                )
                raise BadImageSet(
                    f"No training images in {path}{hint}; add PNG or JPEG images of the texture to learn."
                )
        elif path.exists():
            files = [path]
        else:
            raise BadImageSet(f"{path} does not exist; choose a folder of PNG or JPEG images.")
        for file in files:
            images.append(read_image(file))
            names.append(file.name)
    else:
        items = list(source)
        if not items:
            raise BadImageSet("No training images were given; choose a folder of PNG or JPEG images.")
        for index, item in enumerate(items):
            if isinstance(item, np.ndarray):
                if np.issubdtype(item.dtype, np.floating) and item.ndim == 3 and item.shape[2] == 3:
                    images.append(np.clip(item, 0.0, 1.0).astype(np.float32))
                else:
                    images.append(to_rgb_float(item, name=f"array {index}"))
                names.append(f"array {index}")
            else:
                images.append(read_image(Path(item)))
                names.append(Path(item).name)
    for image, name in zip(images, names, strict=True):
        height, width = image.shape[:2]
        if min(height, width) < min_side:
            raise BadImageSet(
                f"{name} is {width}×{height} px, smaller than the {min_side} px training crop; "
                f"use images at least {min_side} px on each side (or a smaller crop)."
            )
    digest = hashlib.sha256()
    for image in images:
        digest.update(np.ascontiguousarray((image * 255).round().astype(np.uint8)).tobytes())
    return ImageSet(images=tuple(images), names=tuple(names), digest=digest.hexdigest())


def random_crops(image_set: ImageSet, *, count: int, size: int, generator: np.random.Generator) -> np.ndarray:
    """``count`` random ``size``² crops, drawn from images in proportion to their area.

    Returns:
        (count, size, size, 3) float32 in [0, 1].
    """
    areas = np.array([image.shape[0] * image.shape[1] for image in image_set.images], dtype=np.float64)
    choice = generator.choice(len(image_set.images), size=count, p=areas / areas.sum())
    crops = np.empty((count, size, size, 3), dtype=np.float32)
    for i, index in enumerate(choice):
        image = image_set.images[index]
        top = int(generator.integers(0, image.shape[0] - size + 1))
        left = int(generator.integers(0, image.shape[1] - size + 1))
        crops[i] = image[top : top + size, left : left + size]
    return crops


def split_held_out(
    image_set: ImageSet, *, fraction: float = 1 / 3, min_side: int = 128
) -> tuple[ImageSet, ImageSet | None]:
    """(training part, held-out part) of the examples, for measuring on pixels not trained on.

    Each image at least ``2 · min_side`` px wide gives its right third (at least ``min_side`` px,
    so a 128² crop fits) to the held-out part and keeps the left rest for training; narrower images
    stay whole in training. The held-out part is None when no image could be split.
    """
    train_images, train_names, held_images, held_names = [], [], [], []
    for image, name in zip(image_set.images, image_set.names, strict=True):
        height, width = image.shape[:2]
        held_width = max(int(round(width * fraction)), min_side)
        if height >= min_side and width - held_width >= min_side:
            cut = width - held_width
            train_images.append(np.ascontiguousarray(image[:, :cut]))
            held_images.append(np.ascontiguousarray(image[:, cut:]))
            train_names.append(f"{name} [x < {cut}]")
            held_names.append(f"{name} [x >= {cut}]")
        else:
            train_images.append(image)
            train_names.append(name)
    train = load_image_set(train_images, min_side=1)
    train = ImageSet(images=train.images, names=tuple(train_names), digest=train.digest)
    if not held_images:
        return train, None
    held = load_image_set(held_images, min_side=1)
    return train, ImageSet(images=held.images, names=tuple(held_names), digest=held.digest)
