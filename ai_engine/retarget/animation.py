"""``BoneAnimation``: the solver's result, shaped for ``keyframe_points.foreach_set``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import BadMotionFile


@dataclass
class BoneAnimation:
    """Per-bone pose channels of a retargeted take.

    bones: animated bone names. rotations: (T, B, 4) float wxyz pose-space (local) rotations, i.e.
        the values of ``pose.bones[name].rotation_quaternion``, sign-continuous over time.
    root_bone: the bone whose ``location`` is keyed; root_location: (T, 3) its pose-space location.
    fps: frames per second of the source; frame i is source frame i.
    properties: bone → {custom property: value} to set on the rig (e.g. Rigify IK_FK = 1).
    contacts: (T, 2) bool foot contacts (left, right) used for foot locking, or None.
    """

    bones: list[str]
    rotations: np.ndarray
    root_bone: str | None
    root_location: np.ndarray
    fps: float
    source_name: str = ""
    properties: dict[str, dict[str, float]] = field(default_factory=dict)
    contacts: np.ndarray | None = None
    meta: dict[str, object] = field(default_factory=dict)

    @property
    def frame_count(self) -> int:
        return int(self.rotations.shape[0])

    def save(self, path: str | Path) -> Path:
        """Write an .npz (arrays) with a JSON header (names, fps, properties)."""
        path = Path(path)
        header = {
            "bones": self.bones,
            "root_bone": self.root_bone,
            "fps": self.fps,
            "source_name": self.source_name,
            "properties": self.properties,
            "meta": self.meta,
        }
        arrays = {"rotations": self.rotations.astype(np.float32), "root_location": self.root_location}
        if self.contacts is not None:
            arrays["contacts"] = self.contacts
        np.savez(path, header=np.array(json.dumps(header)), **arrays)
        return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")

    @classmethod
    def load(cls, path: str | Path) -> BoneAnimation:
        """Read what ``save`` wrote.

        Raises:
            BadMotionFile: not a BoneAnimation file.
        """
        try:
            with np.load(path, allow_pickle=False) as data:
                header = json.loads(str(data["header"]))
                return cls(
                    bones=list(header["bones"]),
                    rotations=np.asarray(data["rotations"], dtype=np.float64),
                    root_bone=header["root_bone"],
                    root_location=np.asarray(data["root_location"], dtype=np.float64),
                    fps=float(header["fps"]),
                    source_name=header.get("source_name", ""),
                    properties=header.get("properties", {}),
                    contacts=np.asarray(data["contacts"]) if "contacts" in data else None,
                    meta=header.get("meta", {}),
                )
        except (OSError, KeyError, ValueError) as exc:
            raise BadMotionFile(
                f"{path} is not a retargeted animation ({exc}); run the retarget again."
            ) from exc
