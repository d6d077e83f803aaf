"""Head rotation onto neck/head bones: the right local axis, and the shares add up to the whole turn."""

from __future__ import annotations

import numpy as np

from ai_engine.capture.head import head_bone_rotations
from ai_engine.retarget.quat import matrix_to_quat, quat_to_matrix

# A bone pointing up the world Z axis (its local Y), as neck and head bones do in Blender rigs.
UP_BONE = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])


def _yaw(degrees: float) -> np.ndarray:
    a = np.radians(degrees)
    return np.array([[np.cos(a), -np.sin(a), 0.0], [np.sin(a), np.cos(a), 0.0], [0.0, 0.0, 1.0]])


def test_a_turn_about_world_up_is_a_turn_about_the_bones_own_axis() -> None:
    q = matrix_to_quat(_yaw(30.0))[None]
    local = head_bone_rotations(q, np.ones(1, bool), [UP_BONE], np.eye(3), [1.0])[0, 0]
    np.testing.assert_allclose(local, [np.cos(np.radians(15)), 0, np.sin(np.radians(15)), 0], atol=1e-9)


def test_neck_and_head_shares_compound_to_the_whole_turn() -> None:
    q = matrix_to_quat(_yaw(40.0) @ np.array([[1, 0, 0], [0, 0.8, -0.6], [0, 0.6, 0.8]]))[None]
    rotations = head_bone_rotations(q, np.ones(1, bool), [UP_BONE, UP_BONE], np.eye(3), [0.4, 0.6])[0]
    neck, head = quat_to_matrix(rotations[0]), quat_to_matrix(rotations[1])
    whole = UP_BONE.T @ quat_to_matrix(q[0]) @ UP_BONE
    np.testing.assert_allclose(neck @ head, whole, atol=1e-9)


def test_frames_without_a_face_hold_the_nearest_tracked_rotation() -> None:
    q = np.tile(matrix_to_quat(_yaw(20.0)), (4, 1))
    q[1:3] = np.nan
    valid = np.array([True, False, False, True])
    rotations = head_bone_rotations(q, valid, [UP_BONE], np.eye(3), [1.0])
    assert np.isfinite(rotations).all()
    np.testing.assert_allclose(rotations[1], rotations[0])
