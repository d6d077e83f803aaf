"""The canonical skeleton every motion source is turned into before retargeting.

Sources (a BVH read by Blender's importer, a source armature, a captured ``MotionTrack``) become a
``SkeletonAnimation``: world-space joint positions of the canonical joints per frame, in Blender's
world frame (Z up, metres), and — when the source has them — world rotations. The solver maps these
onto a ``RigSpec`` through a bone map from canonical joint names to the rig's bone names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# Canonical joints. Each names the HEAD of the bone of the same name; a bone's direction is from its
# joint to the child joint listed in CANONICAL_CHILD.
BODY_JOINTS: tuple[str, ...] = (
    "hips", "spine", "chest", "neck", "head", "head_top",
    "shoulder.L", "upper_arm.L", "forearm.L", "hand.L", "hand_tip.L",
    "shoulder.R", "upper_arm.R", "forearm.R", "hand.R", "hand_tip.R",
    "thigh.L", "shin.L", "foot.L", "toe.L", "toe_tip.L",
    "thigh.R", "shin.R", "foot.R", "toe.R", "toe_tip.R",
)  # fmt: skip

FINGERS: tuple[str, ...] = ("thumb", "index", "middle", "ring", "pinky")
# Finger joints: "<finger>.<01|02|03|tip>.<L|R>", 01 at the knuckle (thumb: 01 at the CMC joint).
FINGER_JOINTS: tuple[str, ...] = tuple(
    f"{finger}.{segment}.{side}"
    for side in ("L", "R")
    for finger in FINGERS
    for segment in ("01", "02", "03", "tip")
)

CANONICAL_CHILD: dict[str, str] = {
    "hips": "spine", "spine": "chest", "chest": "neck", "neck": "head", "head": "head_top",
    **{f"shoulder.{s}": f"upper_arm.{s}" for s in "LR"},
    **{f"upper_arm.{s}": f"forearm.{s}" for s in "LR"},
    **{f"forearm.{s}": f"hand.{s}" for s in "LR"},
    **{f"hand.{s}": f"hand_tip.{s}" for s in "LR"},
    **{f"thigh.{s}": f"shin.{s}" for s in "LR"},
    **{f"shin.{s}": f"foot.{s}" for s in "LR"},
    **{f"foot.{s}": f"toe.{s}" for s in "LR"},
    **{f"toe.{s}": f"toe_tip.{s}" for s in "LR"},
    **{f"{f}.01.{s}": f"{f}.02.{s}" for f in FINGERS for s in "LR"},
    **{f"{f}.02.{s}": f"{f}.03.{s}" for f in FINGERS for s in "LR"},
    **{f"{f}.03.{s}": f"{f}.tip.{s}" for f in FINGERS for s in "LR"},
}  # fmt: skip


@dataclass
class SkeletonAnimation:
    """Canonical joint motion.

    joints: canonical joint names (a subset of BODY_JOINTS + FINGER_JOINTS).
    positions: (T, J, 3) float, world metres, Blender axes (Z up, -Y forward); NaN where unknown.
    rotations: (T, J, 4) float wxyz world rotations of the source's bones, or None (positions only:
        twist is then solved from the joint triangle, e.g. elbow/wrist and knee/ankle planes).
    valid: (T, J) bool, False where the joint was not observed (gaps).
    contacts: (T, 2) bool foot contacts (left, right) when known, else None (the solver detects them).
    rest_positions: (J, 3) the joints in the source's rest pose (same world frame), or None (captured
        motion has no rest pose; the solver then transfers directions only).
    rest_rotations: (J, 4) wxyz world rotations of the same bones at rest, or None. With ``rotations``
        the solver uses ``rotations[t] ⊗ rest_rotations⁻¹`` (the bone's world rotation since rest) to
        carry twist; without it ``rotations`` are taken as rotations since rest already.
    """

    joints: list[str]
    fps: float
    positions: np.ndarray
    rotations: np.ndarray | None = None
    valid: np.ndarray | None = None
    contacts: np.ndarray | None = None
    source_name: str = ""
    meta: dict[str, object] = field(default_factory=dict)
    rest_positions: np.ndarray | None = None
    rest_rotations: np.ndarray | None = None
    tails: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.positions = np.asarray(self.positions, dtype=np.float64)
        _frames, j, c = self.positions.shape
        if j != len(self.joints) or c != 3:
            raise ValueError(f"positions must be (T, {len(self.joints)}, 3), got {self.positions.shape}")
        if self.valid is None:
            self.valid = ~np.isnan(self.positions).any(axis=2)

    @property
    def frame_count(self) -> int:
        return int(self.positions.shape[0])

    def index(self, joint: str) -> int:
        return self.joints.index(joint)

    _ARRAYS = ("positions", "rotations", "valid", "contacts", "rest_positions", "rest_rotations", "tails")

    def save(self, path: str | Path) -> Path:
        """Write an .npz: the arrays plus a JSON header (joints, fps, name, meta)."""
        path = Path(path)
        header = {"joints": self.joints, "fps": self.fps, "source_name": self.source_name, "meta": self.meta}
        arrays = {k: getattr(self, k) for k in self._ARRAYS if getattr(self, k) is not None}
        np.savez(path, header=np.array(json.dumps(header, default=str)), **arrays)
        return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")

    @classmethod
    def load(cls, path: str | Path) -> SkeletonAnimation:
        """Read what ``save`` wrote.

        Raises:
            BadMotionFile: not a skeleton file.
        """
        from ..errors import BadMotionFile

        try:
            with np.load(path, allow_pickle=False) as data:
                header = json.loads(str(data["header"]))
                arrays = {k: np.asarray(data[k]) for k in cls._ARRAYS if k in data}
        except (OSError, KeyError, ValueError) as exc:
            raise BadMotionFile(
                f"{path} is not a Clapper skeleton file ({exc}); capture or export it again."
            ) from exc
        return cls(
            joints=list(header["joints"]),
            fps=float(header["fps"]),
            source_name=header.get("source_name", ""),
            meta=header.get("meta", {}),
            **arrays,
        )
