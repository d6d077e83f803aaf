"""ARKit curves find their shape keys under ARKit names, common spellings and CC4's names."""

from __future__ import annotations

from ai_engine.capture.face import ARKIT_BLENDSHAPES
from ai_engine.capture.shape_keys import CC4_NAMES, match_shape_keys


def test_arkit_names_match_themselves() -> None:
    mapping, missing = match_shape_keys(["Basis", *ARKIT_BLENDSHAPES])
    assert missing == [] and all(mapping[n] == [n] for n in ARKIT_BLENDSHAPES)


def test_common_spellings_match() -> None:
    mapping, _ = match_shape_keys(["EyeBlink_L", "eyeBlink.R", "JawOpen", "mouth_smile_left"])
    assert mapping["eyeBlinkLeft"] == ["EyeBlink_L"]
    assert mapping["eyeBlinkRight"] == ["eyeBlink.R"]
    assert mapping["jawOpen"] == ["JawOpen"]
    assert mapping["mouthSmileLeft"] == ["mouth_smile_left"]


def test_cc4_names_including_split_shapes() -> None:
    names = sorted({n for targets in CC4_NAMES.values() for n in targets})
    mapping, missing = match_shape_keys(names)
    assert missing == []
    assert mapping["mouthPucker"] == list(CC4_NAMES["mouthPucker"])  # one curve drives four keys
    assert mapping["eyeLookInLeft"] == ["Eye_L_Look_R"]  # the left eye looking in looks to its right


def test_missing_names_are_listed_in_arkit_order() -> None:
    mapping, missing = match_shape_keys(["Basis", "jawOpen", "eyeBlinkLeft"])
    assert set(mapping) == {"jawOpen", "eyeBlinkLeft"}
    assert len(missing) == 50 and missing == [n for n in ARKIT_BLENDSHAPES if n not in mapping]
