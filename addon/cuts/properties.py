"""Scene.clapper.cuts: Detect Cuts settings and the detected cuts, kept until applied or cleared."""

from __future__ import annotations

import bpy

from ..core.vocab import engine_items

# Texts for the engine's detectors (``DETECTORS`` in ai_engine/cuts/contract.py); one missing here
# shows its name.
DETECTOR_DESCRIPTIONS = {
    "auto": "Classic pass everywhere, TransNetV2 only where the classic pass is unsure (fast and accurate)",
    "fast": "Classic colour-difference detector only (fastest)",
    "neural": "TransNetV2 on every frame (slowest)",
}
KIND_ICONS = {
    "cut": "SEQ_STRIP_DUPLICATE",
    "dissolve": "MOD_OPACITY",
    "fade": "IMAGE_ALPHA",
    "wipe": "MOD_WAVE",
}


def _markers_toggled(self: bpy.types.PropertyGroup, context: bpy.types.Context) -> None:
    from .write import refresh_preview

    refresh_preview(self.id_data)


class ClapperCutItem(bpy.types.PropertyGroup):
    """One detected boundary of one movie strip, in source frames and in timeline frames."""

    strip: bpy.props.StringProperty(name="Strip")
    frame: bpy.props.IntProperty(name="Source Frame", description="First frame of the new shot in the clip")
    timeline_frame: bpy.props.IntProperty(
        name="Timeline Frame", description="Where the cut lands in the Sequencer"
    )
    kind: bpy.props.StringProperty(name="Kind", default="cut")
    start: bpy.props.IntProperty(name="Transition Start")
    end: bpy.props.IntProperty(name="Transition End")
    score: bpy.props.FloatProperty(name="Score", min=0.0, max=1.0)
    applied: bpy.props.BoolProperty(name="Applied", default=False)


class ClapperCutSource(bpy.types.PropertyGroup):
    """The detection run of one movie strip: the CutList JSON (for exports) and its curve image."""

    strip: bpy.props.StringProperty(name="Strip")
    video: bpy.props.StringProperty(name="Video", subtype="FILE_PATH")
    cut_list_json: bpy.props.StringProperty(name="Cut List")
    curve_image: bpy.props.PointerProperty(name="Score Curve", type=bpy.types.Image)


class ClapperCutsProps(bpy.types.PropertyGroup):
    detector: bpy.props.EnumProperty(
        name="Detector",
        items=engine_items("ai_engine.cuts.contract", "DETECTORS", descriptions=DETECTOR_DESCRIPTIONS),
        default=0,
    )
    min_shot: bpy.props.IntProperty(
        name="Shortest Shot",
        description="Shortest shot in clip frames (0: a quarter of a second)",
        default=0,
        min=0,
        soft_max=100,
    )
    show_markers: bpy.props.BoolProperty(
        name="Timeline Markers",
        description="Show detected cuts as timeline markers",
        default=True,
        update=_markers_toggled,
    )
    cuts: bpy.props.CollectionProperty(type=ClapperCutItem)
    active_cut: bpy.props.IntProperty(name="Active Cut", default=0)
    sources: bpy.props.CollectionProperty(type=ClapperCutSource)
    last_report: bpy.props.StringProperty(name="Last Result", default="")


classes = (ClapperCutItem, ClapperCutSource, ClapperCutsProps)
