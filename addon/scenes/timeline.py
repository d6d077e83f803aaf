"""Timeline checks and one-step repairs on a Sequencer (top level of the edit; no engine needed).

What is checked (``find_problems``), on the strips that play: muted strips are skipped; a meta strip
counts as one picture strip (its inside is its own timeline); effect strips are skipped and their
inputs are not "hidden" by them; image, colour, text, scene and movie strips are pictures.

* ``gap``: frames between the first and last picture where no picture plays → close the gap
  (every strip that starts after it moves left by its length).
* ``short_strip``: a picture strip of 1–2 frames (a flash frame) → remove it (and its own sound)
  and extend the picture before it (or after it) over its frames.
* ``hidden_strip``: a picture strip covered by a higher channel over some frames (report only: which
  one should show is a human decision).
* ``sound_not_cut``: a movie's own sound (same file, same start) is not cut where the picture is → cut
  it there; ``sound_cut_alone``: the sound is cut where the picture is not → join the two pieces.
* ``sound_out_of_sync``: a movie's sound plays the file offset from its picture (after a trim or
  move) → slip it back: same start as the picture, same handles as the picture.
* ``jump_cut`` problems from the video check come in as markers (report only).

Repairs go through ``Repair`` objects: ``apply(editor)`` records everything it changes, and
``apply_all`` restores every recorded change when a step fails or ``should_stop()`` turns true half
way — so a cancelled repair leaves the timeline exactly as it was.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..core.compat import strips as top_strips

PICTURE_TYPES = {"MOVIE", "IMAGE", "COLOR", "TEXT", "SCENE", "META", "MOVIECLIP", "MASK"}
TIMELINE_KINDS = (
    "gap",
    "short_strip",
    "hidden_strip",
    "sound_not_cut",
    "sound_cut_alone",
    "sound_out_of_sync",
)
REPAIRABLE = {"gap", "short_strip", "sound_not_cut", "sound_cut_alone", "sound_out_of_sync"}
SHORT = 2  # a picture strip this short (frames) is a flash frame


def _abspath(path: str) -> str:
    import bpy

    return os.path.normcase(os.path.realpath(bpy.path.abspath(path))) if path else ""


def media(strip: Any) -> str:
    if strip.type == "MOVIE":
        return _abspath(strip.filepath)
    if strip.type == "SOUND" and strip.sound is not None:
        return _abspath(strip.sound.filepath)
    return ""


def is_picture(strip: Any) -> bool:
    return strip.type in PICTURE_TYPES and not strip.mute


def pictures(editor: Any) -> list[Any]:
    return sorted(
        (s for s in top_strips(editor) if is_picture(s)), key=lambda s: (s.frame_final_start, s.channel)
    )


def sounds(editor: Any) -> list[Any]:
    return [s for s in top_strips(editor) if s.type == "SOUND" and not s.mute]


def effect_inputs(editor: Any) -> list[set[str]]:
    """The input strips of every effect strip (an effect shows its inputs mixed: they overlap by design)."""
    groups: list[set[str]] = []
    for s in top_strips(editor):
        names = {o.name for attr in ("input_1", "input_2") if (o := getattr(s, attr, None)) is not None}
        if names:
            groups.append(names)
    return groups


@dataclass
class TimelineProblem:
    kind: str
    first: int  # timeline frames, inclusive
    last: int
    detail: str
    strip: str = ""
    other: str = ""

    @property
    def repairable(self) -> bool:
        return self.kind in REPAIRABLE


def _gaps(editor: Any) -> list[TimelineProblem]:
    spans = sorted((s.frame_final_start, s.frame_final_end) for s in pictures(editor))
    out: list[TimelineProblem] = []
    if not spans:
        return out
    reach = spans[0][1]
    for start, end in spans[1:]:
        if start > reach:
            out.append(
                TimelineProblem("gap", reach, start - 1, f"{start - reach} empty frame(s) between pictures")
            )
        reach = max(reach, end)
    return out


def _short(editor: Any) -> list[TimelineProblem]:
    return [
        TimelineProblem(
            "short_strip",
            s.frame_final_start,
            s.frame_final_end - 1,
            f"'{s.name}' lasts {s.frame_final_duration} frame(s): a flash frame",
            strip=s.name,
        )
        for s in pictures(editor)
        if s.frame_final_duration <= SHORT
    ]


def _hidden(editor: Any) -> list[TimelineProblem]:
    groups = effect_inputs(editor)
    pics = pictures(editor)
    out = []
    for low in pics:
        for high in pics:
            if any({low.name, high.name} <= g for g in groups):
                continue
            if high.channel <= low.channel or getattr(high, "blend_type", "REPLACE") not in {
                "REPLACE",
                "ALPHA_OVER",
            }:
                continue
            if high.type in {"TEXT"} or getattr(high, "blend_alpha", 1.0) < 1.0:
                continue  # titles and see-through strips are meant to sit on top
            first = max(low.frame_final_start, high.frame_final_start)
            end = min(low.frame_final_end, high.frame_final_end)
            if end > first:
                whole = first == low.frame_final_start and end == low.frame_final_end
                out.append(
                    TimelineProblem(
                        "hidden_strip",
                        first,
                        end - 1,
                        f"'{low.name}' is {'entirely' if whole else 'partly'} hidden by '{high.name}' (channel {high.channel})",
                        strip=low.name,
                        other=high.name,
                    )
                )
    return out


def _partner_movie(editor: Any, sound: Any) -> Any:
    """The movie strip this sound belongs to: same file, most time in common (else nearest)."""
    path = media(sound)
    movies = [m for m in top_strips(editor) if m.type == "MOVIE" and media(m) == path]
    if not movies:
        return None

    def overlap(m: Any) -> int:
        return min(m.frame_final_end, sound.frame_final_end) - max(
            m.frame_final_start, sound.frame_final_start
        )

    best = max(movies, key=overlap)
    if overlap(best) > 0:
        return best
    return min(movies, key=lambda m: abs(m.frame_final_start - sound.frame_final_start))


def _sound(editor: Any) -> list[TimelineProblem]:
    out: list[TimelineProblem] = []
    synced: dict[tuple[str, int], list[Any]] = {}
    for sound in sounds(editor):
        movie = _partner_movie(editor, sound)
        if movie is None:
            continue
        offset = round(sound.frame_start - movie.frame_start)
        if offset != 0 or (
            sound.frame_final_start != movie.frame_final_start
            and sound.frame_final_end != movie.frame_final_end
            and not (movie.frame_final_start <= sound.frame_final_start < movie.frame_final_end)
        ):
            if offset != 0:
                out.append(
                    TimelineProblem(
                        "sound_out_of_sync",
                        sound.frame_final_start,
                        sound.frame_final_end - 1,
                        f"'{sound.name}' plays {abs(offset)} frame(s) {'late' if offset > 0 else 'early'} against '{movie.name}'",
                        strip=sound.name,
                        other=movie.name,
                    )
                )
                continue
        synced.setdefault((media(sound), round(sound.frame_start)), []).append(sound)
    # Cuts: compare piece boundaries of picture and sound of one file laid at one start.
    for (path, start), pieces in synced.items():
        movies = [
            m
            for m in top_strips(editor)
            if m.type == "MOVIE" and media(m) == path and round(m.frame_start) == start and not m.mute
        ]
        if not movies:
            continue
        lo = min(m.frame_final_start for m in movies)
        hi = max(m.frame_final_end for m in movies)
        inner_sound = {p.frame_final_start for p in pieces} | {p.frame_final_end for p in pieces}
        inner_movie = {m.frame_final_start for m in movies} | {m.frame_final_end for m in movies}
        covered = lambda f, group: any(p.frame_final_start < f < p.frame_final_end for p in group)  # noqa: E731
        for frame in sorted(inner_movie - inner_sound):
            if lo < frame < hi and covered(frame, pieces):
                host = next(p for p in pieces if p.frame_final_start < frame < p.frame_final_end)
                out.append(
                    TimelineProblem(
                        "sound_not_cut",
                        frame,
                        frame,
                        f"the picture is cut at {frame}, its sound '{host.name}' is not",
                        strip=host.name,
                    )
                )
        for frame in sorted(inner_sound - inner_movie):
            if covered(frame, movies):
                left = next((p for p in pieces if p.frame_final_end == frame), None)
                right = next((p for p in pieces if p.frame_final_start == frame), None)
                if left is not None and right is not None:
                    out.append(
                        TimelineProblem(
                            "sound_cut_alone",
                            frame,
                            frame,
                            f"the sound is cut at {frame} where the picture is not",
                            strip=left.name,
                            other=right.name,
                        )
                    )
    return out


def find_problems(editor: Any) -> list[TimelineProblem]:
    """Every problem of the edit's top level, in timeline order."""
    if editor is None:
        return []
    found = [*_gaps(editor), *_short(editor), *_hidden(editor), *_sound(editor)]
    return sorted(found, key=lambda p: (p.first, TIMELINE_KINDS.index(p.kind), p.strip))


# --- repairs -----------------------------------------------------------------------------------

STATE = ("channel", "frame_start", "frame_final_start", "frame_final_end")


@dataclass
class Journal:
    """What a repair changed, so that it can be put back exactly."""

    before: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    to_remove: list[str] = field(default_factory=list)  # removed only when every step succeeded

    def touch(self, strip: Any) -> None:
        if strip.name not in self.before and strip.name not in self.created:
            self.before[strip.name] = tuple(getattr(strip, a) for a in STATE)


def _park(editor: Any, strip: Any, journal: Journal) -> None:
    """Move ``strip`` to an empty channel (restorable) and remove it once every repair succeeded."""
    journal.touch(strip)
    used = max((s.channel for s in top_strips(editor)), default=1)
    strip.channel = min(128, used + 1)
    journal.to_remove.append(strip.name)


def _strip(editor: Any, name: str) -> Any:
    return top_strips(editor).get(name)


def _set_range(strip: Any, start: int, end: int) -> None:
    # Order matters: never let the handles cross.
    if start >= strip.frame_final_end:
        strip.frame_final_end = end
        strip.frame_final_start = start
    else:
        strip.frame_final_start = start
        strip.frame_final_end = end


def _move(strip: Any, delta: int) -> None:
    strip.frame_start = strip.frame_start + delta


def repair(editor: Any, problem: TimelineProblem, journal: Journal) -> str:
    """Apply one repair, recording every change in ``journal``. Returns what was done.

    Raises:
        ValueError: the problem is not repairable automatically or its strips are gone.
    """
    kind = problem.kind
    if kind == "gap":
        length = problem.last - problem.first + 1
        moving = [s for s in top_strips(editor) if s.frame_final_start > problem.last]
        # Left-most first, channel by channel, so nothing collides on the way.
        for s in sorted(moving, key=lambda s: s.frame_final_start):
            journal.touch(s)
            _move(s, -length)
        return f"closed the {length}-frame gap at {problem.first}"
    if kind == "short_strip":
        flash = _strip(editor, problem.strip)
        if flash is None:
            raise ValueError(f"'{problem.strip}' is gone: check the edit again.")
        start, end = flash.frame_final_start, flash.frame_final_end
        pics = [s for s in pictures(editor) if s != flash]
        before = next(
            (s for s in pics if s.frame_final_end == start and s.channel == flash.channel), None
        ) or next((s for s in pics if s.frame_final_end == start), None)
        after = next((s for s in pics if s.frame_final_start == end and s.channel == flash.channel), None)
        own_sound = [
            s
            for s in sounds(editor)
            if flash.type == "MOVIE"
            and media(s) == media(flash)
            and s.frame_final_start == start
            and s.frame_final_end == end
        ]
        for sound in own_sound:
            _park(editor, sound, journal)
        _park(editor, flash, journal)
        neighbour = before or after
        if neighbour is not None:
            journal.touch(neighbour)
            if neighbour is before:
                neighbour.frame_final_end = end
            else:
                neighbour.frame_final_start = start
            for sound in sounds(editor):
                if (
                    sound.name in journal.to_remove
                    or media(sound) != media(neighbour)
                    or neighbour.type != "MOVIE"
                ):
                    continue
                if round(sound.frame_start) == round(neighbour.frame_start) and (
                    sound.frame_final_end == start if neighbour is before else sound.frame_final_start == end
                ):
                    journal.touch(sound)
                    if neighbour is before:
                        sound.frame_final_end = end
                    else:
                        sound.frame_final_start = start
        return f"removed the flash '{flash.name}'" + (f", extended '{neighbour.name}'" if neighbour else "")
    if kind == "sound_not_cut":
        sound = _strip(editor, problem.strip)
        if sound is None:
            raise ValueError(f"'{problem.strip}' is gone: check the edit again.")
        journal.touch(sound)
        new = sound.split(frame=problem.first, split_method="SOFT")
        if new is None:
            raise ValueError(f"Blender could not cut '{sound.name}' at {problem.first}.")
        journal.created.append(new.name)
        return f"cut the sound '{sound.name}' at {problem.first}"
    if kind == "sound_cut_alone":
        left, right = _strip(editor, problem.strip), _strip(editor, problem.other)
        if left is None or right is None:
            raise ValueError("The sound pieces are gone: check the edit again.")
        end = right.frame_final_end
        _park(editor, right, journal)
        journal.touch(left)
        left.frame_final_end = end
        return f"joined the sound at {problem.first}"
    if kind == "sound_out_of_sync":
        sound, movie = _strip(editor, problem.strip), _strip(editor, problem.other)
        if sound is None or movie is None:
            raise ValueError("The sound or its picture is gone: check the edit again.")
        journal.touch(sound)
        start, end = movie.frame_final_start, movie.frame_final_end
        channel = sound.channel
        sound.frame_start = movie.frame_start
        content_end = sound.frame_start + sound.frame_duration
        _set_range(sound, max(start, int(sound.frame_start)), min(end, int(content_end)))
        sound.channel = channel
        return f"slipped '{sound.name}' back in sync with '{movie.name}'"
    raise ValueError(f"A {kind.replace('_', ' ')} needs a decision: it is marked, not changed.")


def restore(editor: Any, journal: Journal) -> None:
    for name in reversed(journal.created):
        strip = _strip(editor, name)
        if strip is not None:
            top_strips(editor).remove(strip)
    for name, values in reversed(list(journal.before.items())):
        strip = _strip(editor, name)
        if strip is None:
            continue
        channel, frame_start, final_start, final_end = values
        strip.frame_start = frame_start
        _set_range(strip, final_start, final_end)
        strip.channel = channel


def _finish(editor: Any, journal: Journal) -> None:
    for name in journal.to_remove:
        strip = _strip(editor, name)
        if strip is not None:
            top_strips(editor).remove(strip)


def apply_all(
    editor: Any,
    problems: list[TimelineProblem],
    *,
    should_stop: Callable[[], bool] = lambda: False,
) -> list[str]:
    """Repair every repairable problem as one change: all of them, or (cancelled/failed) none.

    Gaps are closed last and right to left so the frames of the other problems stay valid.

    Raises:
        RepairCancelled: ``should_stop()`` became true; the timeline is as it was.
        ValueError: a repair failed; the timeline is as it was.
    """
    journal = Journal()
    done: list[str] = []
    order = [p for p in problems if p.repairable and p.kind != "gap"]
    order += sorted((p for p in problems if p.kind == "gap"), key=lambda p: -p.first)
    try:
        for problem in order:
            if should_stop():
                raise RepairCancelled("Repair cancelled: nothing was changed.")
            done.append(repair(editor, problem, journal))
        if should_stop():
            raise RepairCancelled("Repair cancelled: nothing was changed.")
    except Exception:
        restore(editor, journal)
        raise
    _finish(editor, journal)
    return done


def repair_one(editor: Any, problem: TimelineProblem) -> str:
    journal = Journal()
    try:
        message = repair(editor, problem, journal)
    except Exception:
        restore(editor, journal)
        raise
    _finish(editor, journal)
    return message


class RepairCancelled(Exception):
    pass


def snapshot(editor: Any) -> list[tuple[Any, ...]]:
    """Everything that repairs can change, for tests and for "plays the same pictures"."""
    if editor is None:
        return []
    return sorted(
        (s.name, s.type, s.channel, s.frame_start, s.frame_final_start, s.frame_final_end, s.mute)
        for s in top_strips(editor)
    )
