"""``MotionTrack``: what a capture produces, saved as one ``.npz`` (DESIGN.md, "Data that crosses").

Arrays (T = frames, NaN where a part was not seen and not interpolated):

* ``body_world`` (T, 33, 3) metres, MediaPipe's world frame: origin between the hips, x to the image's
  right, y down, z away from the camera.
* ``body_image`` (T, 33, 3) MediaPipe's normalised image coordinates: x / width, y / height in [0, 1]
  (may leave that range off-frame), z depth on the scale of x. ``image_size`` gives (width, height).
* ``body_visibility`` (T, 33) in [0, 1].
* ``face`` (T, 478, 3) normalised image coordinates like ``body_image`` (468 mesh + 10 iris points).
* ``hands`` (T, 2, 21, 3) metres, MediaPipe's hand world frame (origin near the palm centre, camera
  axes); ``hands[:, 0]`` is the person's LEFT hand. ``hands_image`` (T, 2, 21, 3) normalised.
* ``body_valid`` / ``face_valid`` (T) bool, ``hands_valid`` (T, 2) bool: observed or interpolated.
* ``body_interpolated`` / ``face_interpolated`` (T), ``hands_interpolated`` (T, 2): filled gaps.
* ``body_swapped`` (T) bool: frames whose left/right labels were mirrored by MediaPipe and undone.
* ``body_world_raw`` (T, 33, 3): MediaPipe's world landmarks as tracked, before any clean-up (kept for
  comparison and re-solving); ``body_world`` is the whole-take solve's result when it ran.
* ``body_confidence`` (T) 0…1 per frame (visibility × how well the solved body fits the picture).
* ``foot_contacts`` (T, 2) bool: left/right foot planted on the floor (found, or edited on the rig).
* ``body_root`` (T, 3) metres: the hips' centre in the (first) camera's frame (x right, y down, z ahead).
* ``face_blendshapes`` (T, 52) in [0, 1] with ``blendshape_names``; ``head_rotation`` (T, 4) wxyz
  head rotation relative to the neutral frame, camera axes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import BadMotionFile
from .contract import PARTS
from .landmarks import FACE_LANDMARK_COUNT

FORMAT_VERSION = 2  # 2: body_world_raw, body_confidence, foot_contacts, body_root


def _nan(*shape: int) -> np.ndarray:
    return np.full(shape, np.nan, dtype=np.float32)


@dataclass
class MotionTrack:
    """Landmark motion of one person over a video (shapes and units in the module docstring)."""

    fps: float
    image_size: tuple[int, int]
    body_world: np.ndarray
    body_image: np.ndarray
    body_visibility: np.ndarray
    face: np.ndarray
    hands: np.ndarray
    hands_image: np.ndarray
    body_valid: np.ndarray
    face_valid: np.ndarray
    hands_valid: np.ndarray
    body_interpolated: np.ndarray
    face_interpolated: np.ndarray
    hands_interpolated: np.ndarray
    body_swapped: np.ndarray
    face_blendshapes: np.ndarray
    blendshape_names: list[str]
    head_rotation: np.ndarray
    body_world_raw: np.ndarray | None = None
    body_confidence: np.ndarray | None = None
    foot_contacts: np.ndarray | None = None
    body_root: np.ndarray | None = None
    parts: tuple[str, ...] = PARTS
    source: str = ""
    meta: dict[str, object] = field(default_factory=dict)

    @classmethod
    def empty(
        cls, frames: int, fps: float, image_size: tuple[int, int], parts: tuple[str, ...] = PARTS
    ) -> MotionTrack:
        """A track of ``frames`` frames where nothing was observed yet."""
        t = frames
        return cls(
            fps=float(fps),
            image_size=(int(image_size[0]), int(image_size[1])),
            body_world=_nan(t, 33, 3),
            body_image=_nan(t, 33, 3),
            body_visibility=np.zeros((t, 33), np.float32),
            face=_nan(t, FACE_LANDMARK_COUNT, 3),
            hands=_nan(t, 2, 21, 3),
            hands_image=_nan(t, 2, 21, 3),
            body_valid=np.zeros(t, bool),
            face_valid=np.zeros(t, bool),
            hands_valid=np.zeros((t, 2), bool),
            body_interpolated=np.zeros(t, bool),
            face_interpolated=np.zeros(t, bool),
            hands_interpolated=np.zeros((t, 2), bool),
            body_swapped=np.zeros(t, bool),
            face_blendshapes=_nan(t, 0),
            blendshape_names=[],
            head_rotation=_nan(t, 4),
            parts=tuple(parts),
        )

    def with_defaults(self) -> MotionTrack:
        """Fill the arrays a version-1 file lacks (raw = cleaned body, no contacts, unknown root)."""
        t = self.frame_count
        if self.body_world_raw is None:
            self.body_world_raw = self.body_world.copy()
        if self.body_confidence is None:
            self.body_confidence = np.where(self.body_valid, 1.0, 0.0).astype(np.float32)
        if self.foot_contacts is None:
            self.foot_contacts = np.zeros((t, 2), bool)
        if self.body_root is None:
            self.body_root = _nan(t, 3)
        return self

    @property
    def frame_count(self) -> int:
        return int(self.body_valid.shape[0])

    def truncate(self, frames: int) -> None:
        """Keep the first ``frames`` frames (a video that ended early)."""
        self.with_defaults()
        for name in _ARRAY_FIELDS + _OPTIONAL_ARRAYS:
            setattr(self, name, getattr(self, name)[:frames])

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the track as a compressed ``.npz``; returns the path written."""
        path = Path(path)
        if path.suffix != ".npz":
            path = path.with_suffix(".npz")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.with_defaults()
        arrays = {name: getattr(self, name) for name in _ARRAY_FIELDS + _OPTIONAL_ARRAYS}
        np.savez_compressed(
            path,
            format_version=np.int32(FORMAT_VERSION),
            fps=np.float64(self.fps),
            image_size=np.asarray(self.image_size, np.int32),
            blendshape_names=np.asarray(self.blendshape_names, dtype=str),
            parts=np.asarray(self.parts, dtype=str),
            source=np.asarray(self.source),
            meta=np.asarray(json.dumps(self.meta, default=str)),
            **arrays,
        )
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> MotionTrack:
        """Read a track written by ``save``.

        Raises:
            BadMotionFile: missing, not an .npz, or not a Clapper motion track.
        """
        path = Path(path)
        if not path.is_file():
            raise BadMotionFile(f"Motion track not found: {path}. Capture the video again or fix the path.")
        try:
            with np.load(path, allow_pickle=False) as data:
                if "format_version" not in data.files:
                    raise BadMotionFile(f"{path} is not a Clapper motion track (no format_version).")
                values = {name: data[name] for name in _ARRAY_FIELDS}
                extra = {name: data[name] for name in _OPTIONAL_ARRAYS if name in data.files}
                return cls(
                    fps=float(data["fps"]),
                    image_size=tuple(int(v) for v in data["image_size"]),  # type: ignore[arg-type]
                    blendshape_names=[str(n) for n in data["blendshape_names"]],
                    parts=tuple(str(p) for p in data["parts"]),
                    source=str(data["source"]),
                    meta=json.loads(str(data["meta"])),
                    **values,
                    **extra,
                ).with_defaults()
        except BadMotionFile:
            raise
        except (OSError, ValueError, KeyError) as exc:
            raise BadMotionFile(
                f"{path} cannot be read as a motion track ({exc}). Capture the video again."
            ) from exc


_ARRAY_FIELDS: tuple[str, ...] = (
    "body_world", "body_image", "body_visibility", "face", "hands", "hands_image",
    "body_valid", "face_valid", "hands_valid", "body_interpolated", "face_interpolated",
    "hands_interpolated", "body_swapped", "face_blendshapes", "head_rotation",
)  # fmt: skip
_OPTIONAL_ARRAYS: tuple[str, ...] = ("body_world_raw", "body_confidence", "foot_contacts", "body_root")
