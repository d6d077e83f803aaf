# ruff: noqa: E402  (the repository goes on sys.path before the add-on is imported)
"""Runs inside a real Blender window (tests/test_addon_gui.py starts it under Xvfb).

Add Footage runs modally (INVOKE_DEFAULT) from a timer while the window stays live; one undo
removes all it did; then a long job is cancelled with a simulated Esc and applies nothing.
Arguments after "--": REPO_ROOT VIDEO RESULT_JSON.
"""

import json
import sys
import time

repo, video, result_path = sys.argv[sys.argv.index("--") + 1 :][:3]
sys.path.insert(0, repo)
import bpy

import addon

addon.register()
log = {"events": []}
scene = bpy.context.scene
win = bpy.context.window_manager.windows[0]
area = next(a for a in win.screen.areas if a.type in {"VIEW_3D", "SEQUENCE_EDITOR"})
area.type = "SEQUENCE_EDITOR"
region = next(r for r in area.regions if r.type == "WINDOW")
scene.clapper.footage.filepath = video


def start():
    with bpy.context.temp_override(window=win, area=area, region=region):
        r = bpy.ops.clapper.add_footage("INVOKE_DEFAULT")
    log["invoke"] = sorted(r)
    log["t0"] = time.monotonic()
    bpy.app.timers.register(watch_footage, first_interval=0.1)


def watch_footage():
    st = bpy.context.window_manager.clapper_job
    log["events"].append(
        [round(time.monotonic() - log["t0"], 2), st.running, round(st.fraction, 2), st.message]
    )
    ed = scene.sequence_editor
    from addon.core.compat import strips as S

    if ed and len(S(ed)) and not st.running:
        log["strips"] = [(s.type, s.frame_final_start, s.frame_final_end) for s in S(ed)]
        log["fps"] = scene.render.fps
        with bpy.context.temp_override(window=win, area=area, region=region):
            bpy.ops.ed.undo()
        log["strips_after_undo"] = (
            len(S(bpy.context.scene.sequence_editor)) if bpy.context.scene.sequence_editor else 0
        )
        bpy.app.timers.register(start_long, first_interval=0.2)
        return None
    if time.monotonic() - log["t0"] > 60:
        log["timeout"] = "footage"
        finish()
        return None
    return 0.1


class LongJob(addon.core.jobs.EngineJobOperator, bpy.types.Operator):
    bl_idname = "clapper.test_long_job"
    bl_label = "Long"
    job_label = "Long test job"

    def build_job(self, context):
        return "engine.diagnostics", {"steps": 100000, "step_seconds": 0.01}

    def apply_result(self, context, result):
        log["long_applied"] = True


def start_long():
    bpy.utils.register_class(LongJob)
    with bpy.context.temp_override(window=win, area=area, region=region):
        r = bpy.ops.clapper.test_long_job("INVOKE_DEFAULT")
    log["long_invoke"] = sorted(r)
    log["t1"] = time.monotonic()
    bpy.app.timers.register(watch_long, first_interval=0.1)


def watch_long():
    st = bpy.context.window_manager.clapper_job
    log["events"].append(
        ["long", round(time.monotonic() - log["t1"], 2), st.running, round(st.fraction, 4), st.message]
    )
    if st.running and st.fraction > 0 and "esc_sent" not in log:
        win.event_simulate(type="ESC", value="PRESS")
        log["esc_sent"] = round(time.monotonic() - log["t1"], 2)
    elif "esc_sent" in log and not st.running:
        log["after_cancel_running"] = st.running
        from addon.core.jobs import active_job

        log["active_after"] = active_job() is not None
        finish()
        return None
    if time.monotonic() - log["t1"] > 60:
        log["timeout"] = "long"
        finish()
        return None
    return 0.1


def finish():
    json.dump(log, open(result_path, "w"), indent=1)
    bpy.ops.wm.quit_blender()


bpy.app.timers.register(start, first_interval=1.0)
