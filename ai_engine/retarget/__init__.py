"""Retargeting: canonical skeleton animation → any rig (RigSpec + bone map) → BoneAnimation."""
