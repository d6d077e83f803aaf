"""Sequencer › Add Footage: probe a video in the engine, then add its movie and sound strips."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import bpy

if TYPE_CHECKING:
    from ai_engine.contract import JobSpec
    from ai_engine.engine_contract import ProbeRequest, ProbeResult
    from ai_engine.video import VideoInfo

from ..core.jobs import EngineJobOperator, JobInputError
from ..core.properties import PATH_OPTIONS
from .write import add_footage, audio_folder


def describe(info: VideoInfo) -> str:
    """One line an artist can read: what the probe found."""
    parts = [
        f"{info.frame_count} frames",
        f"{info.fps:.3f} fps"
        + (f" (variable; nominal {info.nominal_fps:.3f})" if info.variable_frame_rate else ""),
        f"{info.duration:.2f} s",
        f"{info.width}x{info.height}",
    ]
    if info.rotation:
        parts.append(f"rotated {info.rotation}°")
    tracks = len(info.audio_tracks)
    parts.append(f"{tracks} audio tracks" if tracks > 1 else "with audio" if info.has_audio else "no audio")
    return ", ".join(parts)


class CLAPPER_OT_add_footage(EngineJobOperator, bpy.types.Operator):
    """Add a video to the Sequencer at the current frame, with its sound, after the engine checks it"""

    bl_idname = "clapper.add_footage"
    bl_label = "Add Footage"
    bl_options = {"REGISTER", "UNDO"}
    job_label = "Probing footage"

    filepath: bpy.props.StringProperty(name="Video", subtype="FILE_PATH", default="", options=PATH_OPTIONS)
    filter_movie: bpy.props.BoolProperty(default=True, options={"HIDDEN", "SKIP_SAVE"})
    filter_folder: bpy.props.BoolProperty(default=True, options={"HIDDEN", "SKIP_SAVE"})
    match_scene: bpy.props.BoolProperty(
        name="Match Scene to Clip",
        description="Set the scene's frame rate and range to the clip's",
        default=True,
    )
    frame_start: bpy.props.IntProperty(name="Start Frame", description="-1: the current frame", default=-1)

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return context.scene is not None

    def _path(self, context: bpy.types.Context) -> str:
        path = self.filepath or context.scene.clapper.footage.filepath
        return bpy.path.abspath(path) if path else ""

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        if not self._path(context) and not bpy.app.background:
            context.window_manager.fileselect_add(self)
            return {"RUNNING_MODAL"}
        return super().invoke(context, event)

    def execute(self, context: bpy.types.Context) -> set[str]:
        if not bpy.app.background and self.filepath and not context.scene.clapper.footage.filepath:
            # Back from the file browser: remember the pick and run without freezing the UI.
            context.scene.clapper.footage.filepath = self.filepath
        return super().execute(context)

    def build_job(self, context: bpy.types.Context) -> tuple[JobSpec[Any, Any], ProbeRequest]:
        from ai_engine.engine_contract import PROBE, ProbeRequest

        path = self._path(context)
        if not path:
            raise JobInputError(
                "Pick a video first: the Video field in the Clapper tab, or the file browser."
            )
        if not os.path.exists(path):
            raise JobInputError(f"Video not found: {path}. Check the path.")
        return PROBE, ProbeRequest(video=path, audio_dir=audio_folder())

    def apply_result(self, context: bpy.types.Context, result: ProbeResult) -> None:
        info = result.info
        scene = context.scene
        start = self.frame_start if self.frame_start >= 0 else scene.frame_current
        match = self.match_scene and context.scene.clapper.footage.match_scene
        added = add_footage(scene, info, frame_start=start, match_scene=match, audio_files=result.audio_files)
        summary = describe(info)
        scene.clapper.footage.last_report = summary
        where = f"channel {added.channel}, frames {added.frame_start}–{added.frame_end}"
        self.report({"INFO"}, f"Added {os.path.basename(info.path)}: {summary}; {where}")
        for warning in added.warnings:
            self.report({"WARNING"}, warning)


classes = (CLAPPER_OT_add_footage,)
