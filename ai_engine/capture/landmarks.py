"""Names and index tables of MediaPipe's landmark sets, shared by extraction, filters and conversion."""

from __future__ import annotations

POSE_LANDMARKS: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_pinky", "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb",
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    "left_heel", "right_heel", "left_foot_index", "right_foot_index",
)  # fmt: skip
POSE = {name: i for i, name in enumerate(POSE_LANDMARKS)}

# Index permutation that exchanges every left landmark with its right twin (a mirrored body).
POSE_MIRROR: tuple[int, ...] = tuple(
    POSE[name.replace("left_", "right_")] if name.startswith("left_")
    else POSE[name.replace("right_", "left_")] if name.startswith("right_")
    else i
    for i, name in enumerate(POSE_LANDMARKS)
)  # fmt: skip

# Left/right pairs of the limbs (shoulder to foot) used to detect mirrored stretches.
POSE_LIMB_PAIRS: tuple[tuple[int, int], ...] = tuple(
    (POSE[f"left_{n}"], POSE[f"right_{n}"])
    for n in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "foot_index")
)

HAND_LANDMARKS: tuple[str, ...] = (
    "wrist",
    "thumb_cmc", "thumb_mcp", "thumb_ip", "thumb_tip",
    "index_mcp", "index_pip", "index_dip", "index_tip",
    "middle_mcp", "middle_pip", "middle_dip", "middle_tip",
    "ring_mcp", "ring_pip", "ring_dip", "ring_tip",
    "pinky_mcp", "pinky_pip", "pinky_dip", "pinky_tip",
)  # fmt: skip
HAND_SIDES: tuple[str, str] = ("left", "right")  # hands[:, 0] is the person's left hand

# Bones drawn by the QA overlay.
POSE_EDGES: tuple[tuple[int, int], ...] = (
    (11, 12), (11, 13), (13, 15), (12, 14), (14, 16), (11, 23), (12, 24), (23, 24),
    (23, 25), (25, 27), (27, 29), (29, 31), (27, 31), (24, 26), (26, 28), (28, 30), (30, 32), (28, 32),
    (0, 7), (0, 8), (9, 10), (15, 19), (16, 20),
)  # fmt: skip
HAND_EDGES: tuple[tuple[int, int], ...] = (
    (0, 1), (1, 2), (2, 3), (3, 4), (0, 5), (5, 6), (6, 7), (7, 8), (5, 9), (9, 10), (10, 11), (11, 12),
    (9, 13), (13, 14), (14, 15), (15, 16), (13, 17), (0, 17), (17, 18), (18, 19), (19, 20),
)  # fmt: skip
FACE_LANDMARK_COUNT = 478  # 468 mesh points + 10 iris points (refine_landmarks=True)
