"""Detect Cuts / Apply Cuts / Export through the real bpy module, and the cut-scenes batch verb.

The clip is ``issue-195-aspect-ratio.mp4`` (628 frames at 25 fps, with audio; cuts at source
frames 70, 170, 301, 421, 484). Detection runs in the worker process exactly as in Blender.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import all_strips, editor_strips, sound_supported

ROOT = Path(__file__).resolve().parents[1]
CUTS = (70, 170, 301, 421, 484)


@pytest.fixture
def clip(data_dir: Path) -> Path:
    return data_dir / "cuts" / "pyscenedetect" / "issue-195-aspect-ratio.mp4"


def add_clip(bpy: Any, clip: Path, *, frame_start: int = 1, channel: int = 1, sound: bool = True) -> Any:
    scene = bpy.context.scene
    # The classic detector keeps these tests quick; test_detect_previews_... runs the default cascade.
    scene.clapper.cuts.detector = "fast"
    editor = scene.sequence_editor or scene.sequence_editor_create()
    movie = editor_strips(editor).new_movie(
        name="take", filepath=str(clip), channel=channel, frame_start=frame_start
    )
    if sound and sound_supported():
        editor_strips(editor).new_sound(
            name="take audio", filepath=str(clip), channel=channel + 1, frame_start=frame_start
        )
    for strip in all_strips(editor):
        strip.select = strip == movie
    return movie


def boundaries(bpy: Any, kind: str) -> list[int]:
    """Timeline frames where one piece of ``kind`` ends and the next begins."""
    pieces = sorted(
        s.frame_final_start for s in all_strips(bpy.context.scene.sequence_editor) if s.type == kind
    )
    return pieces[1:]


@pytest.mark.slow  # a whole take through the pipeline (5-9 s); build.py test --quick leaves it out
def test_detect_previews_without_touching_strips(blender: Any, clip: Path) -> None:
    bpy = blender
    add_clip(bpy, clip, frame_start=11)
    bpy.context.scene.clapper.cuts.detector = "auto"
    before = sorted(
        (s.name, s.frame_final_start, s.frame_final_end)
        for s in all_strips(bpy.context.scene.sequence_editor)
    )
    assert bpy.ops.clapper.detect_cuts() == {"FINISHED"}
    scene = bpy.context.scene
    props = scene.clapper.cuts
    assert [c.timeline_frame for c in props.cuts] == [11 + f for f in CUTS]
    assert [m.frame for m in sorted(scene.timeline_markers, key=lambda m: m.frame)] == [11 + f for f in CUTS]
    image = props.sources[0].curve_image
    assert image is not None and image.packed_file is not None and image.size[0] > image.size[1]
    after = sorted(
        (s.name, s.frame_final_start, s.frame_final_end) for s in all_strips(scene.sequence_editor)
    )
    assert after == before  # nothing cut yet
    assert bpy.ops.clapper.jump_to_cut(index=2) == {"FINISHED"}
    assert scene.frame_current == 11 + CUTS[2]


def test_apply_splits_movie_and_sound_together_and_never_twice(blender: Any, clip: Path) -> None:
    bpy = blender
    add_clip(bpy, clip, frame_start=1)
    assert bpy.ops.clapper.detect_cuts() == {"FINISHED"}
    assert bpy.ops.clapper.apply_cuts() == {"FINISHED"}
    expected = [1 + f for f in CUTS]
    sound = expected if sound_supported() else []  # no sound strips in a Blender without Audaspace
    assert boundaries(bpy, "MOVIE") == expected
    assert boundaries(bpy, "SOUND") == sound  # the audio (603 frames) covers every cut
    assert not [m for m in bpy.context.scene.timeline_markers if m.name.startswith("✂")]
    # Detect and apply again: the pieces are found, nothing is cut twice.
    for strip in all_strips(bpy.context.scene.sequence_editor):
        strip.select = strip.type == "MOVIE"
    assert bpy.ops.clapper.detect_cuts() == {"FINISHED"}
    assert bpy.ops.clapper.apply_cuts() == {"FINISHED"}
    assert boundaries(bpy, "MOVIE") == expected and boundaries(bpy, "SOUND") == sound


def test_trimmed_moved_strip_on_a_high_channel(blender: Any, clip: Path) -> None:
    bpy = blender
    movie = add_clip(bpy, clip, frame_start=101, channel=5, sound=False)
    movie.frame_offset_start = 100  # the first 100 source frames are trimmed away (cut 70 with them)
    movie.frame_start = 201  # then the strip is moved
    assert bpy.ops.clapper.detect_cuts() == {"FINISHED"}
    assert bpy.ops.clapper.apply_cuts() == {"FINISHED"}
    assert boundaries(bpy, "MOVIE") == [201 + f for f in CUTS[1:]]
    assert {s.channel for s in all_strips(bpy.context.scene.sequence_editor)} == {5}


def test_strips_inside_a_meta_strip(blender: Any, clip: Path) -> None:
    bpy = blender
    movie = add_clip(bpy, clip, frame_start=1, channel=2)
    editor = bpy.context.scene.sequence_editor
    meta = editor_strips(editor).new_meta(name="reel", channel=6, frame_start=1)
    for strip in [s for s in editor_strips(editor) if s.type in {"MOVIE", "SOUND"}]:
        strip.move_to_meta(meta)
    movie.select = True
    assert bpy.ops.clapper.detect_cuts() == {"FINISHED"}
    assert bpy.ops.clapper.apply_cuts() == {"FINISHED"}
    assert len([s for s in editor_strips(meta) if s.type == "MOVIE"]) == len(CUTS) + 1
    assert boundaries(bpy, "SOUND") == ([1 + f for f in CUTS] if sound_supported() else [])


def test_missing_media_and_no_selection_change_nothing(blender: Any, clip: Path, tmp_path: Path) -> None:
    bpy = blender
    movie = add_clip(bpy, clip, sound=False)
    movie.select = False
    with pytest.raises(RuntimeError, match="Select one or more movie strips"):
        bpy.ops.clapper.detect_cuts()
    movie.filepath = str(tmp_path / "moved_away.mp4")
    movie.select = True
    with pytest.raises(RuntimeError, match="missing"):
        bpy.ops.clapper.detect_cuts()
    assert len(bpy.context.scene.clapper.cuts.cuts) == 0
    assert len(bpy.context.scene.timeline_markers) == 0


def test_export_operator_writes_each_format(blender: Any, clip: Path, tmp_path: Path) -> None:
    bpy = blender
    add_clip(bpy, clip, sound=False)
    assert bpy.ops.clapper.detect_cuts() == {"FINISHED"}
    from ai_engine.cuts import formats

    fps = json.loads(bpy.context.scene.clapper.cuts.sources[0].cut_list_json)["fps"]
    for fmt in formats.names():
        out = tmp_path / f"reel{formats.get(fmt).suffix}"
        assert bpy.ops.clapper.export_cuts(format=fmt, filepath=str(out)) == {"FINISHED"}
        shots = formats.get(fmt).read_shots(out, fps)
        assert [start for start, _ in shots[1:]] == list(CUTS), fmt
        assert shots[-1][1] == 628


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "addon", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.slow  # a whole take through the pipeline (5-9 s); build.py test --quick leaves it out
def test_cut_scenes_verb_writes_blend_and_exports_and_is_idempotent(clip: Path, tmp_path: Path) -> None:
    blend, otio_path, edl = tmp_path / "cut.blend", tmp_path / "cut.otio", tmp_path / "cut.edl"
    proc = run_cli(
        "cut-scenes", str(clip), "--blend", str(blend), "--otio", str(otio_path), "--edl", str(edl), "--json"
    )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["cuts"] == list(CUTS) and summary["cuts_applied"] == len(CUTS)
    if sound_supported():
        assert summary["sound_cuts_applied"] == len(CUTS) and not summary["warnings"]
    else:  # the footage went in without its audio, and the verb says so
        assert summary["sound_cuts_applied"] == 0 and "Audaspace" in summary["warnings"][-1]
    from ai_engine.cuts import formats

    assert blend.exists() and summary["exports"] == {"otio": str(otio_path), "edl": str(edl)}
    for fmt, path in (("otio", otio_path), ("edl", edl)):
        assert [start for start, _ in formats.get(fmt).read_shots(path, 25.0)[1:]] == list(CUTS), fmt
    again = run_cli("cut-scenes", str(clip), "--blend", str(blend), "--detector", "fast", "--json")
    assert again.returncode == 0, again.stderr
    second = json.loads(again.stdout)
    assert second["added_strip"] is None and second["cuts_applied"] == 0


def test_cut_scenes_verb_reports_a_bad_video_as_json(tmp_path: Path) -> None:
    fake = tmp_path / "fake.mp4"
    fake.write_text("not a video")
    proc = run_cli("cut-scenes", str(fake), "--blend", str(tmp_path / "x.blend"), "--json")
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["error"]["type"] == "VideoOpenError"
    assert not (tmp_path / "x.blend").exists()


def test_panel_draws_the_detected_cuts(blender: Any, clip: Path) -> None:
    from tests.recording_layout import ContextProxy, RecordingLayout

    bpy = blender
    panel = bpy.types.CLAPPER_PT_sequencer_cuts

    def draw() -> list[tuple[str, str]]:
        layout = RecordingLayout(panel.bl_idname)
        panel.draw(type("PanelSelf", (), {"layout": layout})(), ContextProxy(bpy.context))
        return layout.calls

    movie = add_clip(bpy, clip, sound=False)
    assert ("label", "Detect Cuts reads the 1 selected movie strip.") in draw()
    movie.select = False
    assert ("label", "Select movie strips, then Detect Cuts.") in draw()
    movie.select = True
    assert bpy.ops.clapper.detect_cuts() == {"FINISHED"}
    calls = draw()
    assert not any(kind == "label" and "Detect Cuts" in text for kind, text in calls)
    assert {"template_list", "template_icon"} <= {kind for kind, _ in calls}
    assert ("operator", "clapper.apply_cuts") in calls


def test_variable_frame_rate_cuts_land_on_the_right_pictures(blender: Any, data_dir: Path) -> None:
    """goldeneye-vfr-drop3: cuts at decoded frames 60 and 140; Blender lays its 160 pictures out by
    timestamp over 239 frames at 23.976, where the same pictures are frames 90 and 210 (the
    ground truth's "original numbering")."""
    bpy = blender
    clip = data_dir / "cuts" / "pyscenedetect" / "goldeneye-vfr-drop3.mp4"
    movie = add_clip(bpy, clip, frame_start=1, sound=False)
    assert movie.frame_duration == 239
    assert bpy.ops.clapper.detect_cuts() == {"FINISHED"}
    assert bpy.ops.clapper.apply_cuts() == {"FINISHED"}
    assert boundaries(bpy, "MOVIE") == [1 + 90, 1 + 210]
