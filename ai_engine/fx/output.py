"""Writing generated textures and their maps to image files Blender reads directly.

Stills: ``NAME_color.png`` (RGBA when the material is emissive: alpha from brightness),
``NAME_normal.png``, ``NAME_roughness.png`` (surfaces), ``NAME_emission.hdr`` (optional HDR range).
Loops: ``NAME_0001.png`` … (Blender's image-sequence naming), RGBA for emissive effects.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ..errors import EngineError
from .catalog import PresetInfo
from .maps import alpha_map, hdr_emission, luminance, normal_map, roughness_map


def _write(path: Path, rgb_or_grey: np.ndarray, alpha: np.ndarray | None = None) -> str:
    import cv2

    data = rgb_or_grey
    if data.ndim == 3:
        data = data[..., ::-1]  # RGB → BGR
        if alpha is not None:
            data = np.concatenate([data, alpha[..., None]], axis=-1)
    pixels = np.clip(np.round(data * 255.0), 0, 255).astype(np.uint8)
    if not cv2.imwrite(str(path), np.ascontiguousarray(pixels)):
        raise EngineError(f"Could not write {path}; check that the folder exists and is writable.")
    return str(path)


def write_still(
    image: np.ndarray, out_dir: Path, name: str, usage: PresetInfo, *, maps: bool = True, hdr: bool = False
) -> dict[str, str]:
    """Write a still and its maps; returns ``{"color": path, "normal": …, "roughness": …, "emission": …}``."""
    import cv2

    out_dir.mkdir(parents=True, exist_ok=True)
    emissive = usage.material == "emission"
    files = {"color": _write(out_dir / f"{name}_color.png", image, alpha_map(image) if emissive else None)}
    if maps and not emissive:
        height = luminance(image)
        files["normal"] = _write(out_dir / f"{name}_normal.png", normal_map(height))
        files["roughness"] = _write(out_dir / f"{name}_roughness.png", roughness_map(height))
    if hdr:
        path = out_dir / f"{name}_emission.hdr"
        if not cv2.imwrite(
            str(path), np.ascontiguousarray(hdr_emission(image, peak=usage.emission_peak)[..., ::-1])
        ):
            raise EngineError(f"Could not write {path}; check that the folder is writable.")
        files["emission"] = str(path)
    return files


def write_loop(frames: Iterable[np.ndarray], out_dir: Path, name: str, usage: PresetInfo) -> list[str]:
    """Write loop frames as ``NAME_0001.png`` …; returns their paths in order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    emissive = usage.material == "emission"
    return [
        _write(out_dir / f"{name}_{index:04d}.png", frame, alpha_map(frame) if emissive else None)
        for index, frame in enumerate(frames, start=1)
    ]
