"""``python -m addon VERB ...``: the batch verbs in the dev venv (Blender as the ``bpy`` module)."""

from __future__ import annotations

import contextlib
import os
import sys
import traceback

from . import cli

if __name__ == "__main__":
    # With --json, stdout is the one JSON document: Blender's start-up lines (5.3: its colour
    # management and file-system log lines) go to stderr like everything the verb's job prints.
    with cli.stdout_to_stderr() if "--json" in sys.argv[1:] else contextlib.nullcontext():
        import bpy  # noqa: F401  (Blender must be loaded before the add-on registers)

        from . import register

        register()
    try:
        code = cli.main(sys.argv[1:])
    except KeyboardInterrupt:
        code = 130
    except BaseException:  # an add-on bug: show it, and still leave through os._exit below
        traceback.print_exc()
        code = 1
    # The exit code is the verb's: the bpy 4.2.23 module crashes (SIGSEGV) in its own teardown at
    # interpreter exit after the results are written, which a TD's script would read as a failure.
    # Everything is saved and printed by now, so flush and leave without that teardown.
    sys.stdout.flush()
    sys.stderr.flush()
    cli.flush_c_stdio()
    os._exit(code)
