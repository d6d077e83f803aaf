"""Sequencer › Clapper › Cuts: detect (preview first), apply, jump, clear, export."""

from __future__ import annotations

import json
import os
from typing import Any

import bpy

from ..core.compat import all_strips
from ..core.jobs import EngineJobOperator, JobInputError
from .strips import (
    apply_cuts,
    clear_markers,
    media_path,
    movie_strips,
    refresh_preview,
    timeline_frame,
)


def _editor(context: bpy.types.Context) -> Any:
    scene = getattr(context, "sequencer_scene", None) or context.scene
    return scene, scene.sequence_editor if scene else None


def _find_strip(editor: Any, name: str) -> Any:
    return next((s for s in all_strips(editor) if s.name == name), None) if editor else None


def _load_curve(path: str, strip_name: str) -> bpy.types.Image | None:
    """The score-curve PNG as a packed image (the worker's folder is temporary)."""
    if not path or not os.path.exists(path):
        return None
    name = f"Clapper cuts · {strip_name}"
    old = bpy.data.images.get(name)
    if old is not None:
        bpy.data.images.remove(old)
    image = bpy.data.images.load(path, check_existing=False)
    image.name = name
    image.pack()
    return image


class CLAPPER_OT_detect_cuts(EngineJobOperator, bpy.types.Operator):
    """Find shot cuts and transitions in the selected movie strips; shows them before changing any strip"""

    bl_idname = "clapper.detect_cuts"
    bl_label = "Detect Cuts"
    bl_options = {"REGISTER", "UNDO"}
    job_label = "Detecting cuts"

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return _editor(context)[1] is not None

    def build_job(self, context: bpy.types.Context) -> tuple[str, dict[str, Any]]:
        scene, editor = _editor(context)
        strips = movie_strips(editor)
        if not strips:
            raise JobInputError("Select one or more movie strips in the Sequencer, then Detect Cuts.")
        videos: list[str] = []
        for strip in strips:
            path = media_path(strip.filepath)
            if not os.path.exists(path):
                raise JobInputError(
                    f"The video of strip '{strip.name}' is missing ({path}). "
                    "Relink it (Strip › Movie › Change Path/Files) or deselect the strip."
                )
            if path not in videos:
                videos.append(path)
        self._strips = [(s.name, media_path(s.filepath)) for s in strips]
        props = scene.clapper.cuts
        request: dict[str, Any] = {"videos": videos, "detector": props.detector}
        if props.min_shot:
            request["min_shot"] = props.min_shot
        return "cuts.detect_many", request

    def apply_result(self, context: bpy.types.Context, result: dict[str, Any]) -> None:
        scene, editor = _editor(context)
        props = scene.clapper.cuts
        by_video = {media_path(r["cut_list"]["video"]): r for r in result["results"]}
        names = {name for name, _ in getattr(self, "_strips", [])}
        # Replace earlier results of these strips only.
        for index in reversed(range(len(props.cuts))):
            if props.cuts[index].strip in names:
                props.cuts.remove(index)
        for index in reversed(range(len(props.sources))):
            if props.sources[index].strip in names:
                props.sources.remove(index)
        total = 0
        for name, video in getattr(self, "_strips", []):
            strip = _find_strip(editor, name)
            found = by_video.get(video)
            if strip is None or found is None:
                continue
            cut_list = found["cut_list"]
            source = props.sources.add()
            source.strip, source.video = name, cut_list["video"]
            source.cut_list_json = json.dumps(cut_list)
            source.curve_image = _load_curve(found.get("curve_path", ""), name)
            for cut in cut_list["cuts"]:
                item = props.cuts.add()
                item.strip = name
                item.frame, item.kind, item.score = cut["frame"], cut["kind"], cut["score"]
                item.start, item.end = cut["start"], cut["end"]
                item.timeline_frame = timeline_frame(strip, cut["frame"], cut_list["frame_count"])
                total += 1
        refresh_preview(scene)
        props.active_cut = 0
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


EXPORT_ITEMS = [
    ("otio", "OpenTimelineIO", "OpenTimelineIO timeline (.otio)"),
    ("edl", "EDL", "CMX 3600 edit decision list (.edl)"),
    ("csv", "CSV", "One row per shot (.csv)"),
]


class CLAPPER_OT_export_cuts(EngineJobOperator, bpy.types.Operator):
    """Write the detected cuts of the first detected strip as OTIO, EDL or CSV"""

    bl_idname = "clapper.export_cuts"
    bl_label = "Export Cuts"
    bl_options = {"REGISTER"}
    job_label = "Exporting cuts"

    format: bpy.props.EnumProperty(name="Format", items=EXPORT_ITEMS, default="otio")
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

    def build_job(self, context: bpy.types.Context) -> tuple[str, dict[str, Any]]:
        source = self._source(context)
        if source is None:
            raise JobInputError("Nothing to export yet: run Detect Cuts first.")
        if not self.filepath:
            raise JobInputError("Choose a file to export to.")
        path = bpy.path.abspath(self.filepath)
        return "cuts.export", {"cut_list": json.loads(source.cut_list_json), self.format: path}

    def apply_result(self, context: bpy.types.Context, result: dict[str, Any]) -> None:
        for fmt, path in result["written"].items():
            self.report({"INFO"}, f"Wrote {fmt.upper()}: {path}")


classes = (
    CLAPPER_OT_detect_cuts,
    CLAPPER_OT_apply_cuts,
    CLAPPER_OT_jump_to_cut,
    CLAPPER_OT_clear_cuts,
    CLAPPER_OT_export_cuts,
)
