"""Worker jobs of the retargeting feature (``ai_engine.retarget.jobs:<function>``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import BadRig
from ..progress import sub_progress
from ..registry import implements
from ..worker import JobContext
from .contract import RETARGET
from .maps import fit_preset, load_preset
from .rigspec import RigSpec
from .skeleton import SkeletonAnimation
from .solve import solve
from .source import load_source


def _rig(request: dict[str, Any]) -> RigSpec:
    if "rig_spec" in request:
        rig = RigSpec.from_dict(request["rig_spec"])
    elif "rig" in request:
        rig = RigSpec.load(request["rig"])
    else:
        raise BadRig("The request names no target rig ('rig_spec' or 'rig'); pick a target armature.")
    if request.get("map"):
        preset = request["map"]
        preset = preset if isinstance(preset, dict) else load_preset(preset)
        rig = rig.with_map(fit_preset(preset, rig.bones)[0])
    return rig


@implements(RETARGET)
def retarget(request: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Retarget a motion onto a rig.

    Request: ``source`` (a .bvh path) or ``skeleton`` (a SkeletonAnimation .npz); ``source_map``
    (canonical → source joint, optional); ``rig_spec`` (RigSpec dict) or ``rig`` (RigSpec JSON path);
    ``map`` (preset name, path or dict, optional: replaces the RigSpec's own map); ``foot_lock``.
    Result: ``animation`` (BoneAnimation .npz in the workdir), ``frames``, ``fps``, ``bones``,
    ``source_name``, ``source_map``, ``contacts`` (frames in contact, left/right).
    """
    rig = _rig(request)
    rig.validate()
    if request.get("skeleton"):
        ctx.progress(0.0, "loading the skeleton")
        skeleton = SkeletonAnimation.load(request["skeleton"])
    else:
        skeleton = load_source(
            request["source"],
            request.get("source_map"),
            progress=sub_progress(ctx.progress, 0.0, 0.4),
            should_stop=ctx.should_stop,
        )
    anim = solve(
        skeleton,
        rig,
        foot_lock=bool(request.get("foot_lock", True)),
        progress=sub_progress(ctx.progress, 0.4, 0.95),
        should_stop=ctx.should_stop,
    )
    unmapped = [j for j in rig.bone_map if j not in skeleton.joints]
    if unmapped:
        ctx.warn(f"The source has no {', '.join(unmapped)}: those bones keep their rest pose.")
    path = anim.save(Path(ctx.workdir) / "animation.npz")
    ctx.progress(1.0, "done")
    contacts = anim.contacts.sum(axis=0).tolist() if anim.contacts is not None else [0, 0]
    return {
        "animation": str(path),
        "frames": anim.frame_count,
        "fps": anim.fps,
        "bones": anim.bones,
        "root_bone": anim.root_bone,
        "source_name": anim.source_name,
        "source_map": skeleton.meta.get("bone_map", {}),
        "contacts": contacts,
        "leg_ratio": anim.meta.get("leg_ratio"),
    }
