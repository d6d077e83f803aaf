"""Rigs to retarget onto when none is at hand: the demo, the tests and the benchmark use them.

``rigify_rig()`` generates a Rigify rig from Blender's human metarig (Rigify ships with Blender);
``mixamo_like_rig()`` builds a Mixamo-named armature the way an FBX import of a Mixamo character
looks: Y-up armature data in centimetres under an object rotated 90° about X and scaled 0.01, an A-pose
rest, other proportions than the metarig, and arbitrary bone rolls.
"""

from __future__ import annotations

import math

import addon_utils
import bpy
import numpy as np


def rigify_rig(name: str = "rig") -> bpy.types.Object:
    """Generate a Rigify rig from the human metarig in the current scene (about 6 s).

    Returns:
        the generated rig object (the metarig is removed).
    """
    addon_utils.enable("rigify", default_set=True)
    if bpy.context.object is not None and bpy.context.object.mode != "OBJECT":
        bpy.ops.object.mode_set(mode="OBJECT")
    bpy.ops.object.armature_human_metarig_add()
    metarig = bpy.context.active_object
    bpy.ops.pose.rigify_generate()
    rig = bpy.context.active_object
    rig.name = name
    bpy.data.objects.remove(metarig)
    return rig


# (name, parent, head, tail) in a Y-up, centimetre, character-facing-+Z frame, like a Mixamo FBX.
def _mixamo_bones(arm_down_deg: float) -> list[tuple[str, str | None, tuple[float, ...], tuple[float, ...]]]:
    p = "mixamorig:"
    bones: list[tuple[str, str | None, tuple[float, ...], tuple[float, ...]]] = [
        (f"{p}Hips", None, (0, 104, 0), (0, 114, 1)),
        (f"{p}Spine", f"{p}Hips", (0, 114, 1), (0, 126, 0)),
        (f"{p}Spine1", f"{p}Spine", (0, 126, 0), (0, 139, -1)),
        (f"{p}Spine2", f"{p}Spine1", (0, 139, -1), (0, 153, -1)),
        (f"{p}Neck", f"{p}Spine2", (0, 153, -1), (0, 163, 1)),
        (f"{p}Head", f"{p}Neck", (0, 163, 1), (0, 181, 2)),
        (f"{p}HeadTop_End", f"{p}Head", (0, 181, 2), (0, 190, 2)),
    ]
    down = math.radians(arm_down_deg)
    for side, sx in (("Left", 1.0), ("Right", -1.0)):
        sh = (sx * 5.0, 149.0, -1.0)
        arm = (sx * 17.0, 148.0, -2.0)
        direction = np.array([sx * math.cos(down), -math.sin(down), 0.0])
        elbow = tuple(np.array(arm) + 26.0 * direction)
        wrist = tuple(np.array(elbow) + 24.0 * direction)
        hand_end = tuple(np.array(wrist) + 9.0 * direction)
        bones += [
            (f"{p}{side}Shoulder", f"{p}Spine2", sh, arm),
            (f"{p}{side}Arm", f"{p}{side}Shoulder", arm, elbow),
            (f"{p}{side}ForeArm", f"{p}{side}Arm", elbow, wrist),
            (f"{p}{side}Hand", f"{p}{side}ForeArm", wrist, hand_end),
        ]
        hip = (sx * 10.0, 100.0, 0.0)
        knee = (sx * 11.0, 54.0, 1.5)
        ankle = (sx * 11.5, 8.0, -1.0)
        ball = (sx * 12.0, 1.5, 12.0)
        toe = (sx * 12.0, 1.5, 20.0)
        bones += [
            (f"{p}{side}UpLeg", f"{p}Hips", hip, knee),
            (f"{p}{side}Leg", f"{p}{side}UpLeg", knee, ankle),
            (f"{p}{side}Foot", f"{p}{side}Leg", ankle, ball),
            (f"{p}{side}ToeBase", f"{p}{side}Foot", ball, toe),
        ]
    return bones


def mixamo_like_rig(
    name: str = "MixamoRig", *, arm_down_deg: float = 40.0, seed: int = 7
) -> bpy.types.Object:
    """Build a Mixamo-named armature (A-pose, random rolls, FBX-like object transform).

    Arguments:
        name: object and armature name; arm_down_deg: how far the arms hang below horizontal at rest.
        seed: for the bone rolls.
    Returns:
        the armature object, linked to the current scene's collection.
    """
    rng = np.random.default_rng(seed)
    data = bpy.data.armatures.new(name)
    obj = bpy.data.objects.new(name, data)
    bpy.context.collection.objects.link(obj)
    bpy.context.view_layer.objects.active = obj
    for other in bpy.context.view_layer.objects:
        other.select_set(other == obj)
    bpy.ops.object.mode_set(mode="EDIT")
    for bone_name, parent, head, tail in _mixamo_bones(arm_down_deg):
        eb = data.edit_bones.new(bone_name)
        eb.head = head
        eb.tail = tail
        eb.roll = float(rng.uniform(-math.pi, math.pi))
        if parent:
            eb.parent = data.edit_bones[parent]
    bpy.ops.object.mode_set(mode="OBJECT")
    obj.rotation_euler = (math.radians(90.0), 0.0, 0.0)
    obj.scale = (0.01, 0.01, 0.01)
    bpy.context.view_layer.update()  # matrix_world follows the new transform only after an update
    return obj
