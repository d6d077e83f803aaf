"""``RigSpec`` from an armature object: the one place that reads an armature's rest pose for the engine."""

from __future__ import annotations

import bpy
import numpy as np

from ai_engine.errors import BadRig
from ai_engine.retarget.maps import BoneMap, choose_map
from ai_engine.retarget.rigspec import RigSpec


def check_target(obj: bpy.types.Object | None) -> bpy.types.Object:
    """The object as a usable retarget target, or ``BadRig`` saying what is wrong and what to do.

    Raises:
        BadRig: not an armature, linked from a library (not editable), or a non-uniform scale.
    """
    if obj is None:
        raise BadRig("Pick a target armature first.")
    if obj.type != "ARMATURE":
        raise BadRig(f"'{obj.name}' is a {obj.type.lower()}, not an armature: pick the character's armature.")
    if obj.library is not None or obj.data.library is not None:
        raise BadRig(
            f"'{obj.name}' is linked from {bpy.path.basename((obj.library or obj.data.library).filepath)} "
            "and cannot get a new action: make it a library override (Object → Library Override → Make)."
        )
    scale = np.asarray(obj.matrix_world.to_scale())
    if np.ptp(np.abs(scale)) > 1e-4 * float(np.abs(scale).max()):
        raise BadRig(
            f"'{obj.name}' has a non-uniform scale {tuple(round(float(s), 4) for s in scale)}: "
            "apply the scale (Ctrl+A → Scale) and retarget again."
        )
    return obj


def _follows(obj: bpy.types.Object) -> dict[str, str]:
    """Bones that copy another bone's whole transform: the last full, undriven Copy Transforms."""
    out: dict[str, str] = {}
    drivers = {d.data_path for d in (obj.animation_data.drivers if obj.animation_data else [])}
    for pb in obj.pose.bones:
        for con in pb.constraints:
            driven = f'pose.bones["{pb.name}"].constraints["{con.name}"].influence' in drivers
            if (
                con.type == "COPY_TRANSFORMS"
                and getattr(con, "target", None) == obj
                and con.subtarget
                and con.influence > 0.999
                and not con.mute
                and not driven
            ):
                out[pb.name] = con.subtarget
    return out


def rigspec_from_armature(obj: bpy.types.Object, preset: BoneMap | None = None) -> tuple[RigSpec, str]:
    """Describe an armature for the solver.

    Arguments:
        obj: the target armature object.
        preset: a bone map preset (bone_map, joint_map, follows, …) or None to pick one that fits
            (Rigify, Mixamo …) or map automatically from names and topology.
    Returns:
        (RigSpec with the map, name of the preset used or "auto"/"custom").
    Raises:
        BadRig: see ``check_target``; automatic mapping failed.
    """
    check_target(obj)
    bones = list(obj.data.bones)
    names = [b.name for b in bones]
    index = {n: i for i, n in enumerate(names)}
    heads = np.array([b.head_local for b in bones], dtype=np.float64).reshape(-1, 3)
    tails = np.array([b.tail_local for b in bones], dtype=np.float64).reshape(-1, 3)
    rest = np.array([np.array(b.matrix_local.to_3x3()) for b in bones], dtype=np.float64).reshape(-1, 3, 3)
    parents = [b.parent.name if b.parent else None for b in bones]
    if preset is None:
        parent_idx = [index[p] if p else -1 for p in parents]
        preset, used = choose_map(names, parent_idx, heads, tails)
    else:
        used = preset.name
    follows = {**_follows(obj), **preset.follows}
    spec = RigSpec(
        name=obj.name,
        bones=names,
        parents=parents,
        heads=heads,
        tails=tails,
        rest_matrices=rest,
        bone_map=dict(preset.bone_map),
        joint_map=dict(preset.joint_map),
        follows=follows,
        root_motion_bone=preset.root_motion_bone,
        properties={bone: dict(values) for bone, values in preset.properties.items()},
        object_matrix=np.array(obj.matrix_world, dtype=np.float64),
    )
    return spec, used
