"""Sequencer › Clapper › Scenes: Group Scenes, Check Edit, Repair, Export Scenes, Make Edit."""

from __future__ import annotations

import json
import os
from typing import Any

import bpy

from ..core.compat import all_strips
from ..core.jobs import EngineJobOperator, JobInputError


def _editor(context: bpy.types.Context) -> Any:
    scene = getattr(context, "sequencer_scene", None) or context.scene
    return scene, scene.sequence_editor if scene else None


def _source_movie(editor: Any) -> Any:
    from ..cuts.read import media_path, movie_strips

    strips = movie_strips(editor) or movie_strips(editor, selected_only=False)
    if not strips:
        raise JobInputError("Add or select a movie strip in the Sequencer first.")
    paths = {media_path(s.filepath) for s in strips}
    if len(paths) > 1:
        raise JobInputError("The selected strips come from several videos: select the pieces of one video.")
    path = paths.pop()
    if not os.path.exists(path):
        raise JobInputError(
            f"The video {path} is missing: relink the strip (Strip › Movie › Change Path/Files)."
        )
    return strips, path


class CLAPPER_OT_group_scenes(EngineJobOperator, bpy.types.Operator):
    """Group the shots of the selected video's strips into scenes: a colour tag per scene, a "Scene N" marker at each (one undo step)"""

    bl_idname = "clapper.group_scenes"
    bl_label = "Group Scenes"
    bl_options = {"REGISTER", "UNDO"}
    job_label = "Grouping scenes"

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return _editor(context)[1] is not None

    def build_job(self, context: bpy.types.Context) -> tuple[Any, Any]:
        from ai_engine.scenes.contract import GROUP, ScenesRequest

        scene, editor = _editor(context)
        strips, path = _source_movie(editor)
        self._strips = [s.name for s in strips]
        return GROUP, ScenesRequest(video=path, detector=scene.clapper.cuts.detector)

    def apply_result(self, context: bpy.types.Context, result: Any) -> None:
        from .write import apply_scenes

        scene, editor = _editor(context)
        strips = [s for s in all_strips(editor) if s.name in set(getattr(self, "_strips", []))]
        tagged = apply_scenes(scene, strips, result)
        props = scene.clapper.scenes
        props.scenes_json = json.dumps(result.to_dict())
        props.last_report = (
            f"{len(result.scenes)} scene(s) from {len(result.shots)} shots; {tagged} strips tagged."
        )
        self.report({"INFO"}, props.last_report)


class CLAPPER_OT_jump_to_scene(bpy.types.Operator):
    """Move the playhead to this scene's first frame"""

    bl_idname = "clapper.jump_to_scene"
    bl_label = "Jump to Scene"
    bl_options = {"REGISTER"}

    index: bpy.props.IntProperty(default=-1)

    def execute(self, context: bpy.types.Context) -> set[str]:
        scene, _ = _editor(context)
        props = scene.clapper.scenes
        index = self.index if self.index >= 0 else props.active_scene
        if not 0 <= index < len(props.scenes):
            return {"CANCELLED"}
        props.active_scene = index
        scene.frame_current = props.scenes[index].frame_start
        return {"FINISHED"}


class CLAPPER_OT_check_edit(bpy.types.Operator):
    """Find gaps, 1–2 frame strips, hidden strips, and sound not cut or out of sync with its picture"""

    bl_idname = "clapper.check_edit"
    bl_label = "Check Edit"
    bl_options = {"REGISTER", "UNDO"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        from .timeline import find_problems
        from .write import store_problems

        scene, editor = _editor(context)
        if editor is None:
            self.report({"ERROR"}, "This scene has no Sequencer strips: add footage first.")
            return {"CANCELLED"}
        problems = find_problems(editor)
        store_problems(scene, problems)
        fixable = sum(p.repairable for p in problems)
        scene.clapper.scenes.last_report = (
            f"{len(problems)} problem(s), {fixable} repairable in one click."
            if problems
            else "No problems found."
        )
        self.report({"INFO"}, scene.clapper.scenes.last_report)
        return {"FINISHED"}


class CLAPPER_OT_repair_problem(bpy.types.Operator):
    """Repair this problem (one undo step); problems that need a decision stay marked"""

    bl_idname = "clapper.repair_problem"
    bl_label = "Repair"
    bl_options = {"REGISTER", "UNDO"}

    index: bpy.props.IntProperty(default=-1)
    all: bpy.props.BoolProperty(name="All", default=False)

    def execute(self, context: bpy.types.Context) -> set[str]:
        from .timeline import apply_all, find_problems, repair_one
        from .write import problem_from_item, store_problems

        scene, editor = _editor(context)
        props = scene.clapper.scenes
        if editor is None:
            self.report({"ERROR"}, "This scene has no Sequencer strips.")
            return {"CANCELLED"}
        try:
            if self.all:
                done = apply_all(editor, find_problems(editor))
                message = f"{len(done)} repair(s)."
            else:
                index = self.index if self.index >= 0 else props.active_problem
                if not 0 <= index < len(props.problems):
                    return {"CANCELLED"}
                item = props.problems[index]
                if not item.repairable:
                    self.report(
                        {"WARNING"}, f"A {item.kind.replace('_', ' ')} needs your decision: it is marked."
                    )
                    return {"CANCELLED"}
                message = repair_one(editor, problem_from_item(item))
        except Exception as exc:  # the timeline was restored
            self.report({"ERROR"}, f"{exc} Nothing was changed.")
            return {"CANCELLED"}
        store_problems(scene, find_problems(editor))
        props.last_report = message
        self.report({"INFO"}, message)
        return {"FINISHED"}


class CLAPPER_OT_jump_to_problem(bpy.types.Operator):
    """Move the playhead to this problem"""

    bl_idname = "clapper.jump_to_problem"
    bl_label = "Jump to Problem"
    bl_options = {"REGISTER"}

    index: bpy.props.IntProperty(default=-1)

    def execute(self, context: bpy.types.Context) -> set[str]:
        scene, _ = _editor(context)
        props = scene.clapper.scenes
        index = self.index if self.index >= 0 else props.active_problem
        if not 0 <= index < len(props.problems):
            return {"CANCELLED"}
        props.active_problem = index
        scene.frame_current = props.problems[index].frame_start
        return {"FINISHED"}


class CLAPPER_OT_export_scenes(EngineJobOperator, bpy.types.Operator):
    """Write the grouped shots and scenes as OpenTimelineIO (a marker and a nested stack per scene)"""

    bl_idname = "clapper.export_scenes"
    bl_label = "Export Scenes (OTIO)"
    bl_options = {"REGISTER"}
    job_label = "Exporting scenes"

    filepath: bpy.props.StringProperty(name="File", subtype="FILE_PATH", default="")

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return bool(_editor(context)[0].clapper.scenes.scenes_json)

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        if not self.filepath and not bpy.app.background:
            self.filepath = os.path.join(os.path.dirname(bpy.data.filepath) or os.getcwd(), "scenes.otio")
            context.window_manager.fileselect_add(self)
            return {"RUNNING_MODAL"}
        return super().invoke(context, event)

    def build_job(self, context: bpy.types.Context) -> tuple[Any, Any]:
        from ai_engine.scenes.contract import EXPORT_OTIO, OtioRequest, ScenesResult

        scene, _ = _editor(context)
        if not self.filepath:
            raise JobInputError("Choose a file to export to.")
        result = ScenesResult.from_dict(json.loads(scene.clapper.scenes.scenes_json))
        return EXPORT_OTIO, OtioRequest(scenes_result=result, path=bpy.path.abspath(self.filepath))

    def apply_result(self, context: bpy.types.Context, result: Any) -> None:
        self.report({"INFO"}, f"Wrote OTIO: {result.path}")


class CLAPPER_OT_make_edit(EngineJobOperator, bpy.types.Operator):
    """Assemble a new Sequencer scene of the chosen length from whole shots of the selected video"""

    bl_idname = "clapper.make_edit"
    bl_label = "Make Edit"
    bl_options = {"REGISTER", "UNDO"}
    job_label = "Making an edit"

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return _editor(context)[1] is not None

    def build_job(self, context: bpy.types.Context) -> tuple[Any, Any]:
        from ai_engine.scenes.contract import PLAN, PlanRequest

        scene, editor = _editor(context)
        _, path = _source_movie(editor)
        props = scene.clapper.scenes
        return PLAN, PlanRequest(
            video=path,
            seconds=props.edit_seconds,
            min_shot_seconds=props.min_shot_seconds,
            detector=scene.clapper.cuts.detector,
        )

    def apply_result(self, context: bpy.types.Context, result: Any) -> None:
        from .write import add_edit

        source, _ = _editor(context)
        new = bpy.data.scenes.new(f"{source.name} edit")
        add_edit(new, result)
        source.clapper.scenes.last_report = (
            f"Made '{new.name}': {len(result.shots)} shots, {result.seconds:.1f} s"
            + (f"; {len(result.skipped_scenes)} scene(s) left out" if result.skipped_scenes else "")
        )
        self.report({"INFO"}, source.clapper.scenes.last_report)


classes = (
    CLAPPER_OT_group_scenes,
    CLAPPER_OT_jump_to_scene,
    CLAPPER_OT_check_edit,
    CLAPPER_OT_repair_problem,
    CLAPPER_OT_jump_to_problem,
    CLAPPER_OT_export_scenes,
    CLAPPER_OT_make_edit,
)
