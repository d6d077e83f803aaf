"""``fx-material PRESET_OR_MODEL --blend OUT.blend [--object NAME]``: generate an effect and a ready material.

The textures are written next to the .blend (``OUT_textures/``), so the saved file finds them.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import bpy

from ..core.batch import BatchError, open_or_new, save
from ..core.worker_client import run_blocking
from .write_images import load_result
from .write_material import assign_material, build_material


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "model", help="preset name (see 'python -m ai_engine fx presets') or a .pt model file"
    )
    parser.add_argument("--blend", required=True, help="the .blend to write (opened first when it exists)")
    parser.add_argument(
        "--object", default=None, help="object to receive the material (default: the active one)"
    )
    parser.add_argument("--new-plane", action="store_true", help="add a plane and give it the material")
    parser.add_argument("--size", type=int, default=1024, help="texture side in px (512–4096)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--frames", type=int, default=0, help="frames of a seamless loop (0: a still)")
    parser.add_argument("--hdr", action="store_true", help="also write an HDR emission map")


def target_object(name: str | None, new_plane: bool) -> bpy.types.Object:
    """The object that gets the material.

    Raises:
        BatchError: a named object is missing, or there is no active object and no --new-plane.
    """
    scene = bpy.context.scene
    if new_plane:
        mesh = bpy.data.meshes.new("Clapper FX Plane")
        mesh.from_pydata([(-1, -1, 0), (1, -1, 0), (1, 1, 0), (-1, 1, 0)], [], [(0, 1, 2, 3)])
        mesh.uv_layers.new(name="UVMap")
        for loop, uv in zip(mesh.uv_layers[0].data, [(0, 0), (1, 0), (1, 1), (0, 1)], strict=True):
            loop.uv = uv
        obj = bpy.data.objects.new("Clapper FX Plane", mesh)
        scene.collection.objects.link(obj)
        return obj
    if name:
        obj = bpy.data.objects.get(name)
        if obj is None:
            raise BatchError(f"No object named {name!r} in the .blend; check --object.")
        return obj
    obj = bpy.context.view_layer.objects.active if bpy.context.view_layer else None
    if obj is None:
        raise BatchError("No active object to put the material on: pass --object NAME or --new-plane.")
    return obj


def run(args: argparse.Namespace) -> dict[str, Any]:
    open_or_new(args.blend)
    obj = target_object(args.object, args.new_plane)  # checked before the (long) generation
    if not hasattr(obj.data, "materials"):
        raise BatchError(f"{obj.name} ({obj.type}) cannot hold a material; pass a mesh with --object.")
    blend = Path(args.blend).resolve()
    out_dir = blend.parent / f"{blend.stem}_textures"
    model = str(Path(args.model).resolve()) if Path(args.model).suffix == ".pt" else args.model
    from ai_engine.contract import BadRequest
    from ai_engine.fx.contract import GENERATE, GenerateRequest, GenerateResult

    try:
        request = GenerateRequest(
            model=model, size=args.size, seed=args.seed, frames=args.frames, hdr=args.hdr, out_dir=out_dir
        )
    except BadRequest as exc:
        raise BatchError(str(exc)) from exc
    warnings: list[str] = []
    result: GenerateResult = run_blocking(
        GENERATE, request, label="fx", echo=not args.json, warnings=warnings
    )
    images = load_result(result, pack=False)
    scene = bpy.context.scene
    material = build_material(
        f"Clapper {result.name}",
        images,
        kind=result.material,
        emission_peak=result.emission_peak,
        frame_start=scene.frame_start,
    )
    assign_material(obj, material)
    if result.frames:
        scene.frame_end = max(scene.frame_end, scene.frame_start + len(result.frames) - 1)
    path = save(args.blend)
    return {  # the verb's printed summary (JSON on stdout), not a job result
        "blend": path,
        "object": obj.name,
        "material": material.name,
        "kind": result.material,
        "files": {kind: str(p) for kind, p in result.files.items()},
        "frames": len(result.frames),
        "folder": str(out_dir),
        "seconds": result.seconds,
        "warnings": warnings,
    }
