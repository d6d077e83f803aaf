"""Runs inside a real Blender window (tests/test_addon_gui.py starts it under Xvfb, 1600x900).

Drives one feature of the INSTALLED extension (bl_ext.user_default.clapper, installed from the
built zip by Blender's own `extension install-file`) from its sidebar panel, as an artist would:
the operators are invoked in the sidebar region (INVOKE_DEFAULT, the modal job path a button
click takes) and the window is grabbed (ImageMagick `import -window root`) before and after each
step, whole and cropped to the sidebar. Arguments after "--":
FEATURE (cuts|capture|retarget|fx|fx_model) SHOT_DIR RESULT_JSON MEDIA
"""

import importlib
import json
import os
import subprocess
import sys
import time
import traceback

import addon_utils
import bpy

feature, shot_dir, result_path, media = sys.argv[sys.argv.index("--") + 1 :][:4]
MODULE = "bl_ext.user_default.clapper"
EDITOR = {
    "cuts": "SEQUENCE_EDITOR",
    "capture": "VIEW_3D",
    "retarget": "VIEW_3D",
    "fx": "IMAGE_EDITOR",
    "fx_model": "IMAGE_EDITOR",
}
log: dict = {"feature": feature, "events": [], "shots": [], "reports": []}
os.makedirs(shot_dir, exist_ok=True)
bpy.context.preferences.view.show_splash = False  # read before Blender decides to show it
bpy.context.preferences.view.show_tooltips = False
win = bpy.context.window_manager.windows[0]
area = max(win.screen.areas, key=lambda a: a.width * a.height)
area.ui_type = EDITOR[feature]
area.spaces.active.show_region_ui = True
mod = addon_utils.enable(
    MODULE, default_set=True, handle_error=lambda exc: log.setdefault("enable", repr(exc))
)
log["enabled"] = mod is not None and MODULE in bpy.context.preferences.addons
log["module_file"] = getattr(mod, "__file__", None)


def regions():
    return (
        next(r for r in area.regions if r.type == "WINDOW"),
        next(r for r in area.regions if r.type == "UI"),
    )


def invoke(op_name: str) -> list:
    _, sidebar = regions()
    group, name = op_name.split(".")
    with bpy.context.temp_override(window=win, area=area, region=sidebar):
        try:
            return sorted(getattr(getattr(bpy.ops, group), name)("INVOKE_DEFAULT"))
        except RuntimeError as exc:  # an operator's ERROR report raises when called from a script
            log["reports"].append(str(exc))
            return ["ERROR"]


def shot(name: str) -> None:
    """Grab the whole window and the sidebar (the window covers the Xvfb screen at 0,0)."""
    _, sidebar = regions()
    try:
        sidebar.active_panel_category = "Clapper"
    except TypeError as exc:  # the tab is missing: the panels did not register
        log.setdefault("tab_error", str(exc))
    with bpy.context.temp_override(window=win, area=area):
        bpy.ops.wm.redraw_timer(type="DRAW_WIN_SWAP", iterations=8)  # panels finish their slide
    full = os.path.join(shot_dir, f"{feature}_{name}_window.png")
    crop = os.path.join(shot_dir, f"{feature}_{name}_sidebar.png")
    subprocess.run(["import", "-window", "root", full], check=True, timeout=60)
    top = win.height - (sidebar.y + sidebar.height)
    geometry = f"{sidebar.width}x{sidebar.height}+{sidebar.x}+{top}"
    subprocess.run(["convert", full, "-crop", geometry, "+repage", crop], check=True, timeout=60)
    log["shots"].append([name, full, crop, sidebar.active_panel_category])


def status() -> tuple[bool, str]:
    st = bpy.context.window_manager.clapper_job
    return bool(st.running), str(st.message)


STEPS: list = []  # (op name or callable, shot name after it) run in order, each waiting for its job


def setup() -> None:
    scene = bpy.context.scene
    props = scene.clapper
    if feature == "cuts":
        props.footage.filepath = media
        STEPS.extend(
            [
                ("clapper.add_footage", "1_footage"),
                ("clapper.detect_cuts", "2_detected"),
                ("clapper.apply_cuts", "3_applied"),
            ]
        )
    elif feature in {"capture", "retarget"}:
        sample_rigs = importlib.import_module(MODULE + ".retarget.sample_rigs")
        for obj in list(bpy.data.objects):
            bpy.data.objects.remove(obj)
        rig = sample_rigs.mixamo_like_rig("MixamoRig")
        bpy.context.view_layer.objects.active = rig
        if feature == "capture":
            props.capture.video, props.capture.target = media, rig
            STEPS.append(("clapper.capture", "1_captured"))
        else:
            props.retarget.source_path, props.retarget.target = media, rig
            STEPS.append(("clapper.retarget", "1_retargeted"))
    elif feature in {"fx", "fx_model"}:
        if feature == "fx_model":  # a model file from Train (MEDIA): the torch path, on any build
            props.fx.source, props.fx.model_path = "MODEL", media
        cube = bpy.data.objects.get("Cube")
        bpy.context.view_layer.objects.active = cube
        STEPS.append(("clapper.fx_generate", "1_generated"))
    bpy.ops.ed.undo_push(message="setup")


def before() -> float | None:
    try:
        setup()
        shot("0_before")
    except Exception:
        log["error"] = traceback.format_exc()
        finish()
        return None
    bpy.app.timers.register(next_step, first_interval=0.5)
    return None


def next_step() -> float | None:
    if not STEPS:
        finish()
        return None
    op_name = STEPS[0][0]
    if feature == "cuts" and op_name == "clapper.detect_cuts":
        from_strips = importlib.import_module(MODULE + ".core.compat").all_strips(
            bpy.context.scene.sequence_editor
        )
        for s in from_strips:
            s.select = True
    log["events"].append([op_name, invoke(op_name)])
    log["t0"] = time.monotonic()
    bpy.app.timers.register(watch, first_interval=0.3)
    return None


def watch() -> float | None:
    running, message = status()
    op_name, shot_name = STEPS[0]
    if running:
        log["events"].append([op_name, round(time.monotonic() - log["t0"], 1), message])
        if "mid" not in log:  # the panel while the job runs (progress bar, Esc hint)
            log["mid"] = op_name
            shot(f"{shot_name}_running")
        if time.monotonic() - log["t0"] > 240:
            log["timeout"] = op_name
            finish()
            return None
        return 0.5
    if not log.pop("settled", False):  # let the event loop slide the panels to their new size first
        area.tag_redraw()
        log["settled"] = True
        return 1.0
    log.pop("mid", None)
    STEPS.pop(0)
    shot(shot_name)
    bpy.app.timers.register(next_step, first_interval=0.3)
    return None


def finish() -> None:
    scene = bpy.context.scene
    try:
        if feature == "cuts":
            compat = importlib.import_module(MODULE + ".core.compat")
            log["strips"] = sorted(
                (s.type, s.frame_final_start, s.frame_final_end)
                for s in compat.all_strips(scene.sequence_editor)
            )
            log["cuts"] = [c.timeline_frame for c in scene.clapper.cuts.cuts]
            log["report"] = scene.clapper.cuts.last_report
        elif feature in {"capture", "retarget"}:
            rig = bpy.data.objects["MixamoRig"]
            action = rig.animation_data.action if rig.animation_data else None
            log["action"] = action.name if action else None
            log["frame_range"] = list(action.frame_range) if action else None
            log["report"] = getattr(scene.clapper, feature).last_report
        elif feature in {"fx", "fx_model"}:
            cube = bpy.data.objects.get("Cube")
            log["materials"] = [m.name for m in cube.data.materials if m] if cube else []
            log["report"] = scene.clapper.fx.last_report
            log["image_editor"] = getattr(area.spaces.active.image, "name", None)
        log["job_error"] = bpy.context.window_manager.clapper_job.error
    except Exception:
        log["finish_error"] = traceback.format_exc()
    with open(result_path, "w") as handle:
        json.dump(log, handle, indent=1)
    bpy.ops.wm.quit_blender()


bpy.app.timers.register(before, first_interval=1.5)
