"""Image / Shader editor › Clapper › Effects: Generate (textures + material) and Train."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bpy

from ..core.jobs import EngineJobOperator, JobInputError, active_job

if TYPE_CHECKING:  # the engine is imported inside functions only (registration never imports it)
    from ai_engine.contract import JobSpec
    from ai_engine.fx.contract import GenerateRequest, GenerateResult, TrainRequest, TrainResult

TRAIN_PREVIEW_IMAGE = "Clapper Training Preview"


def output_folder(name: str, seed: int) -> tuple[str, bool]:
    """Where generated files go: ``clapper_fx/NAME_sSEED`` next to the saved .blend, else a temp
    folder (the stills are then packed into the .blend). Returns (folder, pack)."""
    if bpy.data.filepath:
        return os.path.join(os.path.dirname(bpy.data.filepath), "clapper_fx", f"{name}_s{seed}"), False
    return tempfile.mkdtemp(prefix=f"clapper_fx_{name}_"), True


def model_choice(props: Any) -> str:
    """The preset name or the absolute model path the panel points at."""
    if props.source == "PRESET":
        if props.preset in ("", "NONE"):
            raise JobInputError("This build ships no presets; train a model or reinstall Clapper.")
        return str(props.preset)
    path = bpy.path.abspath(props.model_path) if props.model_path else ""
    if not path:
        raise JobInputError("Pick a model file (.pt made by Train), or switch the source to Preset.")
    if not os.path.isfile(path):
        raise JobInputError(f"Model file not found: {path}. Check the path.")
    return path


def show_in_image_editors(context: bpy.types.Context, image: bpy.types.Image | None) -> None:
    """Show the new texture in the Image editors that show nothing or an earlier generation (seen in
    the window: Generate in the Image editor left it empty, the result only in the material)."""
    screen = getattr(context, "screen", None)
    if image is None or screen is None:
        return
    image["clapper_fx"] = True
    for area in screen.areas:
        if area.type == "IMAGE_EDITOR":
            space = area.spaces.active
            if space.image is None or space.image.get("clapper_fx"):
                space.image = image
                area.tag_redraw()


def apply_generation(
    context: bpy.types.Context, result: GenerateResult, *, pack: bool, obj: bpy.types.Object | None
) -> bpy.types.Material | None:
    """Load the generated images and, when ``obj`` is given, give it a ready material."""
    from .write_images import load_result
    from .write_material import assign_material, build_material

    images = load_result(result, pack=pack)
    show_in_image_editors(
        context, images.sequence or images.maps.get("color") or next(iter(images.maps.values()), None)
    )
    if obj is None:
        return None
    material = build_material(
        f"Clapper {result.name}",
        images,
        kind=result.material,
        emission_peak=result.emission_peak,
        frame_start=context.scene.frame_start,
    )
    assign_material(obj, material)
    return material


class CLAPPER_OT_fx_generate(EngineJobOperator, bpy.types.Operator):
    """Generate a tileable effects texture (or a seamless loop) and, if asked, a material on the active object"""

    bl_idname = "clapper.fx_generate"
    bl_label = "Generate"
    bl_options = {"REGISTER", "UNDO"}
    job_label = "Generating effect"

    def build_job(self, context: bpy.types.Context) -> tuple[JobSpec[Any, Any], GenerateRequest]:
        from ai_engine.fx.contract import GENERATE, GenerateRequest

        props = context.scene.clapper.fx
        model = model_choice(props)
        if props.make_material:
            obj = context.active_object
            if obj is None:
                raise JobInputError(
                    "No active object for the material: select an object, or untick "
                    "'Material on Active Object'."
                )
            if not hasattr(obj.data, "materials"):
                raise JobInputError(f"{obj.name} ({obj.type}) cannot hold a material; select a mesh.")
        name = Path(model).stem if props.source == "MODEL" else model
        folder, self._pack = output_folder(name, props.seed)
        if props.frames == 1:
            raise JobInputError("A loop needs at least 2 frames; set Frames to 0 for a still image.")
        return GENERATE, GenerateRequest(
            model=model,
            size=int(props.size),
            seed=props.seed,
            frames=props.frames,
            hdr=props.hdr,
            out_dir=Path(folder),
            name=name,
        )

    def apply_result(self, context: bpy.types.Context, result: GenerateResult) -> None:
        props = context.scene.clapper.fx
        obj = context.active_object if props.make_material else None
        if props.make_material and obj is None:
            raise JobInputError("The active object went away while generating; nothing was changed.")
        material = apply_generation(context, result, pack=getattr(self, "_pack", False), obj=obj)
        made = f"{len(result.frames)}-frame loop" if result.frames else f"{result.size} px texture"
        props.last_report = f"{result.name}: {made} in {result.seconds} s" + (
            f", material '{material.name}' on {obj.name}" if material and obj else ""
        )
        if result.frames and getattr(self, "_pack", False):
            self.report(
                {"WARNING"},
                "Flipbooks cannot be packed: save the .blend and generate again to keep the frames.",
            )
        self.report({"INFO"}, props.last_report)


def _refresh_preview(path: str) -> float | None:
    """Timer: reload the training preview image while the training job runs."""
    if os.path.isfile(path):
        image = bpy.data.images.get(TRAIN_PREVIEW_IMAGE)
        if image is None:
            image = bpy.data.images.load(path, check_existing=False)
            image.name = TRAIN_PREVIEW_IMAGE
        else:
            image.reload()
        image.preview_ensure().reload()  # the panel draws the preview icon
        for window in getattr(bpy.context.window_manager, "windows", []):
            for area in window.screen.areas:
                if area.type == "IMAGE_EDITOR":
                    area.tag_redraw()
    return 1.0 if active_job() else None


class CLAPPER_OT_fx_train(EngineJobOperator, bpy.types.Operator):
    """Train an effects generator on a folder of example images (live preview; Esc keeps a resumable checkpoint)"""

    bl_idname = "clapper.fx_train"
    bl_label = "Train"
    bl_options = {"REGISTER"}
    job_label = "Training effect"

    def build_job(self, context: bpy.types.Context) -> tuple[JobSpec[Any, Any], TrainRequest]:
        from ai_engine.fx.contract import TRAIN, TrainRequest

        props = context.scene.clapper.fx
        folder = bpy.path.abspath(props.train_folder) if props.train_folder else ""
        if not folder or not os.path.isdir(folder):
            raise JobInputError("Pick a folder of example images to train on.")
        output = bpy.path.abspath(props.train_output or "//clapper_fx_model.pt")
        if output.startswith("//") or not os.path.isabs(output):
            output = os.path.join(tempfile.gettempdir(), "clapper_fx_model.pt")
        preview = os.path.join(tempfile.gettempdir(), f"clapper_fx_preview_{os.getpid()}.png")
        if not bpy.app.background:
            bpy.app.timers.register(lambda: _refresh_preview(preview), first_interval=2.0)
        resume = os.path.splitext(output)[0] + ".ckpt"
        return TRAIN, TrainRequest(
            images=Path(folder),
            out=Path(output),
            minutes=props.train_minutes,
            preview_path=Path(preview),
            preview_every=10.0,
            resume=Path(resume) if os.path.isfile(resume) else None,
        )

    def apply_result(self, context: bpy.types.Context, result: TrainResult) -> None:
        props = context.scene.clapper.fx
        props.model_path = str(result.model)
        props.source = "MODEL"
        metrics = result.metrics
        coarse = metrics.coarse_ratio()
        props.last_report = (
            f"Trained {result.model.name}: {result.steps} steps, SWD {metrics.ratio():.1f}× its floor"
            + (f" ({coarse:.1f}× at the coarse scale)" if coarse is not None else "")
        )
        self.report({"INFO"}, props.last_report)


classes = (CLAPPER_OT_fx_generate, CLAPPER_OT_fx_train)
