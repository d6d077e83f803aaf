"""Property groups: ``Scene.clapper`` (saved with the .blend) and ``WindowManager.clapper_job``
(the running job's status: never saved, never undone).

Each feature keeps its settings in its own PropertyGroup, nested under ``Scene.clapper``.
"""

from __future__ import annotations

import bpy

# Blender 4.5+ warns on "//" paths unless a path property says it supports them; 4.2 lacks the flag.
PATH_OPTIONS: set[str] = {"PATH_SUPPORTS_BLEND_RELATIVE"} if bpy.app.version >= (4, 5, 0) else set()


class ClapperJobStatus(bpy.types.PropertyGroup):
    running: bpy.props.BoolProperty(name="Running", default=False)  # type: ignore[valid-type]
    label: bpy.props.StringProperty(name="Job", default="")  # type: ignore[valid-type]
    fraction: bpy.props.FloatProperty(name="Progress", min=0.0, max=1.0, subtype="FACTOR")  # type: ignore[valid-type]
    message: bpy.props.StringProperty(name="Message", default="")  # type: ignore[valid-type]


class ClapperFootageProps(bpy.types.PropertyGroup):
    filepath: bpy.props.StringProperty(  # type: ignore[valid-type]
        name="Video",
        description="The video file to add to the sequencer",
        subtype="FILE_PATH",
        default="",
        options=PATH_OPTIONS,
    )
    match_scene: bpy.props.BoolProperty(  # type: ignore[valid-type]
        name="Match Scene to Clip",
        description="Set the scene's frame rate and frame range to the clip's",
        default=True,
    )
    last_report: bpy.props.StringProperty(name="Last Probe", default="")  # type: ignore[valid-type]


from .properties_capture import ClapperCaptureProps  # noqa: E402
from .properties_capture import classes as capture_classes  # noqa: E402
from .properties_cuts import ClapperCutsProps  # noqa: E402
from .properties_cuts import classes as cuts_classes  # noqa: E402
from .properties_fx import ClapperFxProps  # noqa: E402  (needs PATH_OPTIONS above)
from .properties_retarget import ClapperRetargetProps  # noqa: E402
from .properties_retarget import classes as retarget_classes  # noqa: E402


class ClapperSceneProps(bpy.types.PropertyGroup):
    footage: bpy.props.PointerProperty(type=ClapperFootageProps)  # type: ignore[valid-type]
    retarget: bpy.props.PointerProperty(type=ClapperRetargetProps)  # type: ignore[valid-type]
    capture: bpy.props.PointerProperty(type=ClapperCaptureProps)  # type: ignore[valid-type]
    cuts: bpy.props.PointerProperty(type=ClapperCutsProps)  # type: ignore[valid-type]
    fx: bpy.props.PointerProperty(type=ClapperFxProps)  # type: ignore[valid-type]


classes = (
    ClapperJobStatus,
    ClapperFootageProps,
    *retarget_classes,
    *capture_classes,
    *cuts_classes,
    ClapperFxProps,
    ClapperSceneProps,
)


def register() -> None:
    for cls in classes:
        bpy.utils.register_class(cls)
    bpy.types.Scene.clapper = bpy.props.PointerProperty(type=ClapperSceneProps)  # type: ignore[attr-defined]
    bpy.types.WindowManager.clapper_job = bpy.props.PointerProperty(type=ClapperJobStatus)  # type: ignore[attr-defined]


def unregister() -> None:
    del bpy.types.WindowManager.clapper_job  # type: ignore[attr-defined]
    del bpy.types.Scene.clapper  # type: ignore[attr-defined]
    for cls in reversed(classes):
        bpy.utils.unregister_class(cls)
