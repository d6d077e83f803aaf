"""Differences between the Blenders the add-on supports (4.2 LTS, 4.5 LTS, 5.0, 5.1–5.3), in one place.

Tested through the bpy modules 4.2.23, 4.5.15, 5.0.1 and 5.3.0 (``python3 build.py test --blender V``).
Actions: layered/slotted from 4.4 (``Action.fcurves`` removed in 5.0): ``retarget/action.py`` and
``capture/write_face.py`` write through a slot's channelbag from 4.4 on (``channelbag_fcurve`` here),
through ``Action.fcurves`` on 4.2–4.3. Sequencer: ``sequences`` → ``strips`` in 5.0. Sound: a Blender built without Audaspace (the
bpy 4.2.23 module) cannot make sound strips.
"""

from __future__ import annotations

from typing import Any


def strips(editor: Any) -> Any:
    """The top-level strips of a SequenceEditor (5.0: ``strips``; 4.x: ``sequences``)."""
    return editor.strips if hasattr(editor, "strips") else editor.sequences


def all_strips(editor: Any) -> Any:
    """Every strip, inside meta strips too (5.0: ``strips_all``; 4.x: ``sequences_all``)."""
    return editor.strips_all if hasattr(editor, "strips_all") else editor.sequences_all


def eevee_engine() -> str:
    """The EEVEE render engine's identifier (5.0: BLENDER_EEVEE; 4.2–4.5: BLENDER_EEVEE_NEXT)."""
    import bpy

    return "BLENDER_EEVEE" if bpy.app.version >= (5, 0, 0) else "BLENDER_EEVEE_NEXT"


def sound_supported() -> bool:
    """Whether this Blender can make sound strips (the bpy 4.2.23 module is built without Audaspace)."""
    import bpy

    return bool(getattr(bpy.app.build_options, "audaspace", True))


NO_SOUND_WARNING = (
    "This Blender was built without sound support (Audaspace): the footage's audio was not added."
)


def channelbag_fcurve(bag: Any, path: str, index: int, group: str) -> Any:
    """A new F-curve in a layered action's channelbag, in the group ``group`` (5.0+: ``group_name=``;
    4.4–4.5 take only the path and index, so the group is found or made and set afterwards)."""
    import bpy

    if bpy.app.version >= (5, 0, 0):
        return bag.fcurves.new(path, index=index, group_name=group)
    fcurve = bag.fcurves.new(path, index=index)
    fcurve.group = bag.groups.get(group) or bag.groups.new(group)
    return fcurve
