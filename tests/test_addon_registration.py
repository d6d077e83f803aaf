"""Registration hygiene and every panel's draw() against a recording layout (real bpy)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import EXIT_WITHOUT_TEARDOWN

from tests.recording_layout import ContextProxy, LayoutError, RecordingLayout


def clapper_classes(bpy: Any) -> set[str]:
    return {name for name in dir(bpy.types) if name.startswith(("CLAPPER_", "Clapper"))}


def all_subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(all_subclasses(sub))
    return found


def clapper_panels(bpy: Any) -> list[type]:
    return [
        p
        for p in all_subclasses(bpy.types.Panel)
        if getattr(p, "bl_idname", "").startswith("CLAPPER_PT") and getattr(p, "is_registered", False)
    ]


def test_register_unregister_register_leaves_nothing_behind(blender: Any) -> None:
    import addon

    bpy = blender
    registered = clapper_classes(bpy)
    assert "CLAPPER_OT_add_footage" in registered
    assert hasattr(bpy.types.Scene, "clapper")
    addon.unregister()
    try:
        assert clapper_classes(bpy) == set()
        assert not hasattr(bpy.types.Scene, "clapper")
        assert not hasattr(bpy.types.WindowManager, "clapper_job")
        with pytest.raises((AttributeError, KeyError)):
            bpy.ops.clapper.add_footage.get_rna_type()
    finally:
        addon.register()
    assert clapper_classes(bpy) == registered
    addon.register()  # a second register() is harmless
    assert clapper_classes(bpy) == registered


def test_properties_are_attached_once_and_usable(blender: Any) -> None:
    bpy = blender
    bpy.ops.scene.new(type="EMPTY")
    props = bpy.context.scene.clapper
    props.footage.filepath = "//clip.mp4"
    assert bpy.context.scene.clapper.footage.filepath == "//clip.mp4"
    assert bpy.context.window_manager.clapper_job.running is False


def test_preferences_have_device_threads_and_model_folder(blender: Any) -> None:
    import addon.core.preferences as prefs

    rna = prefs.CLAPPER_AP_preferences.bl_rna.properties
    assert {"device", "threads", "model_dir"} <= set(rna.keys())
    assert [item.identifier for item in rna["device"].enum_items] == ["AUTO", "CPU", "CUDA"]
    assert prefs.CLAPPER_AP_preferences.bl_idname == "addon"


def test_every_panel_draws_only_existing_properties_and_operators(blender: Any) -> None:
    bpy = blender
    bpy.ops.scene.new(type="EMPTY")
    panels = clapper_panels(bpy)
    assert panels, "no Clapper panels registered"
    for job_running in (False, True):
        bpy.context.window_manager.clapper_job.running = job_running
        for panel in panels:
            layout = RecordingLayout(panel.bl_idname)
            context = ContextProxy(bpy.context)
            if hasattr(panel, "poll") and not panel.poll(context):
                continue
            panel.draw(type("PanelSelf", (), {"layout": layout, "bl_idname": panel.bl_idname})(), context)
            assert layout.calls, f"{panel.bl_idname} drew nothing"
    bpy.context.window_manager.clapper_job.running = False


def test_recording_layout_catches_a_misspelt_property(blender: Any) -> None:
    layout = RecordingLayout("test")
    with pytest.raises(LayoutError):
        layout.prop(blender.context.scene.clapper.footage, "file_path")
    with pytest.raises(LayoutError):
        layout.operator("clapper.no_such_operator")


NO_ENGINE_SCRIPT = (
    r"""
import importlib.abc, json, sys

class NoEngine(importlib.abc.MetaPathFinder):
    # A Blender whose Python cannot import the engine (missing, or built for another Python).
    def find_spec(self, name, path=None, target=None):
        if name == "ai_engine" or name.startswith("ai_engine."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NoEngine())
import bpy
import addon
addon.register()
from addon.core.engine import engine_problem
print(json.dumps({
    "registered": hasattr(bpy.types, "CLAPPER_PT_capture") and hasattr(bpy.types.Scene, "clapper"),
    "problem": engine_problem(),
    "engine_loaded": sorted(m for m in sys.modules if m.split(".")[0] == "ai_engine"),
}))
"""
    + EXIT_WITHOUT_TEARDOWN
)


def test_the_add_on_registers_without_the_engine_and_says_so() -> None:
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(
        [sys.executable, "-c", NO_ENGINE_SCRIPT], cwd=root, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["registered"] is True
    assert report["engine_loaded"] == []
    assert "ai_engine missing" in report["problem"] and "Install the Clapper zip" in report["problem"]


def test_registration_imports_no_engine_module() -> None:
    import json
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import json, sys, bpy, addon\n"
        "before = {m for m in sys.modules if m.split('.')[0] == 'ai_engine'}\n"
        "addon.register()\n"
        "print(json.dumps(sorted({m for m in sys.modules if m.split('.')[0] == 'ai_engine'} - before)))\n"
        + EXIT_WITHOUT_TEARDOWN
    )
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []
