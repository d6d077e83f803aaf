"""Scenes: shots grouped into scenes, cut errors in rendered video, and edit planning (no bpy)."""
