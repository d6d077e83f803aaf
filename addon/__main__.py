"""``python -m addon VERB ...``: the batch verbs in the dev venv (Blender as the ``bpy`` module)."""

from __future__ import annotations

import sys

import bpy  # noqa: F401  (Blender must be loaded before the add-on registers)

from . import cli, register

if __name__ == "__main__":
    register()
    sys.exit(cli.main(sys.argv[1:]))
