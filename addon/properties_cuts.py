"""Scene.clapper.cuts: Detect Cuts settings and the detected cuts, kept until applied or cleared."""

from __future__ import annotations

import bpy

DETECTOR_ITEMS = [
    (
        "auto",
        "Auto",
        "Classic pass everywhere, TransNetV2 only where the classic pass is unsure (fast and accurate)",
    ),
    ("fast", "Fast", "Classic colour-difference detector only (fastest)"),
    ("neural", "Neural", "TransNetV2 on every frame (slowest)"),
]
KIND_ICONS = {
    "cut": "SEQ_STRIP_DUPLICATE",
    "dissolve": "MOD_OPACITY",
    "fade": "IMAGE_ALPHA",
    "wipe": "MOD_WAVE",
}


def _markers_toggled(self: bpy.types.PropertyGroup, context: bpy.types.Context) -> None:
    from .apply.strips import refresh_preview

    refresh_preview(self.id_data)


class ClapperCutItem(bpy.types.PropertyGroup):
    """One detected boundary of one movie strip, in source frames and in timeline frames."""

    strip: bpy.props.StringProperty(name="Strip")  # type: ignore[valid-type]
    frame: bpy.props.IntProperty(name="Source Frame", description="First frame of the new shot in the clip")  # type: ignore[valid-type]
    timeline_frame: bpy.props.IntProperty(
        name="Timeline Frame", description="Where the cut lands in the Sequencer"
    )  # type: ignore[valid-type]
    kind: bpy.props.StringProperty(name="Kind", default="cut")  # type: ignore[valid-type]
    start: bpy.props.IntProperty(name="Transition Start")  # type: ignore[valid-type]
    end: bpy.props.IntProperty(name="Transition End")  # type: ignore[valid-type]
    score: bpy.props.FloatProperty(name="Score", min=0.0, max=1.0)  # type: ignore[valid-type]
    applied: bpy.props.BoolProperty(name="Applied", default=False)  # type: ignore[valid-type]


class ClapperCutSource(bpy.types.PropertyGroup):
    """The detection run of one movie strip: the CutList JSON (for exports) and its curve image."""

    strip: bpy.props.StringProperty(name="Strip")  # type: ignore[valid-type]
    video: bpy.props.StringProperty(name="Video", subtype="FILE_PATH")  # type: ignore[valid-type]
    cut_list_json: bpy.props.StringProperty(name="Cut List")  # type: ignore[valid-type]
    curve_image: bpy.props.PointerProperty(name="Score Curve", type=bpy.types.Image)  # type: ignore[valid-type]


class ClapperCutsProps(bpy.types.PropertyGroup):
    detector: bpy.props.EnumProperty(name="Detector", items=DETECTOR_ITEMS, default="auto")  # type: ignore[valid-type]
    min_shot: bpy.props.IntProperty(  # type: ignore[valid-type]
        name="Shortest Shot",
        description="Shortest shot in clip frames (0: a quarter of a second)",
        default=0,
        min=0,
        soft_max=100,
    )
    show_markers: bpy.props.BoolProperty(  # type: ignore[valid-type]
        name="Timeline Markers",
        description="Show detected cuts as timeline markers",
        default=True,
        update=_markers_toggled,
    )
    cuts: bpy.props.CollectionProperty(type=ClapperCutItem)  # type: ignore[valid-type]
    active_cut: bpy.props.IntProperty(name="Active Cut", default=0)  # type: ignore[valid-type]
    sources: bpy.props.CollectionProperty(type=ClapperCutSource)  # type: ignore[valid-type]
    last_report: bpy.props.StringProperty(name="Last Result", default="")  # type: ignore[valid-type]


classes = (ClapperCutItem, ClapperCutSource, ClapperCutsProps)
