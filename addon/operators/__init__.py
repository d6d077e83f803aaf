"""Operators, one module per feature."""
