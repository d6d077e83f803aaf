"""3D Viewport › Clapper › Retarget: motion (BVH file or armature) onto a target armature."""

from __future__ import annotations

import json
import os
import tempfile
from typing import TYPE_CHECKING, Any

import bpy

from ..core.jobs import EngineJobOperator, JobInputError

if TYPE_CHECKING:
    from ai_engine.contract import JobSpec
    from ai_engine.retarget.contract import RetargetRequest, RetargetResult
    from ai_engine.retarget.maps import BoneMap

# The engine (ai_engine, numpy) is imported inside the functions below, never at registration: the
# add-on must register (and say what is missing) even where the engine is not installed.


def fill_map(props: Any, target: bpy.types.Object, preset: BoneMap) -> list[str]:
    """Show ``preset`` in the panel's map list; return the mapped bones the target lacks."""
    from ai_engine.retarget.rigspec import RigSpec

    props.bone_map.clear()
    for joint, bone in preset.bone_map.items():
        item = props.bone_map.add()
        item.joint, item.bone = joint, bone
    props.map_target = target.name
    props.map_extras = json.dumps(preset.extras())
    bones = target.data.bones
    spec = RigSpec(
        name=target.name,
        bones=[b.name for b in bones],
        parents=[None] * len(bones),
        heads=[tuple(b.head_local) for b in bones],
        tails=[tuple(b.tail_local) for b in bones],
    ).with_map(preset)
    missing = spec.missing_bones()
    props.missing_bones = ", ".join(missing)
    return missing


def shown_map(props: Any) -> BoneMap:
    """The bone map as the panel shows it (the user's edits included), named "custom"."""
    from ai_engine.retarget.maps import BoneMap

    extras = json.loads(props.map_extras or "{}")
    return BoneMap.from_dict(
        {**extras, "name": "custom", "bone_map": {i.joint: i.bone for i in props.bone_map if i.bone}}
    )


def current_preset(props: Any, target: bpy.types.Object) -> BoneMap:
    """The map the panel shows for ``target`` (edited by the user), else a fresh preset/automatic one."""
    from .write import preset_for

    if len(props.bone_map) and props.map_target == target.name:
        return shown_map(props)
    preset, _ = preset_for(target, props.map_preset)
    fill_map(props, target, preset)
    return preset


class CLAPPER_OT_retarget(EngineJobOperator, bpy.types.Operator):
    """Retarget the source motion onto the target armature as one new action (Esc cancels)"""

    bl_idname = "clapper.retarget"
    bl_label = "Retarget"
    bl_options = {"REGISTER", "UNDO"}
    job_label = "Retargeting"

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return context.scene is not None and context.mode in {"OBJECT", "POSE"}

    def build_job(self, context: bpy.types.Context) -> tuple[JobSpec[Any, Any], RetargetRequest]:
        from ai_engine.errors import BadMotionFile, BadRig
        from ai_engine.retarget.contract import RETARGET, RetargetRequest

        from .read_rig import check_target, rigspec_from_armature
        from .read_skeleton import skeleton_from_armature

        props = context.scene.clapper.retarget
        try:
            target = check_target(props.target)
            preset = current_preset(props, target)
            spec, _ = rigspec_from_armature(target, preset)
        except BadRig as exc:
            raise JobInputError(str(exc)) from exc
        missing = spec.missing_bones()
        if missing:
            props.missing_bones = ", ".join(missing)
            raise JobInputError(
                f"'{target.name}' lacks mapped bones: {', '.join(missing)}. Fix them in the Bone Map list."
            )
        if props.source_kind == "FILE":
            path = bpy.path.abspath(props.source_path) if props.source_path else ""
            if not path or not os.path.isfile(path):
                raise JobInputError(f"Motion file not found: {path or '(none)'}. Pick a .bvh file.")
            return RETARGET, RetargetRequest(rig=spec, source=path, foot_lock=props.foot_lock)
        source = props.source_armature
        if source is None or source == target:
            raise JobInputError("Pick a source armature other than the target.")
        try:
            skeleton = skeleton_from_armature(source, context.scene)
        except BadMotionFile as exc:
            raise JobInputError(str(exc)) from exc
        folder = tempfile.mkdtemp(prefix="clapper-retarget-")
        saved = str(skeleton.save(os.path.join(folder, "source.npz")))
        return RETARGET, RetargetRequest(rig=spec, skeleton=saved, foot_lock=props.foot_lock)

    def apply_result(self, context: bpy.types.Context, result: RetargetResult) -> None:
        from .write import apply_retarget

        props = context.scene.clapper.retarget
        target = props.target
        if target is None or target.type != "ARMATURE":
            raise JobInputError("The target armature is gone; nothing was changed.")
        done = apply_retarget(
            context.scene,
            target,
            result,
            frame_start=context.scene.frame_start,
            match_scene_fps=props.match_scene_fps,
        )
        props.last_action = done.action
        props.last_report = (
            f"{done.action}: frames {done.frame_start}–{done.frame_end} at {done.fps:.3g} fps, "
            f"{len(result.bones)} bones; feet locked {result.contacts[0]}/{result.contacts[1]} frames"
        )
        self.report({"INFO"}, props.last_report)  # type: ignore[attr-defined]


class CLAPPER_OT_retarget_fill_map(bpy.types.Operator):
    """Fill the bone map from the chosen preset (or automatically) for the target armature"""

    bl_idname = "clapper.retarget_fill_map"
    bl_label = "Make Bone Map"
    bl_options = {"REGISTER", "UNDO"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        from ai_engine.errors import BadRig

        from .read_rig import check_target
        from .write import preset_for

        props = context.scene.clapper.retarget
        try:
            target = check_target(props.target)
            preset, used = preset_for(target, props.map_preset)
        except BadRig as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        missing = fill_map(props, target, preset)
        if missing:
            self.report({"WARNING"}, f"Map '{used}': {len(missing)} bone(s) missing: {', '.join(missing)}")
        else:
            self.report({"INFO"}, f"Map '{used}': {len(preset.bone_map)} joints mapped")
        return {"FINISHED"}


class CLAPPER_OT_retarget_save_map(bpy.types.Operator):
    """Save the bone map shown in the panel as JSON (usable as --map in batch jobs)"""

    bl_idname = "clapper.retarget_save_map"
    bl_label = "Save Bone Map"
    filepath: bpy.props.StringProperty(subtype="FILE_PATH", default="bone_map.json")

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        context.window_manager.fileselect_add(self)
        return {"RUNNING_MODAL"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        shown = shown_map(context.scene.clapper.retarget)
        with open(bpy.path.abspath(self.filepath), "w", encoding="utf-8") as handle:
            json.dump(shown.to_dict(), handle, indent=1)
        self.report({"INFO"}, f"Saved {len(shown.bone_map)} joints to {self.filepath}")
        return {"FINISHED"}


class CLAPPER_OT_retarget_export_bvh(bpy.types.Operator):
    """Export the target's retargeted action as a BVH file"""

    bl_idname = "clapper.retarget_export_bvh"
    bl_label = "Export BVH"
    filepath: bpy.props.StringProperty(subtype="FILE_PATH", default="retarget.bvh")

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        target = context.scene.clapper.retarget.target
        return target is not None and target.type == "ARMATURE" and target.animation_data is not None

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        context.window_manager.fileselect_add(self)
        return {"RUNNING_MODAL"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        target = context.scene.clapper.retarget.target
        action = target.animation_data.action
        if action is None:
            self.report({"ERROR"}, "The target has no action to export; retarget first.")
            return {"CANCELLED"}
        from .write import export_bvh

        first, last = (int(round(f)) for f in action.frame_range)
        path = export_bvh(target, bpy.path.abspath(self.filepath), first, last)
        self.report({"INFO"}, f"Exported {action.name} to {path}")
        return {"FINISHED"}


classes = (
    CLAPPER_OT_retarget,
    CLAPPER_OT_retarget_fill_map,
    CLAPPER_OT_retarget_save_map,
    CLAPPER_OT_retarget_export_bvh,
)
