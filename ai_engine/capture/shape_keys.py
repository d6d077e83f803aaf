"""Which shape keys of a face mesh take which ARKit curve: ARKit names, common spellings, CC4 names.

Pure Python so the matching is testable without Blender; ``addon/apply/face.py`` uses it.
Faceit's ARKit expressions use the ARKit names themselves; other tools write ``eyeBlink_L``,
``EyeBlinkLeft`` … (matched by spelling-insensitive comparison); Character Creator 4's extended
profile uses its own names, some of which split one ARKit shape in two (upper/lower lip parts).
"""

from __future__ import annotations

import re

from .face import ARKIT_BLENDSHAPES

# Character Creator 4 (extended facial profile) names per ARKit shape.
CC4_NAMES: dict[str, tuple[str, ...]] = {
    "browDownLeft": ("Brow_Drop_L",), "browDownRight": ("Brow_Drop_R",),
    "browInnerUp": ("Brow_Raise_Inner_L", "Brow_Raise_Inner_R"),
    "browOuterUpLeft": ("Brow_Raise_Outer_L",), "browOuterUpRight": ("Brow_Raise_Outer_R",),
    "cheekPuff": ("Cheek_Puff_L", "Cheek_Puff_R"),
    "cheekSquintLeft": ("Cheek_Raise_L",), "cheekSquintRight": ("Cheek_Raise_R",),
    "eyeBlinkLeft": ("Eye_Blink_L",), "eyeBlinkRight": ("Eye_Blink_R",),
    "eyeLookDownLeft": ("Eye_L_Look_Down",), "eyeLookDownRight": ("Eye_R_Look_Down",),
    "eyeLookInLeft": ("Eye_L_Look_R",), "eyeLookInRight": ("Eye_R_Look_L",),
    "eyeLookOutLeft": ("Eye_L_Look_L",), "eyeLookOutRight": ("Eye_R_Look_R",),
    "eyeLookUpLeft": ("Eye_L_Look_Up",), "eyeLookUpRight": ("Eye_R_Look_Up",),
    "eyeSquintLeft": ("Eye_Squint_L",), "eyeSquintRight": ("Eye_Squint_R",),
    "eyeWideLeft": ("Eye_Wide_L",), "eyeWideRight": ("Eye_Wide_R",),
    "jawForward": ("Jaw_Forward",), "jawLeft": ("Jaw_L",), "jawOpen": ("Jaw_Open",), "jawRight": ("Jaw_R",),
    "mouthClose": ("Mouth_Close",),
    "mouthDimpleLeft": ("Mouth_Dimple_L",), "mouthDimpleRight": ("Mouth_Dimple_R",),
    "mouthFrownLeft": ("Mouth_Frown_L",), "mouthFrownRight": ("Mouth_Frown_R",),
    "mouthFunnel": ("Mouth_Funnel_Up_L", "Mouth_Funnel_Up_R", "Mouth_Funnel_Down_L", "Mouth_Funnel_Down_R"),
    "mouthLeft": ("Mouth_L",), "mouthRight": ("Mouth_R",),
    "mouthLowerDownLeft": ("Mouth_Down_Lower_L",), "mouthLowerDownRight": ("Mouth_Down_Lower_R",),
    "mouthPressLeft": ("Mouth_Press_L",), "mouthPressRight": ("Mouth_Press_R",),
    "mouthPucker": ("Mouth_Pucker_Up_L", "Mouth_Pucker_Up_R", "Mouth_Pucker_Down_L", "Mouth_Pucker_Down_R"),
    "mouthRollLower": ("Mouth_Roll_In_Lower_L", "Mouth_Roll_In_Lower_R"),
    "mouthRollUpper": ("Mouth_Roll_In_Upper_L", "Mouth_Roll_In_Upper_R"),
    "mouthShrugLower": ("Mouth_Shrug_Lower",), "mouthShrugUpper": ("Mouth_Shrug_Upper",),
    "mouthSmileLeft": ("Mouth_Smile_L",), "mouthSmileRight": ("Mouth_Smile_R",),
    "mouthStretchLeft": ("Mouth_Stretch_L",), "mouthStretchRight": ("Mouth_Stretch_R",),
    "mouthUpperUpLeft": ("Mouth_Up_Upper_L",), "mouthUpperUpRight": ("Mouth_Up_Upper_R",),
    "noseSneerLeft": ("Nose_Sneer_L",), "noseSneerRight": ("Nose_Sneer_R",),
    "tongueOut": ("Tongue_Out",),
}  # fmt: skip


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def spellings(arkit: str) -> list[str]:
    """Normalised spellings of one ARKit name: ``eyeBlinkLeft`` also as ``eyeBlink_L`` / ``.L``."""
    forms = [arkit]
    for side, short in (("Left", "L"), ("Right", "R")):
        if arkit.endswith(side):
            forms.append(arkit[: -len(side)] + short)
    return [_normal(f) for f in forms]


def match_shape_keys(available: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Map each ARKit curve to the shape keys it drives.

    Arguments:
        available: the mesh's shape key names.

    Returns:
        (ARKit name → shape key names it drives, ARKit names with no key on the mesh).
    """
    by_spelling: dict[str, str] = {}
    for name in available:
        by_spelling.setdefault(_normal(name), name)
    mapping: dict[str, list[str]] = {}
    missing: list[str] = []
    for arkit in ARKIT_BLENDSHAPES:
        found = next((by_spelling[s] for s in spellings(arkit) if s in by_spelling), None)
        if found is not None:
            mapping[arkit] = [found]
            continue
        cc4 = [by_spelling[_normal(n)] for n in CC4_NAMES.get(arkit, ()) if _normal(n) in by_spelling]
        if cc4:
            mapping[arkit] = cc4
        else:
            missing.append(arkit)
    return mapping, missing
