"""Scene.clapper.scenes: grouped scenes, problems found in the edit, Make Edit settings."""

from __future__ import annotations

import bpy


class ClapperSceneItem(bpy.types.PropertyGroup):
    """One scene: its timeline frames, the colour tag of its strips, how many shots."""

    number: bpy.props.IntProperty(name="Scene")
    frame_start: bpy.props.IntProperty(name="First Frame")
    frame_end: bpy.props.IntProperty(name="Last Frame")
    color_tag: bpy.props.StringProperty(name="Colour Tag", default="NONE")
    shots: bpy.props.IntProperty(name="Shots")


class ClapperProblemItem(bpy.types.PropertyGroup):
    """One problem of the edit (timeline or rendered video), with the strips involved."""

    kind: bpy.props.StringProperty(name="Kind")
    frame_start: bpy.props.IntProperty(name="First Frame")
    frame_end: bpy.props.IntProperty(name="Last Frame")
    detail: bpy.props.StringProperty(name="Detail")
    strip: bpy.props.StringProperty(name="Strip")
    other: bpy.props.StringProperty(name="Other Strip")
    repairable: bpy.props.BoolProperty(name="Repairable", default=False)


class ClapperScenesProps(bpy.types.PropertyGroup):
    scenes: bpy.props.CollectionProperty(type=ClapperSceneItem)
    active_scene: bpy.props.IntProperty(name="Active Scene", default=0)
    problems: bpy.props.CollectionProperty(type=ClapperProblemItem)
    active_problem: bpy.props.IntProperty(name="Active Problem", default=0)
    scenes_json: bpy.props.StringProperty(
        name="Scenes", description="The last grouping result (for OTIO export)"
    )
    edit_seconds: bpy.props.FloatProperty(name="Edit Length (s)", default=60.0, min=1.0, soft_max=3600.0)
    min_shot_seconds: bpy.props.FloatProperty(
        name="Shortest Shot (s)",
        description="Make Edit never uses a shot shorter than this",
        default=1.0,
        min=0.0,
    )
    last_report: bpy.props.StringProperty(name="Last Result", default="")


classes = (ClapperSceneItem, ClapperProblemItem, ClapperScenesProps)
