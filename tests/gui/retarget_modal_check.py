# ruff: noqa: E402  (the repository goes on sys.path before the add-on is imported)
"""Runs inside a real Blender window (tests/test_retarget_blender.py starts it under Xvfb).

Retarget runs modally (INVOKE_DEFAULT) while the window stays live; the result is one new action on
the target; one undo removes it and gives the rig its previous action back.
Arguments after "--": REPO_ROOT MOTION.bvh RESULT_JSON.
"""

import json
import sys
import time

repo, motion, result_path = sys.argv[sys.argv.index("--") + 1 :][:3]
sys.path.insert(0, repo)
import bpy

import addon
from addon.retarget.sample_rigs import mixamo_like_rig

addon.register()
log: dict = {"events": []}
win = bpy.context.window_manager.windows[0]
area = next(a for a in win.screen.areas if a.type == "VIEW_3D")
region = next(r for r in area.regions if r.type == "WINDOW")
rig = mixamo_like_rig("MixamoRig")
rig.animation_data_create().action = bpy.data.actions.new("previous")
props = bpy.context.scene.clapper.retarget
props.source_path, props.target = motion, rig
bpy.ops.ed.undo_push(message="setup")


def start():
    with bpy.context.temp_override(window=win, area=area, region=region):
        log["invoke"] = sorted(bpy.ops.clapper.retarget("INVOKE_DEFAULT"))
    log["t0"] = time.monotonic()
    bpy.app.timers.register(watch, first_interval=0.1)


def watch():
    st = bpy.context.window_manager.clapper_job
    log["events"].append(
        [round(time.monotonic() - log["t0"], 2), st.running, round(st.fraction, 2), st.message]
    )
    target = bpy.data.objects["MixamoRig"]
    action = target.animation_data.action if target.animation_data else None
    if action is not None and action.name != "previous" and not st.running:
        log["action"] = action.name
        log["actions"] = sorted(a.name for a in bpy.data.actions)
        log["report"] = bpy.context.scene.clapper.retarget.last_report
        with bpy.context.temp_override(window=win, area=area, region=region):
            bpy.ops.ed.undo()
        target = bpy.data.objects["MixamoRig"]
        log["action_after_undo"] = target.animation_data.action.name if target.animation_data.action else None
        log["actions_after_undo"] = sorted(a.name for a in bpy.data.actions)
        finish()
        return None
    if time.monotonic() - log["t0"] > 90:
        log["timeout"] = True
        finish()
        return None
    return 0.1


def finish():
    with open(result_path, "w") as handle:
        json.dump(log, handle, indent=1)
    bpy.ops.wm.quit_blender()


bpy.app.timers.register(start, first_interval=1.0)
