"""``Scene.clapper.capture``: the Capture panel's settings and its last result."""

from __future__ import annotations

import bpy

from ..core.properties import PATH_OPTIONS
from ..core.vocab import engine_items

PERSON_LABELS = {
    "first": "First Found",
    "largest": "Largest",
    "leftmost": "Leftmost",
    "rightmost": "Rightmost",
}
PERSON_DESCRIPTIONS = {
    "first": "Follow whoever the tracker finds first (one person in the picture: the fastest)",
    "largest": "Several people: follow the one largest in the picture where first seen, through crossings",
    "leftmost": "Several people: follow the one on the left where first seen, through crossings",
    "rightmost": "Several people: follow the one on the right where first seen, through crossings",
}


def _is_armature(_self: object, obj: bpy.types.Object) -> bool:
    return obj.type == "ARMATURE"


def _is_mesh(_self: object, obj: bpy.types.Object) -> bool:
    return obj.type == "MESH"


class ClapperCaptureProps(bpy.types.PropertyGroup):
    video: bpy.props.StringProperty(
        name="Video", description="The performance to capture", subtype="FILE_PATH", options=PATH_OPTIONS
    )
    target: bpy.props.PointerProperty(
        name="Armature", description="The character's armature (body and fingers)", type=bpy.types.Object,
        poll=_is_armature,
    )  # fmt: skip
    face_mesh: bpy.props.PointerProperty(
        name="Face Mesh",
        description="The mesh with ARKit-named shape keys",
        type=bpy.types.Object,
        poll=_is_mesh,
    )
    use_body: bpy.props.BoolProperty(name="Body", default=True)
    use_hands: bpy.props.BoolProperty(name="Hands", default=True)
    use_face: bpy.props.BoolProperty(name="Face", default=True)
    smoothing: bpy.props.FloatProperty(
        name="Smoothing", description="0 keeps every wobble, 1 smooths heavily", default=0.5, min=0.0, max=1.0,
        subtype="FACTOR",
    )  # fmt: skip
    neutral_frame: bpy.props.IntProperty(
        name="Neutral Face Frame",
        description="Video frame (from 0) with a relaxed face; -1 picks automatically",
        default=-1,
        min=-1,
    )
    person: bpy.props.EnumProperty(
        name="Person",
        description="Whom to capture when several people are in the picture",
        items=engine_items(
            "ai_engine.capture.contract",
            "PERSON_CHOICES",
            labels=PERSON_LABELS,
            descriptions=PERSON_DESCRIPTIONS,
        ),
        default=0,
    )
    foot_lock: bpy.props.BoolProperty(name="Foot Lock", default=True)
    head_from_face: bpy.props.BoolProperty(
        name="Head From Face",
        description="Without body capture, turn the armature's neck and head with the face",
        default=True,
    )
    last_report: bpy.props.StringProperty(name="Result", default="")
    last_health: bpy.props.StringProperty(name="Health", default="")
    last_overlay: bpy.props.StringProperty(name="QA Overlay", subtype="FILE_PATH", default="")
    last_track: bpy.props.StringProperty(name="Track", subtype="FILE_PATH", default="")
    missing_shape_keys: bpy.props.StringProperty(name="Missing Shape Keys", default="")

    def parts(self) -> list[str]:
        """The ticked parts, in the engine's order (``ai_engine.capture.contract.PARTS``)."""
        from ai_engine.capture.contract import PARTS

        return [p for p in PARTS if getattr(self, f"use_{p}")]


classes = (ClapperCaptureProps,)
