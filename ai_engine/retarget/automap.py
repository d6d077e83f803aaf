"""Automatic bone mapping from names AND topology, for rigs and BVH skeletons without a preset.

Names alone fail across conventions (in CMU files "LeftShoulder" is the upper arm and "LeftHip" the
thigh; "Spine1" means different bones in different rigs), so the skeleton's shape decides the chains:
the legs are the two chains ending lowest, the head chain the one ending highest, the arms the two
remaining chains that end farthest to the sides; within a limb the two longest consecutive bones are
upper/lower limb. Left is decided by names when they say it, else by which side of the body the chain
lies on (the body's left is up × forward, forward being where the toes point). Names then only break
ties (e.g. which bone of the neck chain is the head). Fingers are mapped by name.
"""

from __future__ import annotations

import re

import numpy as np

from ..errors import BadRig
from .skeleton import FINGERS

_PREFIX = re.compile(r"^(mixamorig\d*[:_]|def[-_]|org[-_]|bip\d*[ _]|cc_base_|valvebiped\.|b_)", re.I)


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", _PREFIX.sub("", name).lower())


def name_side(name: str) -> str | None:
    """'L', 'R' or None from a bone name (Left/Right words, .L/_R suffixes, l/r prefixes)."""
    n = _PREFIX.sub("", name)
    low = n.lower()
    if "left" in low:
        return "L"
    if "right" in low:
        return "R"
    m = re.search(r"(^|[._\-\s])([lr])($|[._\-\s\d])", low)
    if m:
        return m.group(2).upper()
    m = re.match(r"^([LR])[A-Z]", n)  # CMU "LHipJoint", "RThumb"
    if m:
        return m.group(1)
    return None


def _children(parents: list[int]) -> list[list[int]]:
    kids: list[list[int]] = [[] for _ in parents]
    for i, p in enumerate(parents):
        if p >= 0:
            kids[p].append(i)
    return kids


def _path_to_root(i: int, parents: list[int]) -> list[int]:
    path = [i]
    while parents[path[-1]] >= 0:
        path.append(parents[path[-1]])
    return path[::-1]


def auto_map(names: list[str], parents: list[int], heads: np.ndarray, tails: np.ndarray) -> dict[str, str]:
    """Map canonical joints onto a skeleton's bones.

    Arguments:
        names: bone names; parents: parent index per bone (-1 for roots).
        heads, tails: (N, 3) rest heads/tails, Z up (armature space or Blender world).
    Returns:
        canonical joint → bone name for every joint found (body, and fingers found by name).
    Raises:
        BadRig: the skeleton has no recognisable legs/arms/head chains.
    """
    shape = _Shape(names, parents, heads, tails)
    mapping: dict[str, str] = {"hips": names[shape.hips]}
    mapping.update(shape.legs())
    arms, chest_depth = shape.arms()
    mapping.update(arms)
    mapping.update(shape.spine_and_head(chest_depth))
    mapping.update(_fingers_by_name(names, parents, mapping))
    return mapping


def _common(a: list[int], b: list[int]) -> int:
    """The number of bones two root paths share."""
    k = 0
    while k < min(len(a), len(b)) and a[k] == b[k]:
        k += 1
    return k


class _Shape:
    """A skeleton's chains: the legs end lowest, the head highest; the hips are where the legs meet,
    and the body's left is up × forward (forward being where the toes point)."""

    def __init__(self, names: list[str], parents: list[int], heads: np.ndarray, tails: np.ndarray) -> None:
        self.names = names
        self.heads = np.asarray(heads, dtype=np.float64)
        self.tails = np.asarray(tails, dtype=np.float64)
        kids = _children(parents)
        self.lengths = np.linalg.norm(self.tails - self.heads, axis=1)
        self.leaves = [i for i in range(len(names)) if not kids[i]]
        if len(self.leaves) < 5:
            raise BadRig(
                f"Cannot map '{names[0] if names else '?'}' automatically: it has {len(self.leaves)} chain ends "
                "(a body needs legs, arms and a head). Map the bones by hand or pick a preset."
            )
        end_z = self.tails[:, 2]
        self.foot_leaves = sorted(self.leaves, key=lambda i: end_z[i])[:2]
        self.head_leaf = max(self.leaves, key=lambda i: end_z[i])
        self.paths = {i: _path_to_root(i, parents) for i in self.leaves}
        leg_paths = [self.paths[i] for i in self.foot_leaves]
        self.hips_depth = _common(*leg_paths)
        if self.hips_depth == 0:
            raise BadRig("The two legs share no parent bone; map the bones by hand or pick a preset.")
        self.hips = leg_paths[0][self.hips_depth - 1]
        # Facing: toes point forward; left = up × forward.
        ankle_to_tip = np.mean(
            [self.tails[i] - self.heads[self.paths[i][-2]] for i in self.foot_leaves], axis=0
        )
        forward = np.array([ankle_to_tip[0], ankle_to_tip[1], 0.0])
        if np.linalg.norm(forward) < 1e-9:
            forward = np.array([0.0, -1.0, 0.0])
        self.left = np.cross([0.0, 0.0, 1.0], forward / np.linalg.norm(forward))
        self.center = self.heads[self.hips]

    def side_of(self, chain: list[int]) -> str:
        """'L' or 'R': the names when they say it, else the side of the body the chain ends on."""
        for i in chain:
            s = name_side(self.names[i])
            if s:
                return s
        return "L" if float(np.dot(self.tails[chain[-1]] - self.center, self.left)) > 0 else "R"

    def limb(self, chain: list[int]) -> tuple[int, int]:
        """Positions (in chain) of upper and lower limb: the last long bone and the one before it.

        Walking back from the chain's end skips hands/fingers/feet/toes (short); clavicles and hip
        joints before the limb are never picked because the limb is found from the far end.
        """
        # The chain's last bone is the hand/foot/finger end when the chain has room for a limb before it.
        body = chain[:-1] if len(chain) >= 3 else chain
        longest = max(self.lengths[i] for i in body)
        lower = max(k for k, i in enumerate(body) if self.lengths[i] >= 0.5 * longest)
        lower = max(lower, 1)
        return lower - 1, lower

    def legs(self) -> dict[str, str]:
        mapping: dict[str, str] = {}
        for leaf in self.foot_leaves:
            chain = self.paths[leaf][self.hips_depth :]
            if len(chain) < 2:
                continue
            s = self.side_of(chain)
            a, b = self.limb(chain)
            for key, pos in (("thigh", a), ("shin", b), ("foot", b + 1), ("toe", b + 2)):
                if pos < len(chain):
                    mapping[f"{key}.{s}"] = self.names[chain[pos]]
        return mapping

    def arms(self) -> tuple[dict[str, str], int]:
        """Arms: the chains (not legs, not the head) ending farthest from the body's midline, one per
        side. Returns their map and the depth where they branch (the chest)."""
        head_path = self.paths[self.head_leaf]
        others = [i for i in self.leaves if i not in self.foot_leaves and i != self.head_leaf]
        lateral = sorted(others, key=lambda i: -abs(float(np.dot(self.tails[i] - self.center, self.left))))
        arm_leaves: list[int] = []
        for leaf in lateral:
            if not arm_leaves or self.side_of(self.paths[leaf]) != self.side_of(self.paths[arm_leaves[0]]):
                arm_leaves.append(leaf)
            if len(arm_leaves) == 2:
                break
        chest_depth = (
            _common(self.paths[arm_leaves[0]], self.paths[arm_leaves[1]]) if len(arm_leaves) == 2 else 0
        )
        mapping: dict[str, str] = {}
        for leaf in arm_leaves:
            full = self.paths[leaf]
            chain = full[_common(full, head_path) :]
            if len(chain) < 2:
                continue
            s = self.side_of(chain)
            a, b = self.limb(chain)
            if a > 0:
                mapping[f"shoulder.{s}"] = self.names[chain[a - 1]]
            mapping[f"upper_arm.{s}"] = self.names[chain[a]]
            mapping[f"forearm.{s}"] = self.names[chain[b]]
            if b + 1 < len(chain):
                mapping[f"hand.{s}"] = self.names[chain[b + 1]]
        return mapping, chest_depth

    def spine_and_head(self, chest_depth: int) -> dict[str, str]:
        """Spine: bones from hips to the arms' branch point; neck and head above it."""
        names, head_path, hips_depth = self.names, self.paths[self.head_leaf], self.hips_depth
        mapping: dict[str, str] = {}
        if chest_depth > hips_depth:
            spine_chain = head_path[hips_depth:chest_depth]
            upper = head_path[chest_depth:]
        else:
            spine_chain, upper = [], head_path[hips_depth:]
        if spine_chain:
            mapping["chest"] = names[spine_chain[-1]]
            if len(spine_chain) >= 2:
                mapping["spine"] = names[spine_chain[0]]
        upper = [i for i in upper if not re.search(r"end|top|nub|site", names[i], re.I) or i != upper[-1]]
        named_head = [i for i in upper if "head" in _norm(names[i]) and "top" not in _norm(names[i])]
        if named_head:
            head = named_head[0]
        elif len(upper) >= 2 and self.lengths[upper[-1]] < 0.5 * self.lengths[upper[-2]]:
            head = upper[-2]
        elif upper:
            head = upper[-1]
        else:
            head = -1
        if head >= 0:
            mapping["head"] = names[head]
            before = upper[: upper.index(head)]
            if before:
                mapping["neck"] = names[before[0]]
        return mapping


_FINGER_WORDS = {
    "thumb": ("thumb",),
    "index": ("index", "findex", "pointer"),
    "middle": ("middle", "fmiddle"),
    "ring": ("ring", "fring"),
    "pinky": ("pinky", "little", "fpinky"),
}


def _fingers_by_name(names: list[str], parents: list[int], body: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    index = {n: i for i, n in enumerate(names)}
    kids = _children(parents)
    for s in "LR":
        hand = body.get(f"hand.{s}")
        if hand is None:
            continue
        for finger in FINGERS:
            for child in kids[index[hand]]:
                n = _norm(names[child])
                if any(w in n for w in _FINGER_WORDS[finger]):
                    chain = [child]
                    while len(chain) < 3 and len(kids[chain[-1]]) == 1:
                        chain.append(kids[chain[-1]][0])
                    for seg, bone in zip(("01", "02", "03"), chain, strict=False):
                        out[f"{finger}.{seg}.{s}"] = names[bone]
                    break
    return out
