"""Settings of the Footage panel (``Scene.clapper.footage``)."""

from __future__ import annotations

import bpy

from ..core.properties import PATH_OPTIONS


class ClapperFootageProps(bpy.types.PropertyGroup):
    filepath: bpy.props.StringProperty(
        name="Video",
        description="The video file to add to the sequencer",
        subtype="FILE_PATH",
        default="",
        options=PATH_OPTIONS,
    )
    match_scene: bpy.props.BoolProperty(
        name="Match Scene to Clip",
        description="Set the scene's frame rate and frame range to the clip's",
        default=True,
    )
    last_report: bpy.props.StringProperty(name="Last Probe", default="")


classes = (ClapperFootageProps,)
