"""Apply a capture job's result: body (and fingers) as an action on the armature, face curves as an
action on the mesh's shape keys, or head rotation onto neck/head bones when no body was captured.

Everything is checked before anything is written (see ``check_capture_targets``), so a failed or
cancelled job — or a bad target — leaves the rig, its shape keys and actions untouched.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import bpy
import numpy as np

from ai_engine.capture.contract import CaptureToRigResult
from ai_engine.capture.track import MotionTrack

from .write_face import bake_face, head_bones


def check_capture_targets(armature: bpy.types.Object | None, mesh: bpy.types.Object | None) -> None:
    """Raise ``ValueError`` (with what to do) when a chosen target cannot take the result."""
    if armature is not None and armature.type != "ARMATURE":
        raise ValueError(f"'{armature.name}' is not an armature: pick the character's armature.")
    if mesh is not None and mesh.type != "MESH":
        raise ValueError(f"'{mesh.name}' is not a mesh: pick the mesh that has the face shape keys.")
    for obj in (armature, mesh):
        if obj is not None and (obj.library is not None or obj.data.library is not None):
            raise ValueError(f"'{obj.name}' is linked from a library: make a library override first.")


CONTACT_PROPERTIES = ("clapper_contact_L", "clapper_contact_R")  # left, right foot: 1 planted, 0 free


def _contact_fcurve(armature: bpy.types.Object, prop: str, *, create: bool) -> Any:
    from ..core.compat import channelbag_fcurve
    from ..retarget.action import LAYERED_ACTIONS

    ad = armature.animation_data
    action = ad.action if ad is not None else None
    if action is None:
        return None
    path = f'["{prop}"]'
    if LAYERED_ACTIONS:
        if ad.action_slot is None or not len(action.layers) or not len(action.layers[0].strips):
            return None
        bag = action.layers[0].strips[0].channelbag(ad.action_slot, ensure=create)
        if bag is None:
            return None
        curves = bag.fcurves
    else:
        curves = action.fcurves
    fc = curves.find(path)
    if fc is None and create:
        fc = (
            channelbag_fcurve(bag, path, 0, "Clapper contacts")
            if LAYERED_ACTIONS
            else curves.new(path, index=0, action_group="Clapper contacts")
        )
    return fc


def key_contacts(armature: bpy.types.Object, contacts: np.ndarray, frame_start: int) -> int:
    """Key the planted feet as ``clapper_contact_L``/``_R`` custom properties (1 planted, 0 free,
    constant interpolation, a key where the state changes) in the armature's active action, for an
    animator to edit before Re-solve. Returns the number of keys."""
    keys = 0
    for side, prop in enumerate(CONTACT_PROPERTIES):
        armature[prop] = 0
        armature.id_properties_ui(prop).update(
            min=0,
            max=1,
            description="1 where this foot is planted on the floor (Clapper); edit, then Re-solve",
        )
        fc = _contact_fcurve(armature, prop, create=True)
        values = contacts[:, side].astype(np.float32)
        changes = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
        points = fc.keyframe_points
        points.clear()
        points.add(len(changes))
        co = np.empty(2 * len(changes), np.float32)
        co[0::2] = changes + frame_start
        co[1::2] = values[changes]
        points.foreach_set("co", co)
        points.foreach_set("handle_left", co)
        points.foreach_set("handle_right", co)
        for point in points:
            point.interpolation = "CONSTANT"
        fc.update()
        keys += len(changes)
    return keys


def read_contacts(
    armature: bpy.types.Object, frame_start: int, frames: int
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The frames (of the track, from 0) where the rig's contact keys say each foot is planted.

    Raises:
        ValueError: the armature's action has no contact keys (capture onto it first).
    """
    out = []
    for prop in CONTACT_PROPERTIES:
        fc = _contact_fcurve(armature, prop, create=False)
        if fc is None:
            raise ValueError(
                f"'{armature.name}' has no foot contact keys ({prop}) in its action: capture onto it first, "
                "then edit the keys and Re-solve."
            )
        out.append(tuple(i for i in range(frames) if fc.evaluate(frame_start + i) > 0.5))
    return out[0], out[1]


@dataclass
class AppliedCapture:
    """What ``apply_capture`` made: scene frames, the actions (None where that part was not written),
    how many foot-contact keys and driven shape keys, and the ARKit shape keys the mesh lacks."""

    frame_start: int
    frame_end: int
    body_action: str | None = None
    head_action: str | None = None
    face_action: str | None = None
    contact_keys: int = 0
    shape_keys_driven: int = 0
    missing_shape_keys: list[str] = field(default_factory=list)

    def actions(self) -> list[str]:
        """The actions written, body first."""
        return [a for a in (self.body_action, self.head_action, self.face_action) if a]

    def to_dict(self) -> dict[str, Any]:
        """The batch verb's JSON form."""
        return dataclasses.asdict(self)


def apply_capture(
    scene: bpy.types.Scene,
    result: CaptureToRigResult,
    *,
    armature: bpy.types.Object | None,
    mesh: bpy.types.Object | None,
    head_from_face: bool = True,
    bone_map: dict[str, str] | None = None,
    frame_start: int | None = None,
) -> AppliedCapture:
    """Write the capture into the scene. Returns what was made (action names, missing shape keys)."""
    from ai_engine.capture.head import head_bone_rotations
    from ai_engine.retarget.animation import BoneAnimation

    from ..retarget.action import bake_action
    from ..retarget.write import set_scene_rate

    check_capture_targets(armature, mesh)
    track = MotionTrack.load(result.capture.track)
    start = scene.frame_start if frame_start is None else frame_start
    name = result.capture.source_name or result.capture.track.stem
    made = AppliedCapture(frame_start=start, frame_end=start + track.frame_count - 1)
    if armature is not None and result.animation is not None:
        body = BoneAnimation.load(result.animation)
        made.body_action = bake_action(armature, body, name=f"{name} Body", frame_start=start).action
        set_scene_rate(scene, body.fps)
        if track.foot_contacts is not None and track.body_world.shape[0]:
            made.contact_keys = key_contacts(armature, track.foot_contacts, start)
    elif armature is not None and head_from_face and track.face_valid.any() and bone_map:
        bones = head_bones(armature, bone_map)
        if bones:
            rest = [np.array(armature.data.bones[b].matrix_local.to_3x3()) for b, _ in bones]
            world = np.array(armature.matrix_world.to_3x3().normalized())
            rotations = head_bone_rotations(
                track.head_rotation, track.face_valid, rest, world, [share for _, share in bones]
            )
            anim = BoneAnimation(
                bones=[b for b, _ in bones],
                rotations=rotations,
                root_bone=None,
                root_location=np.zeros((track.frame_count, 3)),
                fps=track.fps,
                source_name=name,
            )
            made.head_action = bake_action(armature, anim, name=f"{name} Head", frame_start=start).action
            set_scene_rate(scene, track.fps)
    if mesh is not None and track.face_valid.any() and track.face_blendshapes.shape[1] == 52:
        face = bake_face(
            mesh, track.face_blendshapes, track.face_valid, name=f"{name} Face", frame_start=start
        )
        made.face_action = face.action
        made.shape_keys_driven = sum(len(v) for v in face.driven.values())
        made.missing_shape_keys = list(face.missing)
        if face.action is not None:
            set_scene_rate(scene, track.fps)
    if scene.frame_end < made.frame_end:
        scene.frame_end = made.frame_end
    return made
