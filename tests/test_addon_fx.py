"""Effects in Blender through the real bpy module: Generate (images + material), bad input, batch verb."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fx_helpers import TINY

from ai_engine.fx.modelfile import SPATIAL, save_model
from ai_engine.fx.models import SpatialGenerator, init_weights

ROOT = Path(__file__).resolve().parents[1]


def tiny_model(folder: Path, *, preset: str | None = None) -> Path:
    """A small untrained Clapper model file (fast to generate with); ``preset`` sets its usage."""
    generator = SpatialGenerator(config=TINY)
    generator.apply(init_weights)
    card: dict[str, Any] = {"architecture": SPATIAL, "config": TINY.to_json()}
    if preset:
        card["preset"] = {"name": preset}
    return save_model(folder / f"tiny_{preset or 'surface'}.pt", generator, card)


def add_plane(bpy: Any) -> Any:
    mesh = bpy.data.meshes.new("Plane")
    mesh.from_pydata([(-1, -1, 0), (1, -1, 0), (1, 1, 0), (-1, 1, 0)], [], [(0, 1, 2, 3)])
    obj = bpy.data.objects.new("Plane", mesh)
    bpy.context.scene.collection.objects.link(obj)
    bpy.context.view_layer.objects.active = obj
    return obj


def _props(bpy: Any, model: Path, **values: Any) -> Any:
    props = bpy.context.scene.clapper.fx
    props.source = "MODEL"
    props.model_path = str(model)
    props.size = "512"
    for key, value in values.items():
        setattr(props, key, value)
    return props


def test_generate_still_gives_a_principled_material_with_maps(blender: Any, tmp_path: Path) -> None:
    bpy = blender
    plane = add_plane(bpy)
    _props(bpy, tiny_model(tmp_path), frames=0, make_material=True)
    assert bpy.ops.clapper.fx_generate() == {"FINISHED"}
    material = plane.active_material
    nodes = {node.bl_idname for node in material.node_tree.nodes}
    assert {"ShaderNodeBsdfPrincipled", "ShaderNodeNormalMap", "ShaderNodeTexImage"} <= nodes
    normal = bpy.data.images["tiny_surface_normal"]
    assert normal.colorspace_settings.name == "Non-Color" and tuple(normal.size) == (512, 512)
    assert normal.packed_file is not None  # unsaved .blend: the stills are packed


def test_generate_loop_gives_an_emissive_flipbook_playing_with_the_timeline(
    blender: Any, tmp_path: Path
) -> None:
    bpy = blender
    plane = add_plane(bpy)
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "shot.blend"))
    plane = bpy.data.objects["Plane"]
    _props(bpy, tiny_model(tmp_path, preset="fire"), frames=4, make_material=True)
    assert bpy.ops.clapper.fx_generate() == {"FINISHED"}
    material = plane.active_material
    nodes = {node.bl_idname: node for node in material.node_tree.nodes}
    assert {"ShaderNodeEmission", "ShaderNodeBsdfTransparent", "ShaderNodeMixShader"} <= set(nodes)
    texture = nodes["ShaderNodeTexImage"]
    assert texture.image.source == "SEQUENCE"
    assert texture.image_user.frame_duration == 4 and texture.image_user.use_cyclic
    frames = sorted((tmp_path / "clapper_fx").rglob("*.png"))  # saved beside the .blend
    assert [f.name for f in frames] == [f"tiny_fire_{i:04d}.png" for i in range(1, 5)]


def test_no_active_object_when_a_material_is_requested_changes_nothing(blender: Any, tmp_path: Path) -> None:
    bpy = blender
    _props(bpy, tiny_model(tmp_path), make_material=True)
    bpy.context.view_layer.objects.active = None
    before = (len(bpy.data.images), len(bpy.data.materials))
    with pytest.raises(RuntimeError, match="No active object"):  # bpy.ops turns the ERROR report into this
        bpy.ops.clapper.fx_generate()
    assert (len(bpy.data.images), len(bpy.data.materials)) == before


def test_training_on_an_empty_folder_fails_cleanly(blender: Any, tmp_path: Path) -> None:
    bpy = blender
    (tmp_path / "empty").mkdir()
    props = bpy.context.scene.clapper.fx
    props.train_folder = str(tmp_path / "empty")
    props.train_output = str(tmp_path / "model.pt")
    with pytest.raises(RuntimeError, match="empty"):
        bpy.ops.clapper.fx_train()
    assert not (tmp_path / "model.pt").exists()
    status = bpy.context.window_manager.clapper_job  # the Effects panels keep the message
    assert "empty" in status.error and status.owner.endswith(".fx")


def _verb(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "addon", "fx-material", *args, "--json"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_fx_material_batch_verb_writes_a_blend_with_the_material(blender: Any, tmp_path: Path) -> None:
    bpy = blender
    blend = tmp_path / "out.blend"
    done = _verb(
        str(tiny_model(tmp_path, preset="smoke")), "--blend", str(blend), "--new-plane", "--size", "512"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout)
    assert summary["kind"] == "emission" and Path(summary["files"]["color"]).is_file()
    bpy.ops.wm.open_mainfile(filepath=str(blend))
    plane = bpy.data.objects[summary["object"]]
    assert plane.active_material.name == summary["material"]
    image = next(
        n.image for n in plane.active_material.node_tree.nodes if n.bl_idname == "ShaderNodeTexImage"
    )
    assert Path(bpy.path.abspath(image.filepath)).resolve() == Path(summary["files"]["color"]).resolve()


def test_fx_material_batch_verb_without_an_object_is_refused(tmp_path: Path) -> None:
    done = _verb(str(tiny_model(tmp_path)), "--blend", str(tmp_path / "none.blend"))
    assert done.returncode == 1
    assert "No active object" in json.loads(done.stdout)["error"]["message"]
    assert not (tmp_path / "none.blend").exists()


def test_training_preview_refreshes_the_panel_image_from_the_file(blender: Any, tmp_path: Path) -> None:
    """The Effects Training panel's live preview: the timer reloads the PNG the training rewrites."""
    import numpy as np

    from addon.fx.operators import TRAIN_PREVIEW_IMAGE, _refresh_preview

    bpy = blender
    path = tmp_path / "preview.png"
    for value in (40, 200):  # the training rewrites the file; each refresh shows the new one
        pixels = np.full((32, 48, 3), value, np.uint8)
        import cv2

        assert cv2.imwrite(str(path), pixels)
        assert _refresh_preview(str(path)) is None  # no job running: the timer stops itself
        image = bpy.data.images[TRAIN_PREVIEW_IMAGE]
        assert tuple(image.size) == (48, 32)
        assert abs(image.pixels[0] - value / 255) < 0.02
    assert len([i for i in bpy.data.images if i.name.startswith(TRAIN_PREVIEW_IMAGE)]) == 1
