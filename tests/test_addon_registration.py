"""Registration hygiene and every panel's draw() against a recording layout (real bpy)."""

from __future__ import annotations

from typing import Any

import pytest

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
    import addon.preferences as prefs

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
