"""Scenes in the Sequencer through the real bpy module: timeline checks, repairs, Group Scenes, batch verbs.

Timelines are cut from ``issue-195-aspect-ratio.mp4`` (628 frames at 25 fps, with sound).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest
from conftest import editor_strips, sound_supported

CLIP = Path("cuts") / "pyscenedetect" / "issue-195-aspect-ratio.mp4"


def cut_edit(bpy: Any, clip: Path, cuts: tuple[int, ...] = (70, 170, 301), sound: bool = True) -> Any:
    """A movie strip and its sound, both cut at the same frames (a clean edit).

    Skips the test when ``sound`` is asked of a Blender without Audaspace (the bpy 4.2.23 module).
    """
    if sound and not sound_supported():
        pytest.skip("this Blender has no sound support (Audaspace): the timeline checks need sound strips")
    scene = bpy.context.scene
    scene.render.fps = 25
    editor = scene.sequence_editor_create()
    pieces = [editor_strips(editor).new_movie(name="take", filepath=str(clip), channel=1, frame_start=1)]
    if sound:
        pieces.append(
            editor_strips(editor).new_sound(name="take audio", filepath=str(clip), channel=2, frame_start=1)
        )
    for frame in sorted(cuts, reverse=True):
        for piece in pieces:
            piece.split(frame=1 + frame, split_method="SOFT")
    return editor


def effect(editor: Any, name: str, kind: str, channel: int, start: int, length: int, *inputs: Any) -> Any:
    """``new_effect`` in every Blender: 4.2 takes ``frame_end``/``seq1``, 4.5 ``frame_end``/``input1``, 5.0 ``length``/``input1``."""
    strips = editor_strips(editor)
    params = strips.bl_rna.functions["new_effect"].parameters.keys()
    extra: dict[str, Any] = {"length": length} if "length" in params else {"frame_end": start + length}
    names = ("input1", "input2") if "input1" in params else ("seq1", "seq2")
    extra.update(zip(names, inputs, strict=False))
    return strips.new_effect(name=name, type=kind, channel=channel, frame_start=start, **extra)


def shown(editor: Any, frame: int) -> tuple[Any, ...] | None:
    """(file, source frame) of the top picture playing at ``frame`` — what the viewer sees."""
    from addon.scenes.timeline import media, pictures

    playing = [s for s in pictures(editor) if s.frame_final_start <= frame < s.frame_final_end]
    if not playing:
        return None
    top = max(playing, key=lambda s: s.channel)
    return (media(top), int(frame - top.frame_start))


def heard(editor: Any, frame: int) -> set[tuple[str, int]]:
    from addon.scenes.timeline import media, sounds

    return {
        (media(s), int(frame - s.frame_start))
        for s in sounds(editor)
        if s.frame_final_start <= frame < s.frame_final_end
    }


def playback(editor: Any, last: int = 640) -> list[Any]:
    return [(shown(editor, f), heard(editor, f)) for f in range(1, last)]


def by_name(editor: Any, name: str) -> Any:
    return editor_strips(editor).get(name)


def plant_errors(editor: Any) -> dict[str, int]:
    """A gap, a one-frame strip, sound not cut with its picture, a sound slipped 3 frames."""
    movies = sorted(
        (s for s in editor_strips(editor) if s.type == "MOVIE"), key=lambda s: s.frame_final_start
    )
    sounds = sorted(
        (s for s in editor_strips(editor) if s.type == "SOUND"), key=lambda s: s.frame_final_start
    )
    # flash: the last frame of shot 1 becomes its own 1-frame strip (picture and sound)
    flash = movies[0].split(frame=70, split_method="SOFT")
    sounds[0].split(frame=70, split_method="SOFT")
    # picture cut at 120 inside shot 2, its sound not
    movies[1].split(frame=120, split_method="SOFT")
    # sound of shot 3 slipped 3 frames late (a move of the sound alone, then re-trimmed)
    slipped = sounds[2]
    start, end = slipped.frame_final_start, slipped.frame_final_end
    slipped.frame_start += 3
    slipped.frame_final_start, slipped.frame_final_end = start, end
    # gap: everything from shot 4 on moves 6 frames right
    for s in [s for s in editor_strips(editor) if s.frame_final_start >= 302]:
        s.frame_start += 6
    return {"flash": flash.frame_final_start, "gap": 302, "slip": start, "cut": 120}


def test_planted_timeline_errors_are_all_found_and_repaired(blender: Any, data_dir: Path) -> None:
    from addon.scenes.timeline import apply_all, find_problems

    bpy = blender
    editor = cut_edit(bpy, data_dir / CLIP)
    clean = playback(editor)
    assert find_problems(editor) == []
    where = plant_errors(editor)
    problems = find_problems(editor)
    kinds = {(p.kind, p.first) for p in problems}
    assert ("short_strip", where["flash"]) in kinds
    assert ("gap", where["gap"]) in kinds
    assert ("sound_not_cut", where["cut"]) in kinds
    assert ("sound_out_of_sync", where["slip"]) in kinds
    assert playback(editor) != clean
    done = apply_all(editor, problems)
    assert len(done) == 4
    assert find_problems(editor) == []
    assert playback(editor) == clean  # the same pictures and sound on every frame


def test_repair_cancelled_half_way_leaves_the_timeline_exactly_as_it_was(
    blender: Any, data_dir: Path
) -> None:
    from addon.scenes.timeline import RepairCancelled, apply_all, find_problems, snapshot

    editor = cut_edit(blender, data_dir / CLIP)
    plant_errors(editor)
    before = snapshot(editor)
    problems = find_problems(editor)
    calls = iter(range(100))
    with pytest.raises(RepairCancelled):
        apply_all(editor, problems, should_stop=lambda: next(calls) >= 3)
    assert snapshot(editor) == before
    assert find_problems(editor) == problems


def test_sound_cut_where_the_picture_is_not_is_joined(blender: Any, data_dir: Path) -> None:
    from addon.scenes.timeline import find_problems, repair_one

    editor = cut_edit(blender, data_dir / CLIP)
    clean = playback(editor)
    sound = next(s for s in editor_strips(editor) if s.type == "SOUND" and s.frame_final_start == 1)
    sound.split(frame=40, split_method="SOFT")
    problems = find_problems(editor)
    assert [(p.kind, p.first) for p in problems] == [("sound_cut_alone", 40)]
    repair_one(editor, problems[0])
    assert find_problems(editor) == []
    assert playback(editor) == clean


def test_meta_muted_image_colour_and_effect_strips(blender: Any, data_dir: Path) -> None:
    from addon.scenes.timeline import find_problems

    bpy = blender
    editor = bpy.context.scene.sequence_editor_create()
    image = data_dir / "mocap" / "images_people" / "basketball1.png"
    red = effect(editor, "red", "COLOR", 1, 1, 50)
    picture = editor_strips(editor).new_image(name="still", filepath=str(image), channel=1, frame_start=51)
    picture.frame_final_end = 101
    movie = editor_strips(editor).new_movie(
        name="take", filepath=str(data_dir / CLIP), channel=2, frame_start=101
    )
    movie.frame_final_end = 160
    # a dissolve from the still into the movie: its inputs overlap by design
    picture.frame_final_end = 111
    effect(editor, "mix", "CROSS", 3, 101, 10, picture, movie)
    muted = effect(editor, "muted", "COLOR", 5, 1, 200)
    muted.mute = True
    meta = editor_strips(editor).new_meta(name="group", channel=1, frame_start=160)
    inner = effect(editor, "inner", "COLOR", 4, 160, 40)
    inner.move_to_meta(meta)
    meta.frame_final_end = 200  # a new meta strip does not grow to its content by itself
    problems = find_problems(editor)
    assert red.frame_final_duration == 50
    assert problems == [], [p.detail for p in problems]
    # a 1-frame colour strip on top of the still is a flash and hides the still for a frame
    effect(editor, "flash", "COLOR", 6, 60, 1)
    kinds = sorted(p.kind for p in find_problems(editor))
    assert kinds == ["hidden_strip", "short_strip"]


def test_check_edit_operator_lists_and_repairs_in_one_step(blender: Any, data_dir: Path) -> None:
    bpy = blender
    editor = cut_edit(bpy, data_dir / CLIP)
    plant_errors(editor)
    assert bpy.ops.clapper.check_edit() == {"FINISHED"}
    props = bpy.context.scene.clapper.scenes
    assert len(props.problems) == 4 and all(p.repairable for p in props.problems)
    assert bpy.ops.clapper.repair_problem(all=True) == {"FINISHED"}
    assert len(props.problems) == 0


def test_check_edit_batch_on_a_blend_without_sequencer_says_what_to_do(blender: Any, tmp_path: Path) -> None:
    from addon.core.batch import BatchError
    from addon.scenes import batch

    bpy = blender
    empty = tmp_path / "empty.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(empty))
    args = argparse.Namespace(edit=str(empty), repair=True, scene=None, blend=str(tmp_path / "out.blend"))
    with pytest.raises(BatchError, match="no Sequencer strips"):
        batch.run(args)
    assert not (tmp_path / "out.blend").exists()


def test_check_edit_batch_repairs_and_saves(blender: Any, data_dir: Path, tmp_path: Path) -> None:
    from addon.scenes import batch
    from addon.scenes.timeline import find_problems

    bpy = blender
    editor = cut_edit(bpy, data_dir / CLIP)
    clean = playback(editor)
    plant_errors(editor)
    edit = tmp_path / "edit.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(edit))
    out = tmp_path / "out.blend"
    report = batch.run(argparse.Namespace(edit=str(edit), repair=True, scene=None, blend=str(out)))
    entry = next(iter(report["scenes"].values()))
    assert len(entry["problems"]) == 4 and len(entry["repairs"]) == 4 and entry["after"] == []
    bpy.ops.wm.open_mainfile(filepath=str(out))
    editor = bpy.context.scene.sequence_editor
    assert find_problems(editor) == []
    assert playback(editor) == clean


def test_group_scenes_tags_marks_and_lists_scenes_in_one_step(blender: Any, data_dir: Path) -> None:
    """Runs the scenes.group job in the worker, exactly as in Blender."""
    bpy = blender
    editor = cut_edit(bpy, data_dir / CLIP, cuts=(70, 170, 301, 421, 484), sound=sound_supported())
    for s in editor_strips(editor):
        s.select = s.type == "MOVIE"
    bpy.context.scene.clapper.cuts.detector = "fast"
    assert bpy.ops.clapper.group_scenes() == {"FINISHED"}
    scene = bpy.context.scene
    props = scene.clapper.scenes
    assert len(props.scenes) >= 1
    markers = sorted((m.frame, m.name) for m in scene.timeline_markers if m.name.startswith("Scene "))
    assert markers == [(item.frame_start, f"Scene {item.number}") for item in props.scenes]
    assert markers[0][0] == 1
    # every piece (picture and sound) carries its scene's colour; pieces of one scene share it
    for item in props.scenes:
        inside = [
            s for s in editor_strips(editor) if item.frame_start <= s.frame_final_start <= item.frame_end
        ]
        assert inside and {s.color_tag for s in inside} == {item.color_tag}
    assert bpy.ops.clapper.jump_to_scene(index=len(props.scenes) - 1) == {"FINISHED"}
    assert scene.frame_current == props.scenes[len(props.scenes) - 1].frame_start


def test_make_edit_batch_lays_whole_shots_with_their_sound(
    blender: Any, data_dir: Path, tmp_path: Path
) -> None:
    from addon.scenes import batch_make

    bpy = blender
    out = tmp_path / "edit.blend"
    args = argparse.Namespace(
        video=str(data_dir / CLIP),
        seconds=12.0,
        min_shot_seconds=2.0,
        detector="fast",
        blend=str(out),
        json=True,
    )
    report = batch_make.run(args)
    shots = {(70, 169), (170, 300), (301, 420), (421, 483), (484, 627), (0, 69)}
    assert report["shots"], report
    assert all((s["first"], s["last"]) in shots for s in report["shots"])  # whole shots only
    assert all(s["last"] - s["first"] + 1 >= 50 for s in report["shots"])  # none under 2 s
    assert report["seconds"] <= 12.0
    bpy.ops.wm.open_mainfile(filepath=str(out))
    edit = bpy.data.scenes["Edit"]
    strips = sorted(editor_strips(edit.sequence_editor), key=lambda s: (s.frame_final_start, s.type))
    movies = [s for s in strips if s.type == "MOVIE"]
    sounds = [s for s in strips if s.type == "SOUND"]
    assert len(movies) == len(report["shots"])
    assert len(sounds) == (len(movies) if sound_supported() else 0)  # no sound in a Blender without Audaspace
    for movie, shot in zip(movies, report["shots"], strict=True):
        assert movie.frame_final_start - movie.frame_start == shot["first"]  # shows that shot's frames
        assert movie.frame_final_duration == shot["last"] - shot["first"] + 1
    for movie, sound in zip(movies, sounds, strict=False):
        assert (sound.frame_start, sound.frame_final_start, sound.frame_final_end) == (
            movie.frame_start,
            movie.frame_final_start,
            movie.frame_final_end,
        )
    from addon.scenes.timeline import find_problems

    assert find_problems(edit.sequence_editor) == []  # end to end, in sync, nothing short
