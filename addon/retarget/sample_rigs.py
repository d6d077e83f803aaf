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

from ai_engine.retarget.sample_motion import mixamo_like_bones


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
    for bone_name, parent, head, tail in mixamo_like_bones(arm_down_deg):
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
