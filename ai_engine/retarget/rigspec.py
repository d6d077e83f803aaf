"""``RigSpec``: what the solver needs to know about a target armature, without bpy.

A RigSpec holds the armature's bones (names, parents, rest heads/tails/rolls and rest matrices, all in
armature space), the object's world matrix, and a bone map from canonical joints
(``skeleton.BODY_JOINTS``/``FINGER_JOINTS``) to the bones the solver animates. The add-on builds it
from an armature (``addon/rigspec_from_armature.py``); tests and the CLI load it from JSON.

Rigs whose controls are not plain FK (Rigify) need three extras, all stored in the map presets:

- ``joint_map``: canonical joint → the bone whose HEAD is the anatomical joint (Rigify's ORG bones),
  when the animated control sits elsewhere (Rigify's torso pivot is mid-spine);
- ``follows``: bone → bone it copies its transform from (a full-influence Copy Transforms), so the
  solver knows e.g. that ``ORG-shoulder.L`` moves with the ``shoulder.L`` control;
- ``properties``: pose-bone custom properties to set so the controls behave as FK (``IK_FK`` = 1).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import BadRig
from .quat import normalize

if TYPE_CHECKING:
    from .maps import BoneMap


def bone_matrices(heads: np.ndarray, tails: np.ndarray, rolls: np.ndarray) -> np.ndarray:
    """Rest rotation matrices (N×3×3, armature space) of bones, exactly as Blender computes them.

    This is Blender's ``vec_roll_to_mat3``: the shortest rotation taking +Y onto the bone's direction,
    then a rotation by ``roll`` radians about the bone. Columns are the bone's X, Y, Z axes.

    Arguments:
        heads, tails: (N, 3) rest heads and tails.
        rolls: (N,) rolls in radians.
    Returns:
        (N, 3, 3) rotation matrices.
    """
    nor = normalize(np.asarray(tails, dtype=np.float64) - np.asarray(heads, dtype=np.float64))
    x, y, z = nor[:, 0], nor[:, 1], nor[:, 2]
    theta = 1.0 + y
    theta_alt = x * x + z * z
    safe, critical = 6.1e-3, 2.5e-4
    use_alt = theta <= safe
    theta = np.where(use_alt, theta_alt * 0.5 + theta_alt * theta_alt * 0.125, theta)
    degenerate = (theta <= safe) & (theta_alt <= critical * critical)
    theta = np.where(degenerate, 1.0, theta)
    b = np.empty((len(nor), 3, 3))
    b[:, 0, 0] = 1 - x * x / theta
    b[:, 1, 0] = -x
    b[:, 2, 0] = -x * z / theta
    b[:, 0, 1] = x
    b[:, 1, 1] = y
    b[:, 2, 1] = z
    b[:, 0, 2] = -x * z / theta
    b[:, 1, 2] = -z
    b[:, 2, 2] = 1 - z * z / theta
    b[degenerate] = np.diag([-1.0, -1.0, 1.0])
    # Roll: rotation about the bone's own axis (Rodrigues), applied after the swing.
    c, s = np.cos(rolls), np.sin(rolls)
    k = np.zeros((len(nor), 3, 3))
    k[:, 0, 1], k[:, 0, 2], k[:, 1, 2] = -z, y, -x
    k[:, 1, 0], k[:, 2, 0], k[:, 2, 1] = z, -y, x
    eye = np.eye(3)[None]
    roll_m = eye + s[:, None, None] * k + (1 - c)[:, None, None] * (k @ k)
    return roll_m @ b


@dataclass
class RigSpec:
    """A target armature as the solver sees it (armature space, rest pose).

    bones: bone names; parents: parent name or None per bone (hierarchy order not required).
    heads, tails: (N, 3) rest heads/tails; rolls: (N,) radians; rest_matrices: (N, 3, 3) rest
        rotations (Blender's ``bone.matrix_local``), computed from heads/tails/rolls when not given.
    bone_map: canonical joint → animated bone. joint_map: canonical joint → bone whose head is the
        joint (defaults to bone_map). follows: bone → bone whose transform it copies.
    root_motion_bone: the bone that gets the root translation (default: bone_map["hips"]).
    properties: bone → {custom property: value} to set before playing the result.
    object_matrix: (4, 4) the armature object's world matrix (uniform scale only).
    """

    name: str
    bones: list[str]
    parents: list[str | None]
    heads: np.ndarray
    tails: np.ndarray
    rolls: np.ndarray | None = None
    rest_matrices: np.ndarray | None = None
    bone_map: dict[str, str] = field(default_factory=dict)
    joint_map: dict[str, str] = field(default_factory=dict)
    follows: dict[str, str] = field(default_factory=dict)
    root_motion_bone: str | None = None
    properties: dict[str, dict[str, float]] = field(default_factory=dict)
    object_matrix: np.ndarray = field(default_factory=lambda: np.eye(4))

    def __post_init__(self) -> None:
        self.heads = np.asarray(self.heads, dtype=np.float64).reshape(-1, 3)
        self.tails = np.asarray(self.tails, dtype=np.float64).reshape(-1, 3)
        n = len(self.bones)
        if len(self.parents) != n or len(self.heads) != n or len(self.tails) != n:
            raise BadRig(
                f"Rig '{self.name}': bones, parents, heads and tails differ in length; re-export it."
            )
        self.rolls = np.zeros(n) if self.rolls is None else np.asarray(self.rolls, dtype=np.float64)
        if self.rest_matrices is None:
            self.rest_matrices = bone_matrices(self.heads, self.tails, self.rolls)
        self.rest_matrices = np.asarray(self.rest_matrices, dtype=np.float64).reshape(n, 3, 3)
        self.object_matrix = np.asarray(self.object_matrix, dtype=np.float64).reshape(4, 4)
        self._index = {b: i for i, b in enumerate(self.bones)}

    # -- queries -------------------------------------------------------------------------------------
    def index(self, bone: str) -> int:
        return self._index[bone]

    def has(self, bone: str) -> bool:
        return bone in self._index

    @property
    def root_bone(self) -> str | None:
        """The bone carrying root translation: ``root_motion_bone`` or the bone mapped to hips."""
        return self.root_motion_bone or self.bone_map.get("hips")

    def joint_bone(self, joint: str) -> str | None:
        """The bone whose head is ``joint`` (joint_map first, then bone_map)."""
        return self.joint_map.get(joint) or self.bone_map.get(joint)

    def missing_bones(self) -> list[str]:
        """Bones named by the map (bone_map, joint_map, follows, root) that the armature lacks."""
        wanted = [*self.bone_map.values(), *self.joint_map.values(), *self.follows.values()]
        if self.root_motion_bone:
            wanted.append(self.root_motion_bone)
        return sorted({b for b in wanted if b not in self._index})

    def validate(self) -> None:
        """Raise ``BadRig`` (listing them) when mapped bones are missing or the scale is not uniform.

        Raises:
            BadRig: missing bones, no hips mapping, or non-uniform object scale.
        """
        missing = self.missing_bones()
        if missing:
            raise BadRig(
                f"Rig '{self.name}' lacks {len(missing)} mapped bone(s): {', '.join(missing)}. "
                "Edit the bone map (Clapper panel → Bone map) or pick the right preset.",
                missing_bones=missing,
            )
        if "hips" not in self.bone_map:
            raise BadRig(f"Rig '{self.name}': no bone is mapped to 'hips'; map the pelvis bone and retry.")
        scale = np.linalg.norm(self.object_matrix[:3, :3], axis=0)
        if np.ptp(scale) > 1e-4 * max(float(scale.max()), 1e-9):
            raise BadRig(
                f"Rig '{self.name}' has a non-uniform object scale {np.round(scale, 4).tolist()}; "
                "apply the scale (Ctrl+A → Scale) and retry."
            )

    def world_head(self, bone: str) -> np.ndarray:
        return self.heads[self.index(bone)]

    # -- JSON ----------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "bones": list(self.bones),
            "parents": list(self.parents),
            "heads": self.heads.round(7).tolist(),
            "tails": self.tails.round(7).tolist(),
            "rolls": np.asarray(self.rolls).round(8).tolist(),
            "rest_matrices": np.asarray(self.rest_matrices).round(8).tolist(),
            "bone_map": dict(self.bone_map),
            "joint_map": dict(self.joint_map),
            "follows": dict(self.follows),
            "root_motion_bone": self.root_motion_bone,
            "properties": self.properties,
            "object_matrix": self.object_matrix.round(8).tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RigSpec:
        try:
            return cls(
                name=str(data.get("name", "rig")),
                bones=list(data["bones"]),
                parents=list(data["parents"]),
                heads=np.asarray(data["heads"]),
                tails=np.asarray(data["tails"]),
                rolls=np.asarray(data["rolls"]) if data.get("rolls") is not None else None,
                rest_matrices=np.asarray(data["rest_matrices"]) if data.get("rest_matrices") else None,
                bone_map=dict(data.get("bone_map", {})),
                joint_map=dict(data.get("joint_map", {})),
                follows=dict(data.get("follows", {})),
                root_motion_bone=data.get("root_motion_bone"),
                properties=dict(data.get("properties", {})),
                object_matrix=np.asarray(data.get("object_matrix", np.eye(4))),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BadRig(f"Not a Clapper rig description ({exc}); export it again from the add-on.") from exc

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=1))

    @classmethod
    def load(cls, path: str | Path) -> RigSpec:
        """Read a RigSpec JSON file.

        Raises:
            BadRig: the file is missing or is not a RigSpec.
        """
        try:
            data = json.loads(Path(path).read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise BadRig(f"Cannot read rig description {path}: {exc}. Check the path.") from exc
        return cls.from_dict(data)

    def with_map(self, preset: BoneMap) -> RigSpec:
        """A copy using a bone map's bone_map/joint_map/follows/root/properties (see ``maps.py``)."""
        return dataclasses.replace(
            self,
            bone_map=dict(preset.bone_map),
            joint_map=dict(preset.joint_map),
            follows=dict(preset.follows),
            properties={bone: dict(values) for bone, values in preset.properties.items()},
            root_motion_bone=preset.root_motion_bone,
        )
