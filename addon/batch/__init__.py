"""Batch verbs: one module per feature, each with ``add_arguments(parser)`` and ``run(args) -> dict``."""
