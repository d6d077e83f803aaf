"""Foot contacts and foot locking.

A foot that stands still in the source must stand still on the target, although the target's legs
have other proportions. During each contact the target's ankle is made to follow the source ankle's
own (scaled) motion around an anchor — so a rolling heel-to-toe contact still rolls, but nothing
slides — and the thigh and shin are re-aimed with an analytic two-bone IK that keeps the knee in its
plane. The correction fades in and out over a tenth of a second around each contact.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .quat import normalize, quat_between, quat_mul


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) index pairs of True runs."""
    padded = np.concatenate(([False], mask, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return list(zip(edges[::2], edges[1::2], strict=True))


def _smooth(x: np.ndarray, width: int) -> np.ndarray:
    if width <= 1 or len(x) < width:
        return x
    kernel = np.ones(width) / width
    pad = np.pad(x, ((width // 2, width - 1 - width // 2), (0, 0)), mode="edge")
    return np.stack([np.convolve(pad[:, c], kernel, mode="valid") for c in range(x.shape[1])], axis=1)


def detect_contacts(positions: np.ndarray, sidx: dict[str, int], fps: float) -> np.ndarray:
    """(T, 2) bool: the left/right foot (ankle or toe) is near its lowest height and not moving.

    Thresholds are in leg lengths so they hold for any unit (cm BVH, m capture): horizontal speed
    below 0.25 leg/s and height within 0.08 leg of the point's low 5th percentile.
    """
    frames = len(positions)
    out = np.zeros((frames, 2), dtype=bool)
    leg = []
    for s in "LR":
        keys = [f"thigh.{s}", f"shin.{s}", f"foot.{s}"]
        if all(k in sidx for k in keys):
            a, b, c = (positions[:, sidx[k]] for k in keys)
            leg.append(np.median(np.linalg.norm(b - a, axis=1) + np.linalg.norm(c - b, axis=1)))
    if not leg:
        return out
    leg_len = float(np.mean(leg))
    width = max(1, int(round(fps * 0.05)))
    for k, s in enumerate("LR"):
        still = np.zeros(frames, dtype=bool)
        for name in (f"foot.{s}", f"toe.{s}"):
            if name not in sidx:
                continue
            p = _smooth(positions[:, sidx[name]], width)
            speed = (
                np.linalg.norm(np.gradient(p[:, :2], axis=0), axis=1) * fps
                if frames > 1
                else np.zeros(frames)
            )
            height = p[:, 2] - np.percentile(p[:, 2], 5)
            still |= (speed < 0.25 * leg_len) & (height < 0.08 * leg_len)
        for start, end in _runs(still):
            if end - start >= max(2, int(round(fps * 0.05))):
                out[start:end, k] = True
    return out


def lock_feet(
    tgt: Any,
    q_world: dict[str, np.ndarray],
    root_loc: np.ndarray,
    contacts: np.ndarray,
    fps: float,
    point_fk: Callable[..., np.ndarray],
    src_ankles: dict[str, np.ndarray] | None = None,
    ratio: float = 1.0,
    up: np.ndarray | None = None,
) -> None:
    """Re-aim thighs and shins (in ``q_world``, in place) so ankles stay put during contacts.

    Arguments:
        tgt: the solver's target view; q_world: canonical joint → (T, 4) world rotations.
        root_loc: (T, 3) root translation; contacts: (T, 2) bool; fps: frame rate.
        point_fk: the solver's forward kinematics of a rest point.
        src_ankles: side → (T, 3) source ankle in armature space, to follow its own motion (scaled by
            ``ratio``) during contact; None pins the ankle.
        up: (3,) world up in armature space: only the horizontal slide is corrected (the height comes
            from the joint angles, which stay as close to the source as the lock allows).
    """
    rig = tgt.rig
    ramp = max(1, int(round(fps * 0.1)))
    frames = len(root_loc)
    for k, s in enumerate("LR"):
        thigh, shin, foot = f"thigh.{s}", f"shin.{s}", f"foot.{s}"
        runs = _runs(contacts[:, k])
        if not runs:
            continue
        q_bone = {rig.bone_map[j]: q for j, q in q_world.items()}
        h0, k0, a0 = tgt.joint(thigh), tgt.joint(shin), tgt.joint(foot)
        hip = point_fk(tgt, rig.joint_bone(thigh), h0, q_bone, root_loc)
        knee = point_fk(tgt, rig.joint_bone(thigh), k0, q_bone, root_loc)
        ankle = point_fk(tgt, rig.joint_bone(shin), a0, q_bone, root_loc)
        correction = np.zeros((frames, 3))
        weight = np.zeros(frames)
        for a, b in runs:
            mid = (a + b) // 2
            want = np.broadcast_to(ankle[mid], (b - a, 3)).copy()
            if src_ankles is not None:
                want += ratio * (src_ankles[s][a:b] - src_ankles[s][mid])
            correction[a:b] = want - ankle[a:b]
            if up is not None:
                correction[a:b] -= np.sum(correction[a:b] * up, axis=1, keepdims=True) * up
            weight[a:b] = 1.0
            for i in range(1, ramp + 1):  # fade the edge corrections out around the contact
                w = 1.0 - i / (ramp + 1)
                for t, edge in ((a - i, a), (b - 1 + i, b - 1)):
                    if 0 <= t < frames and w > weight[t]:
                        weight[t] = w
                        correction[t] = correction[edge]
        active = weight > 0
        if not active.any():
            continue
        goal = ankle + weight[:, None] * correction
        l1, l2 = float(np.linalg.norm(k0 - h0)), float(np.linalg.norm(a0 - k0))
        hv = goal[active] - hip[active]
        dist = np.clip(np.linalg.norm(hv, axis=1), abs(l1 - l2) + 1e-6, (l1 + l2) * (1 - 1e-4))
        u = normalize(hv)
        along = (l1 * l1 - l2 * l2 + dist * dist) / (2 * dist)
        height = np.sqrt(np.maximum(l1 * l1 - along * along, 0.0))
        bend = knee[active] - hip[active]
        pole = normalize(bend - np.sum(bend * u, axis=1, keepdims=True) * u)
        new_knee = hip[active] + along[:, None] * u + height[:, None] * pole
        new_ankle = hip[active] + dist[:, None] * u
        swing_thigh = quat_between(knee[active] - hip[active], new_knee - hip[active])
        swing_shin = quat_between(ankle[active] - knee[active], new_ankle - new_knee)
        q_world[thigh] = q_world[thigh].copy()
        q_world[shin] = q_world[shin].copy()
        q_world[thigh][active] = quat_mul(swing_thigh, q_world[thigh][active])
        q_world[shin][active] = quat_mul(swing_shin, q_world[shin][active])


def root_correction(
    tgt: Any,
    q_world: dict[str, np.ndarray],
    root_loc: np.ndarray,
    contacts: np.ndarray,
    point_fk: Callable[..., np.ndarray],
    src_ankles: dict[str, np.ndarray],
    ratio: float,
    up: np.ndarray,
) -> np.ndarray:
    """A horizontal root offset (T, 3) that removes the planted feet's sliding without bending a joint.

    While a foot is planted its horizontal step must equal the source ankle's step × ``ratio``; the
    root takes up the difference (averaged when both feet are planted; the leg IK absorbs the rest).
    Outside contacts the source's root velocity is kept, so the target walks as far as its own
    stride carries it.

    Arguments:
        up: (3,) the world's up axis in armature space (horizontal = perpendicular to it).
    """
    rig = tgt.rig
    q_bone = {rig.bone_map[j]: q for j, q in q_world.items()}
    frames = len(root_loc)
    steps = np.zeros((frames, 3))
    count = np.zeros(frames)
    for k, s in enumerate("LR"):
        if s not in src_ankles:
            continue
        ankle = point_fk(tgt, rig.joint_bone(f"shin.{s}"), tgt.joint(f"foot.{s}"), q_bone, root_loc)
        want = ratio * np.diff(src_ankles[s], axis=0) - np.diff(ankle, axis=0)
        planted = contacts[1:, k] & contacts[:-1, k]
        steps[1:][planted] += want[planted]
        count[1:][planted] += 1
    steps /= np.maximum(count, 1)[:, None]
    steps -= np.sum(steps * up, axis=1, keepdims=True) * up  # horizontal only
    return np.cumsum(steps, axis=0)
