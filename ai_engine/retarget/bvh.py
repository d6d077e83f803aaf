"""BVH reader that places joints exactly where Blender's own importer puts them.

Blender's importer (``bpy.ops.import_anim.bvh`` with its defaults: forward -Z, up Y, scale 1) builds
bones from head to tail (tail = End Site, the single child, or the mean of the children; roll 0),
keys BVH frame i on scene frame ``frame_start + i``, and rotates the armature from BVH axes (Y up) to
Blender axes (Z up): (x, y, z) → (x, -z, y). ``read_bvh`` parses the file; ``BvhMotion.pose()``
gives world head positions, tail positions and world bone rotations per frame in that frame, computed
with numpy over all frames at once. ``tests/test_retarget_bvh.py`` checks them against the importer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import BadMotionFile
from ..progress import ProgressFn, StopFn, check_stop, never_stop, no_progress
from .quat import euler_to_matrix, matrix_to_quat
from .rigspec import bone_matrices

# BVH axes (Y up, -Z forward) → Blender axes (Z up, -Y forward); what axis_conversion() gives the importer.
BVH_TO_BLENDER = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
_MAX_BONE_NAME_BYTES = 63  # Blender truncates bone names longer than this


@dataclass
class BvhJoint:
    """One ROOT/JOINT of the hierarchy (End Sites only give their parent a tail)."""

    name: str
    parent: int  # -1 for a root
    offset: np.ndarray  # (3,) scaled
    channels: list[str]
    first_channel: int  # column of this joint's first channel in the MOTION rows
    end_site: np.ndarray | None = None  # (3,) offset of an End Site child, scaled

    @property
    def rotation_order(self) -> str:
        return "".join(c[0].upper() for c in self.channels if c.lower().endswith("rotation"))

    def column(self, channel: str) -> int:
        """Column of ``channel`` (e.g. "xposition") in the MOTION rows, or -1."""
        for i, c in enumerate(self.channels):
            if c.lower() == channel:
                return self.first_channel + i
        return -1


@dataclass
class BvhPose:
    """Per-frame placement in Blender world axes (what the importer shows, frame i = scene frame 1+i)."""

    heads: np.ndarray  # (T, J, 3)
    tails: np.ndarray  # (T, J, 3)
    rotations: np.ndarray  # (T, J, 4) wxyz world rotation of each bone (its matrix_world, rest included)
    deltas: np.ndarray  # (T, J, 3, 3) world rotation since rest (rotations · rest⁻¹)


@dataclass
class BvhMotion:
    """A parsed BVH file: hierarchy, raw channel values and the importer's rest pose."""

    path: str
    joints: list[BvhJoint]
    frame_time: float
    values: np.ndarray  # (T, C) raw channel values (positions scaled, rotations in degrees)
    scale: float = 1.0
    meta: dict[str, object] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [j.name for j in self.joints]

    @property
    def parents(self) -> list[int]:
        return [j.parent for j in self.joints]

    @property
    def frame_count(self) -> int:
        return int(self.values.shape[0])

    @property
    def fps(self) -> float:
        return 1.0 / self.frame_time if self.frame_time > 0 else 30.0

    def rest_bvh(self) -> tuple[np.ndarray, np.ndarray]:
        """Rest heads and tails in BVH axes, with the importer's tail rules and zero-length fixes."""
        n = len(self.joints)
        heads = np.zeros((n, 3))
        for i, j in enumerate(self.joints):
            heads[i] = j.offset + (heads[j.parent] if j.parent >= 0 else 0.0)
        children: list[list[int]] = [[] for _ in range(n)]
        for i, j in enumerate(self.joints):
            if j.parent >= 0:
                children[j.parent].append(i)
        tails = heads.copy()
        for i, j in enumerate(self.joints):
            if j.end_site is not None:
                tails[i] = heads[i] + j.end_site
            elif children[i]:
                tails[i] = heads[children[i]].mean(axis=0)
            if np.linalg.norm(tails[i] - heads[i]) <= 0.001 * self.scale:
                tails[i, 1] += self.scale / 10.0
        return heads, tails

    def rest(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rest heads, tails (J×3) and bone rotations (J×4 wxyz) in Blender world axes."""
        heads, tails = self.rest_bvh()
        mats = BVH_TO_BLENDER @ bone_matrices(heads, tails, np.zeros(len(heads)))
        return heads @ BVH_TO_BLENDER.T, tails @ BVH_TO_BLENDER.T, matrix_to_quat(mats)

    def pose(self, progress: ProgressFn = no_progress, should_stop: StopFn = never_stop) -> BvhPose:
        """Forward kinematics of every frame, as Blender's importer evaluates it.

        Returns:
            BvhPose in Blender world axes.
        Raises:
            Cancelled: should_stop() returned True.
        """
        t_count, n = self.frame_count, len(self.joints)
        heads_rest, tails_rest = self.rest_bvh()
        rest_m = bone_matrices(heads_rest, tails_rest, np.zeros(n))
        world_d = np.empty((t_count, n, 3, 3))
        world_p = np.empty((t_count, n, 3))
        for i, j in enumerate(self.joints):
            if i % 8 == 0:
                check_stop(should_stop)
                progress(i / n, f"joint {i + 1} of {n}")
            cols = [j.column(c) for c in ("xposition", "yposition", "zposition")]
            if any(c >= 0 for c in cols):
                # Missing position axes read as 0 (not the offset), as in Blender's importer.
                local_t = np.stack([self.values[:, c] if c >= 0 else np.zeros(t_count) for c in cols], axis=1)
            else:
                local_t = np.broadcast_to(j.offset, (t_count, 3))
            order = j.rotation_order
            if order:
                angles = np.zeros((t_count, 3))
                for axis, letter in enumerate("xyz"):
                    c = j.column(f"{letter}rotation")
                    if c >= 0:
                        angles[:, axis] = np.radians(self.values[:, c])
                local_r = euler_to_matrix(angles, order)
            else:
                local_r = np.broadcast_to(np.eye(3), (t_count, 3, 3))
            if j.parent < 0:
                world_p[:, i] = local_t
                world_d[:, i] = local_r
            else:
                pd = world_d[:, j.parent]
                world_p[:, i] = world_p[:, j.parent] + np.einsum("tab,tb->ta", pd, local_t)
                world_d[:, i] = pd @ local_r
        g = BVH_TO_BLENDER
        deltas = g @ world_d @ g.T
        heads = world_p @ g.T
        tails = heads + np.einsum("tjab,jb->tja", deltas, (tails_rest - heads_rest) @ g.T)
        rotations = matrix_to_quat(deltas @ (g @ rest_m))
        progress(1.0, "posed")
        return BvhPose(heads=heads, tails=tails, rotations=rotations, deltas=deltas)


def _bone_name(name: str, taken: set[str]) -> str:
    """The bone name Blender's importer gives a joint: truncated to 63 bytes, duplicates '.001'."""
    raw = name.encode("utf-8")[:_MAX_BONE_NAME_BYTES].decode("utf-8", errors="ignore")
    if raw in taken:
        k = 1
        while f"{raw}.{k:03d}" in taken:
            k += 1
        raw = f"{raw}.{k:03d}"
    taken.add(raw)
    return raw


def read_bvh(
    path: str | Path,
    *,
    scale: float = 1.0,
    progress: ProgressFn = no_progress,
    should_stop: StopFn = never_stop,
) -> BvhMotion:
    """Parse a BVH file.

    Arguments:
        path: the .bvh file.
        scale: multiplies offsets and positions (Blender's "Scale" option; 1.0 is its default).
        progress, should_stop: the usual callbacks.
    Returns:
        BvhMotion with every frame of the MOTION section.
    Raises:
        BadMotionFile: unreadable file, broken hierarchy, a corrupt motion line (its number is in the
            message), or no frames.
        Cancelled: should_stop() returned True.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise BadMotionFile(f"Cannot read {path}: {exc.strerror or exc}. Check the path.") from exc
    lines = [ln.split() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    hierarchy = _Hierarchy(path.name, scale)
    motion_line = hierarchy.parse(lines)
    frame_time, declared, first_row = _motion_header(lines, motion_line, hierarchy.fail)
    check_stop(should_stop)
    values = _motion_values(lines, first_row, hierarchy, progress)
    for j in hierarchy.joints:  # positions are scaled like offsets, rotations stay degrees
        for c in ("xposition", "yposition", "zposition"):
            col = j.column(c)
            if col >= 0:
                values[:, col] *= scale
    meta: dict[str, object] = {"declared_frames": declared}
    if frame_time <= 0:
        meta["warning"] = "no Frame Time in the file; assuming 30 fps"
        frame_time = 1.0 / 30.0
    return BvhMotion(
        path=str(path), joints=hierarchy.joints, frame_time=frame_time, values=values, scale=scale, meta=meta
    )


class _Hierarchy:
    """The HIERARCHY section, read line by line: one method per keyword."""

    def __init__(self, file_name: str, scale: float) -> None:
        self.file_name = file_name
        self.scale = scale
        self.joints: list[BvhJoint] = []
        self.stack: list[int] = []  # open joints; -2 marks an open End Site
        self.taken: set[str] = set()
        self.channel_total = 0
        self.pending_end = False

    def fail(self, line_no: int, what: str) -> BadMotionFile:
        return BadMotionFile(f"{self.file_name}, line {line_no}: {what}. Fix or re-export the BVH file.")

    def parse(self, lines: list[list[str]]) -> int:
        """Read the hierarchy; returns the index of the line after MOTION."""
        start = 0
        while start < len(lines) and not lines[start]:
            start += 1
        if start >= len(lines) or lines[start][0].upper() != "HIERARCHY":
            raise BadMotionFile(
                f"{self.file_name} is not a BVH file (no HIERARCHY header). Pick a .bvh motion file."
            )
        handlers = {
            "ROOT": self.joint,
            "JOINT": self.joint,
            "END": self.end_site,
            "{": self.open,
            "}": self.close,
            "OFFSET": self.offset,
            "CHANNELS": self.channels,
        }
        for i in range(start + 1, len(lines)):
            tok = lines[i]
            if not tok:
                continue
            key = tok[0].upper()
            if key == "MOTION":
                self.check_closed()
                return i + 1
            handler = handlers.get(key)
            if handler is None:
                raise self.fail(i + 1, f"unexpected {tok[0]!r} in the hierarchy")
            try:
                handler(tok, i + 1)
            except (ValueError, IndexError) as exc:
                raise self.fail(i + 1, f"cannot read {' '.join(tok)!r} ({exc})") from exc
        raise BadMotionFile(
            f"{self.file_name} has no MOTION section. Re-export the BVH file with its motion."
        )

    def check_closed(self) -> None:
        if not self.joints:
            raise BadMotionFile(f"{self.file_name} has no joints. Re-export the BVH file.")
        if self.stack:
            raise BadMotionFile(
                f"{self.file_name}: the hierarchy is not closed ('}}' missing). Fix the file."
            )

    def joint(self, tok: list[str], line_no: int) -> None:
        key = tok[0].upper()
        if len(tok) < 2:
            raise self.fail(line_no, f"{key} without a name")
        if key == "JOINT" and not self.stack:
            raise self.fail(line_no, "JOINT outside any ROOT")
        name = _bone_name("_".join(tok[1:]), self.taken)
        parent = self.stack[-1] if self.stack else -1
        if parent == -2:
            raise self.fail(line_no, "JOINT inside an End Site")
        self.joints.append(BvhJoint(name, parent, np.zeros(3), [], self.channel_total))
        self.pending_end = False

    def end_site(self, tok: list[str], line_no: int) -> None:
        if not self.stack or self.stack[-1] < 0:
            raise self.fail(line_no, "End Site outside a joint")
        self.pending_end = True

    def open(self, tok: list[str], line_no: int) -> None:
        if self.pending_end:
            self.stack.append(-2)
            self.pending_end = False
        elif self.joints and (not self.stack or self.stack[-1] != len(self.joints) - 1):
            self.stack.append(len(self.joints) - 1)
        else:
            raise self.fail(line_no, "unexpected '{'")

    def close(self, tok: list[str], line_no: int) -> None:
        if not self.stack:
            raise self.fail(line_no, "unbalanced '}'")
        self.stack.pop()

    def offset(self, tok: list[str], line_no: int) -> None:
        vec = np.array([float(v) for v in tok[1:4]]) * self.scale
        if vec.shape != (3,) or not np.all(np.isfinite(vec)):
            raise self.fail(line_no, "OFFSET needs three numbers")
        if self.stack and self.stack[-1] == -2:
            self.joints[self.stack[-2]].end_site = vec
        elif self.stack:
            self.joints[self.stack[-1]].offset = vec
        else:
            raise self.fail(line_no, "OFFSET outside a joint")

    def channels(self, tok: list[str], line_no: int) -> None:
        count = int(tok[1])
        names = tok[2 : 2 + count]
        valid = {f"{a}{k}" for a in "xyz" for k in ("position", "rotation")}
        if len(names) != count or any(n.lower() not in valid for n in names):
            raise self.fail(line_no, f"bad CHANNELS line {' '.join(tok)!r}")
        if not self.stack or self.stack[-1] < 0:
            raise self.fail(line_no, "CHANNELS outside a joint")
        self.joints[self.stack[-1]].channels = names
        self.joints[self.stack[-1]].first_channel = self.channel_total
        self.channel_total += count


def _motion_header(
    lines: list[list[str]], start: int, fail: Callable[[int, str], BadMotionFile]
) -> tuple[float, int | None, int]:
    """``Frames:`` and ``Frame Time:`` after MOTION: (frame time, declared frames, first row index)."""
    frame_time = 0.0
    declared = None
    i = start
    while i < len(lines):
        tok = lines[i]
        i += 1
        if not tok:
            continue
        head = " ".join(tok[:2]).lower()
        try:
            if tok[0].lower() == "frames:":
                declared = int(tok[1])
                continue
            if head == "frame time:":
                frame_time = float(tok[2])
                continue
        except (ValueError, IndexError) as exc:
            raise fail(i, f"cannot read {' '.join(tok)!r}") from exc
        i -= 1
        break
    return frame_time, declared, i


def _motion_values(
    lines: list[list[str]], first_row: int, hierarchy: _Hierarchy, progress: ProgressFn
) -> np.ndarray:
    """The MOTION rows as a (T, C) array; a short, long or non-numeric row fails with its line."""
    channel_total, fail = hierarchy.channel_total, hierarchy.fail
    motion_rows = [(k, lines[k]) for k in range(first_row, len(lines)) if lines[k]]
    for k, tok in motion_rows:
        if len(tok) != channel_total:
            raise fail(k + 1, f"expected {channel_total} numbers, found {len(tok)}")
    progress(-1.0, f"reading {len(motion_rows)} frames")
    if not motion_rows:
        raise BadMotionFile(
            f"{hierarchy.file_name} has zero frames of motion. Pick a BVH file with animation."
        )
    try:  # numpy parses all numbers at once; only a bad file pays for the line-by-line search
        values = np.array([v for _, tok in motion_rows for v in tok], dtype=np.float64)
    except ValueError:
        for k, tok in motion_rows:
            try:
                [float(v) for v in tok]
            except ValueError as exc:
                raise fail(k + 1, f"not a number ({exc})") from exc
        raise
    values = values.reshape(len(motion_rows), channel_total)
    if not np.all(np.isfinite(values)):
        bad = int(np.argwhere(~np.isfinite(values))[0, 0])
        raise BadMotionFile(
            f"{hierarchy.file_name}: motion frame {bad} holds NaN/inf. Fix or re-export the BVH file."
        )
    return values
