"""Worker jobs of the retargeting feature (declared in ``contract.py``)."""

from __future__ import annotations

from pathlib import Path

from ..progress import sub_progress
from ..registry import implements
from ..worker import JobContext
from .contract import RETARGET, RetargetRequest, RetargetResult
from .maps import fit_preset, load_preset
from .rigspec import RigSpec
from .skeleton import SkeletonAnimation
from .solve import solve
from .source import load_source


def _rig(request: RetargetRequest) -> RigSpec:
    """The request's rig, with the named map preset (fitted to its bone names) when one is given."""
    if request.map is None:
        return request.rig
    return request.rig.with_map(fit_preset(load_preset(request.map), request.rig.bones)[0])


@implements(RETARGET)
def retarget(request: RetargetRequest, ctx: JobContext) -> RetargetResult:
    """Retarget the request's motion (BVH or skeleton .npz) onto its rig; the animation is a file."""
    rig = _rig(request)
    rig.validate()
    if request.skeleton is not None:
        ctx.progress(0.0, "loading the skeleton")
        skeleton = SkeletonAnimation.load(request.skeleton)
    else:
        assert request.source is not None  # the contract guarantees one of the two
        skeleton = load_source(
            request.source,
            request.source_map,
            progress=sub_progress(ctx.progress, 0.0, 0.4),
            should_stop=ctx.should_stop,
        )
    anim = solve(
        skeleton,
        rig,
        foot_lock=request.foot_lock,
        progress=sub_progress(ctx.progress, 0.4, 0.95),
        should_stop=ctx.should_stop,
    )
    unmapped = [j for j in rig.bone_map if j not in skeleton.joints]
    if unmapped:
        ctx.warn(f"The source has no {', '.join(unmapped)}: those bones keep their rest pose.")
    path = anim.save(Path(ctx.workdir) / "animation.npz")
    ctx.progress(1.0, "done")
    left, right = (int(n) for n in anim.contacts.sum(axis=0)) if anim.contacts is not None else (0, 0)
    leg_ratio = anim.meta.get("leg_ratio")
    used = skeleton.meta.get("bone_map")
    source_map = {str(k): str(v) for k, v in used.items()} if isinstance(used, dict) else {}
    return RetargetResult(
        animation=str(path),
        frames=anim.frame_count,
        fps=float(anim.fps),
        bones=tuple(anim.bones),
        root_bone=anim.root_bone,
        source_name=anim.source_name,
        source_map=source_map,
        contacts=(left, right),
        leg_ratio=float(leg_ratio) if leg_ratio is not None else None,  # type: ignore[arg-type]
    )
