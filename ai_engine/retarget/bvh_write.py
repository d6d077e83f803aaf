"""Write sampled skeleton motion as BVH (the retargeted result, for other applications).

Every joint gets position and rotation channels (as Bandai Namco's files have), so stretchy or
translated bones survive exactly; rotations are ZXY Euler, positions and offsets in the file's units,
axes converted back from Blender's (Z up) to BVH's (Y up), the inverse of what Blender's importer does.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..progress import ProgressFn, StopFn, check_stop, never_stop, no_progress
from .bvh import BVH_TO_BLENDER
from .quat import matrix_to_euler


def write_bvh(
    path: str | Path,
    names: list[str],
    parents: list[int],
    rest_heads: np.ndarray,
    rest_tails: np.ndarray,
    heads: np.ndarray,
    deltas: np.ndarray,
    fps: float,
    *,
    progress: ProgressFn = no_progress,
    should_stop: StopFn = never_stop,
) -> Path:
    """Write a BVH file.

    Arguments:
        names, parents: joints (parents before children; -1 for roots; several roots get a common
            "Root" joint at the origin).
        rest_heads, rest_tails: (J, 3) rest pose, Blender world axes.
        heads: (T, J, 3) joint positions per frame; deltas: (T, J, 3, 3) world rotation since rest.
        fps: frames per second.
    Returns:
        the path written.
    Raises:
        Cancelled: should_stop() returned True.
    """
    g = BVH_TO_BLENDER
    names = [n.replace(" ", "_") for n in names]
    parents = list(parents)
    heads_b = heads @ g  # Blender → BVH axes: v_bvh = gᵀ v
    rest_b = rest_heads @ g
    tails_b = rest_tails @ g
    deltas_b = np.swapaxes(g, 0, 1) @ deltas @ g
    frames, count = heads.shape[:2]
    roots = [j for j in range(count) if parents[j] < 0]
    if len(roots) > 1:  # one ROOT in a BVH: a still joint at the origin holds them all
        names = ["Root", *names]
        parents = [-1] + [p + 1 if p >= 0 else 0 for p in parents]
        rest_b = np.vstack([np.zeros((1, 3)), rest_b])
        tails_b = np.vstack([[[0.0, 1.0, 0.0]], tails_b])
        heads_b = np.concatenate([np.zeros((frames, 1, 3)), heads_b], axis=1)
        deltas_b = np.concatenate([np.broadcast_to(np.eye(3), (frames, 1, 3, 3)), deltas_b], axis=1)
        count += 1
    children: list[list[int]] = [[] for _ in range(count)]
    for j, p in enumerate(parents):
        if p >= 0:
            children[p].append(j)
    lines = ["HIERARCHY"]

    def emit(j: int, depth: int) -> None:
        pad = "\t" * depth
        offset = rest_b[j] - (rest_b[parents[j]] if parents[j] >= 0 else 0.0)
        lines.append(f"{pad}{'ROOT' if parents[j] < 0 else 'JOINT'} {names[j]}")
        lines.append(f"{pad}{{")
        lines.append(f"{pad}\tOFFSET {offset[0]:.6f} {offset[1]:.6f} {offset[2]:.6f}")
        lines.append(f"{pad}\tCHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation")
        for c in children[j]:
            emit(c, depth + 1)
        if not children[j]:
            end = tails_b[j] - rest_b[j]
            lines.extend(
                [
                    f"{pad}\tEnd Site",
                    f"{pad}\t{{",
                    f"{pad}\t\tOFFSET {end[0]:.6f} {end[1]:.6f} {end[2]:.6f}",
                    f"{pad}\t}}",
                ]
            )
        lines.append(f"{pad}}}")

    order: list[int] = []

    def visit(j: int) -> None:
        order.append(j)
        for c in children[j]:
            visit(c)

    root = next(j for j in range(count) if parents[j] < 0)
    visit(root)
    emit(root, 0)
    columns = []
    for n, j in enumerate(order):
        if n % 16 == 0:
            check_stop(should_stop)
            progress(n / len(order), "writing BVH")
        p = parents[j]
        if p < 0:
            local_r, local_t = deltas_b[:, j], heads_b[:, j]
        else:
            parent_t = np.swapaxes(deltas_b[:, p], -1, -2)
            local_r = parent_t @ deltas_b[:, j]
            local_t = np.einsum("tab,tb->ta", parent_t, heads_b[:, j] - heads_b[:, p])
        euler = np.degrees(matrix_to_euler(local_r, "YXZ"))  # M = Rz·Rx·Ry, i.e. channels Z X Y
        columns.append(np.column_stack((local_t, euler[:, 2], euler[:, 0], euler[:, 1])))
    lines += ["MOTION", f"Frames: {frames}", f"Frame Time: {1.0 / fps:.8f}"]
    table = np.concatenate(columns, axis=1)
    lines += [" ".join(f"{v:.6f}" for v in row) for row in table]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    progress(1.0, "BVH written")
    return path
