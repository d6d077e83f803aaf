"""The effects step of ``build.py demo``: a fire loop on a plane, one frame rendered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bpy

from ..core.batch import open_or_new, save
from ..core.worker_client import run_blocking
from .batch import target_object
from .write_images import load_result
from .write_material import assign_material, build_material


def render_engine() -> str:
    """Cycles on the CPU: it renders in the bpy module without a GPU context (EEVEE and Workbench need one)."""
    return "CYCLES"


def fire_loop_scene(out: Path) -> dict[str, Any]:
    """Generate a 512 px, 24-frame fire loop; plane + camera; render frame 1 to ``out/fx_fire.png``."""
    from ai_engine.fx.contract import GENERATE, GenerateRequest, GenerateResult

    request = GenerateRequest(model="fire", size=512, frames=24, seed=0, out_dir=out / "fx_fire")
    result: GenerateResult = run_blocking(GENERATE, request, label="fx")
    open_or_new(None)
    scene = bpy.context.scene
    plane = target_object(None, new_plane=True)
    material = build_material(
        "Clapper fire",
        load_result(result, pack=False),
        kind=result.material,
        emission_peak=result.emission_peak,
        frame_start=1,
    )
    assign_material(plane, material)
    camera = bpy.data.objects.new("Camera", bpy.data.cameras.new("Camera"))
    scene.collection.objects.link(camera)
    camera.location = (0.0, 0.0, 2.8)  # looking straight down at the 2×2 plane
    scene.camera = camera
    world = bpy.data.worlds.new("Black")
    world.color = (0.0, 0.0, 0.0)
    if world.node_tree is not None:  # 5.0 worlds come with a grey Background node
        for node in world.node_tree.nodes:
            if node.bl_idname == "ShaderNodeBackground":
                node.inputs["Color"].default_value = (0.0, 0.0, 0.0, 1.0)
    scene.world = world
    scene.view_settings.view_transform = "Standard"  # show the texture's own colours
    scene.frame_start, scene.frame_end = 1, len(result.frames)
    scene.render.engine = render_engine()
    scene.cycles.device = "CPU"
    scene.cycles.samples = 8
    scene.render.resolution_x = scene.render.resolution_y = 256
    scene.render.filepath = str(out / "fx_fire_render.png")
    scene.frame_set(1)
    bpy.ops.render.render(write_still=True)
    blend = save(str(out / "fx_fire.blend"))
    return {
        "blend": blend,
        "render": scene.render.filepath,
        "frames": len(result.frames),
        "material": material.name,
        "seconds": result.seconds,
    }
