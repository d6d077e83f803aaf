"""Sequencer › Clapper › Cuts: detect (preview first), apply, jump, clear, export."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import bpy

from ..core.compat import all_strips
from ..core.jobs import EngineJobOperator, JobInputError
from ..core.vocab import engine_items
from .read import detect_request, export_request
from .write import apply_cuts, clear_markers, refresh_preview, store_detection

if TYPE_CHECKING:
    from ai_engine.contract import JobSpec
    from ai_engine.cuts.contract import DetectManyResult, ExportResult

# Button and menu texts of the engine's export formats (a format missing here shows its name).
FORMAT_LABELS = {"otio": "OpenTimelineIO", "edl": "EDL", "csv": "CSV"}
FORMAT_DESCRIPTIONS = {
    "otio": "OpenTimelineIO timeline (.otio)",
    "edl": "CMX 3600 edit decision list (.edl)",
    "csv": "One row per shot (.csv)",
}


def _editor(context: bpy.types.Context) -> Any:
    scene = getattr(context, "sequencer_scene", None) or context.scene
    return scene, scene.sequence_editor if scene else None


def _find_strip(editor: Any, name: str) -> Any:
    return next((s for s in all_strips(editor) if s.name == name), None) if editor else None


class CLAPPER_OT_detect_cuts(EngineJobOperator, bpy.types.Operator):
    """Find shot cuts and transitions in the selected movie strips; shows them before changing any strip"""

    bl_idname = "clapper.detect_cuts"
    bl_label = "Detect Cuts"
    bl_options = {"REGISTER", "UNDO"}
    job_label = "Detecting cuts"

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return _editor(context)[1] is not None

    def build_job(self, context: bpy.types.Context) -> tuple[JobSpec[Any, Any], Any]:
        from ai_engine.cuts.contract import DETECT_MANY

        scene, editor = _editor(context)
        request, self._strips = detect_request(editor, scene.clapper.cuts)
        return DETECT_MANY, request

    def apply_result(self, context: bpy.types.Context, result: DetectManyResult) -> None:
        scene, editor = _editor(context)
        props = scene.clapper.cuts
        strips = getattr(self, "_strips", [])
        total = store_detection(props, editor, strips, result.results)
        refresh_preview(scene)
        props.active_cut = 0
        names = {name for name, _ in strips}
        props.last_report = f"{total} cuts found in {len(names)} strip(s); check them, then Apply Cuts."
        self.report({"INFO"}, props.last_report)


class CLAPPER_OT_apply_cuts(bpy.types.Operator):
    """Split the movie strips and their sound at the detected cuts (one undo step; never cuts twice)"""

    bl_idname = "clapper.apply_cuts"
    bl_label = "Apply Cuts"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        scene, editor = _editor(context)
        return editor is not None and len(scene.clapper.cuts.cuts) > 0

    def execute(self, context: bpy.types.Context) -> set[str]:
        scene, editor = _editor(context)
        props = scene.clapper.cuts
        by_strip: dict[str, list[Any]] = {}
        for item in props.cuts:
            by_strip.setdefault(item.strip, []).append(item)
        missing = [name for name in by_strip if _find_strip(editor, name) is None]
        if missing:
            self.report({"ERROR"}, f"Strip(s) {', '.join(missing)} are gone: run Detect Cuts again.")
            return {"CANCELLED"}
        cut = sound = skipped = 0
        for name, items in by_strip.items():
            strip = _find_strip(editor, name)
            done = apply_cuts(editor, strip, [i.timeline_frame for i in items])
            for item in items:
                item.applied = True
            cut += len(done.cut_frames)
            sound += done.sound_cuts
            skipped += done.skipped
        refresh_preview(scene)
        props.last_report = (
            f"Cut {cut} times (+{sound} in sound); {skipped} already cut or outside the strips."
        )
        self.report({"INFO"}, props.last_report)
        return {"FINISHED"}


class CLAPPER_OT_jump_to_cut(bpy.types.Operator):
    """Move the playhead to this cut"""

    bl_idname = "clapper.jump_to_cut"
    bl_label = "Jump to Cut"
    bl_options = {"REGISTER"}

    index: bpy.props.IntProperty(default=-1)

    def execute(self, context: bpy.types.Context) -> set[str]:
        scene, _ = _editor(context)
        props = scene.clapper.cuts
        index = self.index if self.index >= 0 else props.active_cut
        if not 0 <= index < len(props.cuts):
            return {"CANCELLED"}
        props.active_cut = index
        scene.frame_current = props.cuts[index].timeline_frame
        return {"FINISHED"}


class CLAPPER_OT_clear_cuts(bpy.types.Operator):
    """Forget the detected cuts and remove their markers (strips already cut stay cut)"""

    bl_idname = "clapper.clear_cuts"
    bl_label = "Clear Detected Cuts"
    bl_options = {"REGISTER", "UNDO"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        scene, _ = _editor(context)
        props = scene.clapper.cuts
        for source in props.sources:
            if source.curve_image is not None:
                bpy.data.images.remove(source.curve_image)
        props.cuts.clear()
        props.sources.clear()
        props.last_report = ""
        clear_markers(scene)
        return {"FINISHED"}


class CLAPPER_OT_export_cuts(EngineJobOperator, bpy.types.Operator):
    """Write the detected cuts of the first detected strip as OTIO, EDL or CSV"""

    bl_idname = "clapper.export_cuts"
    bl_label = "Export Cuts"
    bl_options = {"REGISTER"}
    job_label = "Exporting cuts"

    format: bpy.props.EnumProperty(
        name="Format",
        items=engine_items(
            "ai_engine.cuts.contract",
            "EXPORT_FORMATS",
            labels=FORMAT_LABELS,
            descriptions=FORMAT_DESCRIPTIONS,
        ),
        default=0,
    )
    filepath: bpy.props.StringProperty(name="File", subtype="FILE_PATH", default="")
    strip: bpy.props.StringProperty(name="Strip", default="")

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        scene, _ = _editor(context)
        return len(scene.clapper.cuts.sources) > 0

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        if not self.filepath and not bpy.app.background:
            source = self._source(context)
            stem = os.path.splitext(os.path.basename(source.video))[0] if source else "cuts"
            self.filepath = os.path.join(
                os.path.dirname(bpy.data.filepath) or os.getcwd(), f"{stem}.{self.format}"
            )
            context.window_manager.fileselect_add(self)
            return {"RUNNING_MODAL"}
        return super().invoke(context, event)

    def _source(self, context: bpy.types.Context) -> Any:
        scene, _ = _editor(context)
        sources = scene.clapper.cuts.sources
        return next((s for s in sources if s.strip == self.strip), sources[0] if len(sources) else None)

    def build_job(self, context: bpy.types.Context) -> tuple[JobSpec[Any, Any], Any]:
        from ai_engine.cuts.contract import EXPORT

        source = self._source(context)
        if source is None:
            raise JobInputError("Nothing to export yet: run Detect Cuts first.")
        if not self.filepath:
            raise JobInputError("Choose a file to export to.")
        return EXPORT, export_request(source, self.format, bpy.path.abspath(self.filepath))

    def apply_result(self, context: bpy.types.Context, result: ExportResult) -> None:
        for fmt, path in result.written.items():
            self.report({"INFO"}, f"Wrote {fmt.upper()}: {path}")


classes = (
    CLAPPER_OT_detect_cuts,
    CLAPPER_OT_apply_cuts,
    CLAPPER_OT_jump_to_cut,
    CLAPPER_OT_clear_cuts,
    CLAPPER_OT_export_cuts,
)
