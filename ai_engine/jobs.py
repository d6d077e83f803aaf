"""Jobs shared by every feature: probing footage and checking the engine itself."""

from __future__ import annotations

import hashlib
import importlib
import os
import platform
import signal
import sys
import time

from .engine_contract import (
    DIAGNOSTICS,
    PROBE,
    DiagnosticsRequest,
    DiagnosticsResult,
    ProbeRequest,
    ProbeResult,
)
from .errors import Cancelled
from .registry import implements
from .video import extract_audio_track
from .video import probe as probe_video
from .worker import JobContext


@implements(PROBE)
def probe(request: ProbeRequest, ctx: JobContext) -> ProbeResult:
    """Describe ``request.video``; warns when its frame rate is variable."""
    ctx.progress(0.0, "reading the file")
    info = probe_video(request.video, should_stop=ctx.should_stop)
    if info.variable_frame_rate:
        ctx.warn(
            f"{os.path.basename(info.path)} has a variable frame rate (average {info.fps:.3f} fps, nominal "
            f"{info.nominal_fps:.3f}): Blender plays it at the nominal rate, so picture and sound may drift. "
            "Convert it to a constant rate for frame-exact editing."
        )
    elif info.nominal_fps > 0 and abs(info.fps - info.nominal_fps) > 0.01 * info.nominal_fps:
        ctx.warn(
            f"{os.path.basename(info.path)} declares {info.nominal_fps:.3f} fps but its pictures are "
            f"{info.fps:.3f} fps apart: players that trust the header play it at the wrong speed. "
            "Re-mux or convert it so header and timestamps agree."
        )
    audio_files: list[str] = []
    if request.audio_dir and len(info.audio_tracks) > 1:
        os.makedirs(request.audio_dir, exist_ok=True)
        for track in info.audio_tracks[1:]:
            ctx.progress(
                track.audio_index / len(info.audio_tracks), f"copying audio track {track.audio_index + 1}"
            )
            out = os.path.join(request.audio_dir, audio_track_file_name(info.path, track.audio_index))
            if not os.path.exists(out):  # named after the source's identity: an existing copy is current
                extract_audio_track(info.path, track.audio_index, out)
            audio_files.append(out)
    return ProbeResult(info=info, audio_files=tuple(audio_files))


def audio_track_file_name(video: str, audio_index: int) -> str:
    """``<stem>.<digest>.track<N>.mka``; the digest of the path, size and mtime keeps copies of
    different (or changed) sources apart."""
    stat = os.stat(video)
    digest = hashlib.sha1(f"{os.path.abspath(video)}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()
    return f"{os.path.splitext(os.path.basename(video))[0]}.{digest[:10]}.track{audio_index + 1}.mka"


@implements(DIAGNOSTICS)
def diagnostics(request: DiagnosticsRequest, ctx: JobContext) -> DiagnosticsResult:
    """Report the engine's interpreter and libraries; with ``steps``, count with progress.

    ``steps``/``step_seconds`` make a job of known duration (for checking progress and cancel);
    ``crash`` ends the process abruptly, the way a native library crash would (for checking that
    Blender survives it).
    """
    crash = request.crash
    steps = request.steps
    step_seconds = request.step_seconds
    for step in range(steps):
        if ctx.should_stop():
            raise Cancelled()
        ctx.progress(step / max(steps, 1), f"step {step + 1} of {steps}")
        if crash and step == steps // 2:
            _crash(str(crash))
        time.sleep(step_seconds)  # a stand-in for work of known duration
    if crash and not steps:
        _crash(str(crash))
    libraries: dict[str, str] = {}
    for name in request.libraries:
        try:
            module = importlib.import_module(name)
            libraries[name] = str(getattr(module, "__version__", "present"))
        except Exception as exc:  # report, do not fail: this is a health check
            libraries[name] = f"missing ({type(exc).__name__}: {exc})"
    return DiagnosticsResult(
        python=sys.version.split()[0],
        executable=sys.executable,
        platform=platform.platform(),
        pid=os.getpid(),
        libraries=libraries,
        steps=steps,
    )


def _crash(kind: str) -> None:
    sys.stdout.flush()
    if kind == "abort":
        os.abort()
    elif kind == "segv":
        os.kill(os.getpid(), signal.SIGSEGV)
    else:
        os._exit(3)
