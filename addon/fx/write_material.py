"""Ready materials from generated textures.

- emission effects (fire, smoke, magic): Image → Emission, mixed with Transparent by the alpha;
- surfaces (caustics, grunge, trained models): Principled BSDF with base colour, roughness and a
  normal map;
- a flipbook plays with the timeline: the image node's ``image_user`` runs the sequence cyclically
  from the scene's first frame.
"""

from __future__ import annotations

from typing import Any

import bpy

from .write_images import LoadedImages


def _image_node(
    nodes: Any,
    image: bpy.types.Image,
    location: tuple[float, float],
    *,
    frames: int = 0,
    frame_start: int = 1,
) -> Any:
    node = nodes.new("ShaderNodeTexImage")
    node.image = image
    node.location = location
    if frames:
        user = node.image_user
        user.frame_duration = frames
        user.frame_start = frame_start
        user.frame_offset = 0
        user.use_cyclic = True
        user.use_auto_refresh = True
    return node


def _blended(material: bpy.types.Material) -> None:
    if hasattr(material, "surface_render_method"):  # EEVEE Next (4.2+) and 5.x
        material.surface_render_method = "BLENDED"
    elif hasattr(material, "blend_method"):
        material.blend_method = "BLEND"


def build_material(
    name: str, images: LoadedImages, *, kind: str, emission_peak: float, frame_start: int = 1
) -> bpy.types.Material:
    """A new material wired to ``images``.

    Arguments:
        kind: ``"emission"`` or ``"surface"`` (the preset's usage).
        emission_peak: emission strength of the brightest parts (used when there is no HDR map).
        frame_start: the timeline frame where a flipbook's first frame plays.
    """
    material = bpy.data.materials.new(name)
    if bpy.app.version < (5, 0, 0):
        material.use_nodes = True  # always on from 5.0 (and deprecated there)
    tree = material.node_tree
    nodes, links = tree.nodes, tree.links
    nodes.clear()
    output = nodes.new("ShaderNodeOutputMaterial")
    output.location = (600, 0)
    color_image = images.sequence or images.maps.get("color")
    if color_image is None:
        raise ValueError("no colour image to build a material from")
    color = _image_node(nodes, color_image, (-500, 150), frames=images.frames, frame_start=frame_start)
    if kind == "emission":
        emission = nodes.new("ShaderNodeEmission")
        emission.location = (100, 0)
        emission_source = color
        if "emission" in images.maps and not images.sequence:
            emission_source = _image_node(nodes, images.maps["emission"], (-500, -200))
            emission.inputs["Strength"].default_value = 1.0
        else:
            emission.inputs["Strength"].default_value = max(1.0, emission_peak / 4)
        links.new(emission_source.outputs["Color"], emission.inputs["Color"])
        transparent = nodes.new("ShaderNodeBsdfTransparent")
        transparent.location = (100, 150)
        mix = nodes.new("ShaderNodeMixShader")
        mix.location = (350, 0)
        links.new(color.outputs["Alpha"], mix.inputs["Fac"])
        links.new(transparent.outputs["BSDF"], mix.inputs[1])
        links.new(emission.outputs["Emission"], mix.inputs[2])
        links.new(mix.outputs["Shader"], output.inputs["Surface"])
        _blended(material)
        return material
    principled = nodes.new("ShaderNodeBsdfPrincipled")
    principled.location = (200, 0)
    links.new(color.outputs["Color"], principled.inputs["Base Color"])
    if "roughness" in images.maps:
        rough = _image_node(nodes, images.maps["roughness"], (-500, -150))
        links.new(rough.outputs["Color"], principled.inputs["Roughness"])
    if "normal" in images.maps:
        normal_image = _image_node(nodes, images.maps["normal"], (-500, -450))
        normal_map = nodes.new("ShaderNodeNormalMap")
        normal_map.location = (-150, -450)
        links.new(normal_image.outputs["Color"], normal_map.inputs["Color"])
        links.new(normal_map.outputs["Normal"], principled.inputs["Normal"])
    links.new(principled.outputs["BSDF"], output.inputs["Surface"])
    return material


def assign_material(obj: bpy.types.Object, material: bpy.types.Material) -> None:
    """Put ``material`` in the object's active slot (adding a slot when it has none)."""
    if obj.data is None or not hasattr(obj.data, "materials"):
        raise ValueError(
            f"{obj.name} ({obj.type}) cannot hold a material; pick a mesh, curve or text object."
        )
    if len(obj.material_slots) == 0:
        obj.data.materials.append(material)
    else:
        obj.material_slots[obj.active_material_index].material = material
