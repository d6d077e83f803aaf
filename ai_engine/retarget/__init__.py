"""Retargeting: canonical skeleton animation → any rig (RigSpec + bone map) → BoneAnimation.

The public API (stable; motion capture feeds ``solve`` with a ``SkeletonAnimation``)::

    from ai_engine.retarget import SkeletonAnimation, RigSpec, solve
    anim = solve(skeleton, rig, foot_lock=True, progress=..., should_stop=...)   # BoneAnimation
    anim.save("take.npz")   # or the worker job RETARGET ("retarget.retarget", contract.py)

``load_source(path)`` reads a BVH as a SkeletonAnimation (placed as Blender's importer places it);
``load_preset(name)`` / ``choose_map(...)`` / ``auto_map(...)`` give bone maps.
"""

from .animation import BoneAnimation
from .automap import auto_map
from .maps import PRESET_NAMES, choose_map, fit_preset, load_preset
from .rigspec import RigSpec
from .skeleton import BODY_JOINTS, CANONICAL_CHILD, FINGER_JOINTS, SkeletonAnimation
from .solve import solve
from .source import load_source, skeleton_from_bvh

__all__ = [
    "BODY_JOINTS",
    "CANONICAL_CHILD",
    "FINGER_JOINTS",
    "PRESET_NAMES",
    "BoneAnimation",
    "RigSpec",
    "SkeletonAnimation",
    "auto_map",
    "choose_map",
    "fit_preset",
    "load_preset",
    "load_source",
    "skeleton_from_bvh",
    "solve",
]
