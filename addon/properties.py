"""``Scene.clapper`` (saved with the .blend): one nested PropertyGroup per feature, and
``WindowManager.clapper_job`` (the running job's status)."""

from __future__ import annotations

import bpy

from .capture.properties import ClapperCaptureProps
from .capture.properties import classes as capture_classes
from .core.properties import ClapperJobStatus
from .core.properties import classes as core_classes
from .cuts.properties import ClapperCutsProps
from .cuts.properties import classes as cuts_classes
from .footage.properties import ClapperFootageProps
from .footage.properties import classes as footage_classes
from .fx.properties import ClapperFxProps
from .fx.properties import classes as fx_classes
from .retarget.properties import ClapperRetargetProps
from .retarget.properties import classes as retarget_classes
from .scenes.properties import ClapperScenesProps
from .scenes.properties import classes as scenes_classes


class ClapperSceneProps(bpy.types.PropertyGroup):
    footage: bpy.props.PointerProperty(type=ClapperFootageProps)
    retarget: bpy.props.PointerProperty(type=ClapperRetargetProps)
    capture: bpy.props.PointerProperty(type=ClapperCaptureProps)
    cuts: bpy.props.PointerProperty(type=ClapperCutsProps)
    fx: bpy.props.PointerProperty(type=ClapperFxProps)
    scenes: bpy.props.PointerProperty(type=ClapperScenesProps)


classes = (
    *core_classes,
    *footage_classes,
    *retarget_classes,
    *capture_classes,
    *cuts_classes,
    *fx_classes,
    *scenes_classes,
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
