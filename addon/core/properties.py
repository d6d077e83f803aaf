"""What every feature's properties share: path options and the running job's status.

``WindowManager.clapper_job`` holds the running job's status (never saved, never undone). Each
feature keeps its settings in its own PropertyGroup (``<feature>/properties.py``), nested under
``Scene.clapper`` by ``addon/properties.py``.
"""

from __future__ import annotations

import bpy

# Blender 4.5+ warns on "//" paths unless a path property says it supports them; 4.2 lacks the flag.
PATH_OPTIONS: set[str] = {"PATH_SUPPORTS_BLEND_RELATIVE"} if bpy.app.version >= (4, 5, 0) else set()


class ClapperJobStatus(bpy.types.PropertyGroup):
    running: bpy.props.BoolProperty(name="Running", default=False)
    label: bpy.props.StringProperty(name="Job", default="")
    fraction: bpy.props.FloatProperty(name="Progress", min=0.0, max=1.0, subtype="FACTOR")
    message: bpy.props.StringProperty(name="Message", default="")
    # The running operator's feature package (e.g. "….clapper.cuts"): its panel draws the progress box,
    # the others one line (seen in the window: three identical boxes stacked in the Sequencer sidebar).
    owner: bpy.props.StringProperty(name="Feature", default="")
    # The last job's failure (the engine's message with its next step), drawn in its feature's panel
    # until the next job starts: a status-bar report alone is gone after a few seconds.
    error: bpy.props.StringProperty(name="Last Error", default="")


classes = (ClapperJobStatus,)
