"""Panels, one module per editor."""
