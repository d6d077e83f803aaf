"""Bake a ``BoneAnimation`` into ONE new action on an armature.

Keys are written with ``keyframe_points.add`` + ``foreach_set`` (about 100× faster than
``keyframe_insert``) through Blender 4.4+/5.0 layered actions (slot → layer → keyframe strip →
channelbag), or ``Action.fcurves`` on 4.2–4.3. Rotations are written in each pose bone's own rotation
mode (quaternion, axis-angle or any Euler order), so the rig's settings stay as they are. The action
that was assigned before keeps existing (it gets a fake user so saving never drops it).
"""

from __future__ import annotations

from dataclasses import dataclass

import bpy
import numpy as np

from ai_engine.retarget.animation import BoneAnimation
from ai_engine.retarget.quat import matrix_to_euler, quat_to_matrix

from ..core.compat import channelbag_fcurve

_LINEAR = 1  # KeyframeInterpolation enum index of 'LINEAR'
LAYERED_ACTIONS = bpy.app.version >= (4, 4, 0)


@dataclass
class BakedAction:
    action: str
    slot: str | None
    frame_start: int
    frame_end: int
    fcurves: int
    keys: int


def _channels(obj: bpy.types.Object, anim: BoneAnimation) -> list[tuple[str, int, str, np.ndarray]]:
    """(data_path, index, group, values over frames) for every animated channel."""
    out: list[tuple[str, int, str, np.ndarray]] = []
    for k, name in enumerate(anim.bones):
        pb = obj.pose.bones[name]
        q = anim.rotations[:, k]
        base = f'pose.bones["{bpy.utils.escape_identifier(name)}"]'
        mode = pb.rotation_mode
        if mode == "QUATERNION":
            out += [(f"{base}.rotation_quaternion", i, name, q[:, i]) for i in range(4)]
        elif mode == "AXIS_ANGLE":
            angle = 2.0 * np.arccos(np.clip(q[:, 0], -1.0, 1.0))
            axis = q[:, 1:] / np.maximum(np.linalg.norm(q[:, 1:], axis=1, keepdims=True), 1e-12)
            axis[np.linalg.norm(q[:, 1:], axis=1) < 1e-12] = (0.0, 1.0, 0.0)
            values = np.column_stack((angle, axis))
            out += [(f"{base}.rotation_axis_angle", i, name, values[:, i]) for i in range(4)]
        else:
            euler = matrix_to_euler(quat_to_matrix(q), mode)
            out += [(f"{base}.rotation_euler", i, name, euler[:, i]) for i in range(3)]
    if anim.root_bone:
        base = f'pose.bones["{bpy.utils.escape_identifier(anim.root_bone)}"]'
        out += [(f"{base}.location", i, anim.root_bone, anim.root_location[:, i]) for i in range(3)]
    frames = anim.frame_count
    for bone, props in anim.properties.items():
        if bone in obj.pose.bones:
            base = f'pose.bones["{bpy.utils.escape_identifier(bone)}"]'
            for prop, value in props.items():
                if prop in obj.pose.bones[bone]:
                    out.append((f'{base}["{prop}"]', 0, bone, np.full(min(frames, 1), float(value))))
    return out


def _new_fcurves(action: bpy.types.Action, obj: bpy.types.Object) -> tuple[object, str | None]:
    """A factory ``new(data_path, index, group)`` for the action's f-curves, and the slot name."""
    if LAYERED_ACTIONS:
        slot = action.slots.new(id_type="OBJECT", name=obj.name)
        layer = action.layers.new("Retarget")
        strip = layer.strips.new(type="KEYFRAME")
        bag = strip.channelbag(slot, ensure=True)

        def new(path: str, index: int, group: str) -> bpy.types.FCurve:
            return channelbag_fcurve(bag, path, index, group)

        return new, slot

    def new_legacy(path: str, index: int, group: str) -> bpy.types.FCurve:
        return action.fcurves.new(path, index=index, action_group=group)

    return new_legacy, None


def bake_action(
    obj: bpy.types.Object, anim: BoneAnimation, *, name: str, frame_start: int = 1
) -> BakedAction:
    """Write ``anim`` as a new action on ``obj`` and make it the active one.

    Arguments:
        obj: the target armature (its bones must include ``anim.bones``).
        anim: the solver's result; source frame i lands on ``frame_start + i``.
        name: the new action's name (Blender adds .001 … when taken).
        frame_start: scene frame of the source's first frame.
    Returns:
        BakedAction: names, frame range and how many curves/keys were written.
    """
    frames = anim.frame_count
    channels = _channels(obj, anim)
    action = bpy.data.actions.new(name)
    if not LAYERED_ACTIONS:
        action.id_root = "OBJECT"
    new, slot = _new_fcurves(action, obj)
    times = np.arange(frames, dtype=np.float64) + frame_start
    keys = 0
    for path, index, group, values in channels:
        fc = new(path, index, group)
        n = len(values)
        co = np.empty(2 * n, dtype=np.float32)
        co[0::2] = times[:n]
        co[1::2] = values
        points = fc.keyframe_points
        points.add(n)
        points.foreach_set("co", co)
        points.foreach_set("interpolation", np.full(n, _LINEAR, dtype=np.int32))
        # Handles on the keys themselves instead of fc.update(): the keys are already sorted, linear
        # keys ignore handles, and update()'s handle recalculation is two thirds of the bake time.
        points.foreach_set("handle_left", co)
        points.foreach_set("handle_right", co)
        keys += n
    ad = obj.animation_data_create()
    previous = ad.action
    if previous is not None and previous != action:
        previous.use_fake_user = True  # unassigned, it must survive saving
    ad.action = action
    if slot is not None:
        ad.action_slot = slot
    for bone, props in anim.properties.items():
        if bone in obj.pose.bones:
            for prop, value in props.items():
                if prop in obj.pose.bones[bone]:
                    obj.pose.bones[bone][prop] = type(obj.pose.bones[bone][prop])(value)
    return BakedAction(
        action=action.name,
        slot=slot.name_display if slot is not None else None,
        frame_start=frame_start,
        frame_end=frame_start + frames - 1,
        fcurves=len(channels),
        keys=keys,
    )
