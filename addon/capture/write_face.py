"""Write captured face curves into a mesh's shape keys (one new action) and head rotation onto bones.

Nothing is written until every input is checked, so a failure leaves the mesh, its shape keys and
the armature's actions as they were.
"""

from __future__ import annotations

from dataclasses import dataclass

import bpy
import numpy as np

from ai_engine.capture.face import ARKIT_BLENDSHAPES
from ai_engine.capture.shape_keys import match_shape_keys

from ..core.compat import channelbag_fcurve
from ..retarget.action import LAYERED_ACTIONS

_LINEAR = 1


@dataclass
class FaceBake:
    action: str | None
    driven: dict[str, list[str]]  # ARKit name → shape keys keyed
    missing: list[str]  # ARKit names without a shape key on the mesh
    keys: int


def shape_key_names(mesh: bpy.types.Object) -> list[str]:
    keys = mesh.data.shape_keys if mesh.type == "MESH" else None
    return [k.name for k in keys.key_blocks] if keys is not None else []


def missing_shape_keys(mesh: bpy.types.Object) -> list[str]:
    """ARKit names the mesh has no shape key for (in any known spelling)."""
    return match_shape_keys(shape_key_names(mesh))[1]


def create_missing_shape_keys(mesh: bpy.types.Object) -> list[str]:
    """Add an empty shape key (same as the basis) for every missing ARKit name; returns them."""
    missing = missing_shape_keys(mesh)
    if missing and mesh.data.shape_keys is None:
        mesh.shape_key_add(name="Basis", from_mix=False)
    for name in missing:
        mesh.shape_key_add(name=name, from_mix=False)
    return missing


def _curve_factory(action: bpy.types.Action, owner: bpy.types.ID, id_type: str, layer_name: str):  # type: ignore[no-untyped-def]
    if LAYERED_ACTIONS:
        slot = action.slots.new(id_type=id_type, name=owner.name)
        strip = action.layers.new(layer_name).strips.new(type="KEYFRAME")
        bag = strip.channelbag(slot, ensure=True)
        return (lambda path, index, group: channelbag_fcurve(bag, path, index, group)), slot
    action.id_root = id_type
    return (lambda path, index, group: action.fcurves.new(path, index=index, action_group=group)), None


def bake_face(
    mesh: bpy.types.Object,
    weights: np.ndarray,
    valid: np.ndarray,
    *,
    name: str,
    frame_start: int,
) -> FaceBake:
    """Key the ARKit curves onto the mesh's matching shape keys as one new action on its Key.

    Arguments:
        weights: (T, 52) in ``ARKIT_BLENDSHAPES`` order; valid: (T,) frames with a face (others get no
            key, so the curves glide over short losses).
        name: the new action's name; frame_start: scene frame of video frame 0.
    """
    driven, missing = match_shape_keys(shape_key_names(mesh))
    frames = np.flatnonzero(valid & np.isfinite(weights).all(axis=1))
    if not driven or frames.size == 0:
        return FaceBake(None, driven, missing, 0)
    key = mesh.data.shape_keys
    action = bpy.data.actions.new(name)
    new, slot = _curve_factory(action, key, "KEY", "Face")
    times = (frames + frame_start).astype(np.float32)
    written = 0
    for arkit, targets in driven.items():
        values = weights[frames, ARKIT_BLENDSHAPES.index(arkit)].astype(np.float32)
        for target in targets:
            fc = new(f'key_blocks["{bpy.utils.escape_identifier(target)}"].value', 0, arkit)
            co = np.empty(2 * frames.size, np.float32)
            co[0::2], co[1::2] = times, values
            fc.keyframe_points.add(frames.size)
            fc.keyframe_points.foreach_set("co", co)
            fc.keyframe_points.foreach_set("interpolation", np.full(frames.size, _LINEAR, np.int32))
            fc.update()
            written += frames.size
    ad = key.animation_data_create()
    if ad.action is not None and ad.action != action:
        ad.action.use_fake_user = True  # the previous face action survives saving
    ad.action = action
    if slot is not None:
        ad.action_slot = slot
    return FaceBake(action.name, driven, missing, written)


def head_bones(armature: bpy.types.Object, bone_map: dict[str, str]) -> list[tuple[str, float]]:
    """(bone, share) for the neck and head bones the map names that the armature has."""
    out = []
    for joint, share in (("neck", 0.4), ("head", 0.6)):
        bone = bone_map.get(joint)
        if bone and bone in armature.pose.bones:
            out.append((bone, share))
    if len(out) == 1:
        out = [(out[0][0], 1.0)]
    return out
