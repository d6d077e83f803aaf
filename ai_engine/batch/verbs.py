"""The engine's batch verbs: how one input becomes the typed request of its feature's job.

Each verb names a ``JobSpec`` of its feature's ``contract.py``, adds its options to the parser, and
builds one request per input with that contract (``spec.request.from_dict``), so a bad option fails
before any task starts, in the same words as the job itself. The task carries the request in its
``to_dict`` form; the worker decodes it again with the same contract.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..contract import Contract, JobSpec
from ..registry import CONTRACT_MODULES
from .contract import Resources


class BatchError(Exception):
    """A batch that cannot start (bad inputs, unwritable output, unreachable cluster): say what to do."""


@dataclass(frozen=True)
class Verb:
    name: str
    job: str  # the JobSpec's name, declared in the feature's contract module
    summary: str
    input_help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    fields: Callable[[str, argparse.Namespace], dict[str, Any]]  # one input → the request's fields
    options: Callable[[argparse.Namespace], dict[str, str]]  # what a resumed batch must share
    resources: Resources = field(default_factory=Resources)
    gpu: bool = False  # uses a GPU when the cluster has one
    inputs_are_files: bool = True

    def job_spec(self) -> JobSpec[Any, Any]:
        """The JobSpec from the feature's contract module (the jobs themselves are not imported)."""
        module = importlib.import_module(CONTRACT_MODULES[self.job.partition(".")[0]])
        found = [v for v in vars(module).values() if isinstance(v, JobSpec) and v.name == self.job]
        if not found:
            raise BatchError(f"No job {self.job!r} is declared in {module.__name__}.")
        return found[0]

    def request(self, item: str, args: argparse.Namespace) -> dict[str, Any]:
        """The request of ``item`` in its JSON form, built and checked by the feature's contract."""
        spec = self.job_spec()
        fields = self.fields(item, args)
        if isinstance(spec.request, type) and issubclass(spec.request, Contract):
            return spec.request.from_dict(fields).to_dict()
        return fields  # a feature whose contract is still the legacy dict


# ------------------------------------------------------------------------------------ cuts


def _cuts_arguments(parser: argparse.ArgumentParser) -> None:
    contract = importlib.import_module("ai_engine.cuts.contract")
    detectors = (
        getattr(contract, "DETECTORS", None) or importlib.import_module("ai_engine.cuts.detect").DETECTORS
    )
    parser.add_argument("--detector", choices=tuple(detectors), default="auto")
    parser.add_argument("--min-shot", type=int, default=None, help="shortest shot in clip frames")


def _cuts_fields(item: str, args: argparse.Namespace) -> dict[str, Any]:
    fields: dict[str, Any] = {"video": item, "detector": args.detector}
    if args.min_shot is not None:
        fields["min_shot"] = args.min_shot
    return fields


def _cuts_options(args: argparse.Namespace) -> dict[str, str]:
    return {"detector": args.detector, "min-shot": str(args.min_shot)}


# ---------------------------------------------------------------------------------- capture


def _capture_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--parts", default="body,face,hands", help="comma-separated: body,face,hands")
    parser.add_argument("--smoothing", type=float, default=0.5, help="0 (raw) … 1 (heavy)")
    parser.add_argument("--max-gap", type=float, default=0.5, help="longest gap to fill, seconds")
    parser.add_argument("--no-overlay", action="store_true", help="skip the QA contact sheet")


def _capture_fields(item: str, args: argparse.Namespace) -> dict[str, Any]:
    return {
        "video": item,
        "options": {
            "parts": [p.strip() for p in args.parts.split(",") if p.strip()],
            "smoothing": args.smoothing,
            "max_gap_seconds": args.max_gap,
        },
        "overlay": not args.no_overlay,
    }


def _capture_options(args: argparse.Namespace) -> dict[str, str]:
    return {
        "parts": args.parts,
        "smoothing": str(args.smoothing),
        "max-gap": str(args.max_gap),
        "no-overlay": str(args.no_overlay),
    }


# --------------------------------------------------------------------------------- retarget


def _retarget_arguments(parser: argparse.ArgumentParser) -> None:
    from ..retarget.contract import PRESET_NAMES

    parser.add_argument("--rig", help="the target RigSpec JSON (export it from the add-on's panel)")
    parser.add_argument("--map", help=f"bone map preset ({', '.join(PRESET_NAMES)}) or a JSON file")
    parser.add_argument("--no-foot-lock", action="store_true", help="do not lock feet that stand still")


_RIGS: dict[str, Any] = {}


def _retarget_fields(item: str, args: argparse.Namespace) -> dict[str, Any]:
    from ..errors import BadRig
    from ..retarget.rigspec import RigSpec

    if not args.rig:
        raise BatchError("batch retarget needs --rig RIG.json: the target rig (export it from the panel).")
    if args.rig not in _RIGS:
        try:
            _RIGS[args.rig] = RigSpec.load(args.rig).to_dict()
        except BadRig as exc:
            raise BatchError(str(exc)) from exc
    kind = "skeleton" if item.lower().endswith(".npz") else "source"
    fields: dict[str, Any] = {"rig": _RIGS[args.rig], kind: item, "foot_lock": not args.no_foot_lock}
    if args.map:
        fields["map"] = args.map
    return fields


def _retarget_options(args: argparse.Namespace) -> dict[str, str]:
    return {
        "rig": str(Path(args.rig).resolve()) if args.rig else "",
        "map": str(args.map),
        "no-foot-lock": str(args.no_foot_lock),
    }


# ---------------------------------------------------------------------------------------- fx


def _fx_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--size", type=int, default=1024, help="side in px (512–4096)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--frames", type=int, default=0, help="frames of a seamless loop (0: a still)")


def _fx_fields(item: str, args: argparse.Namespace) -> dict[str, Any]:
    return {"model": item, "size": args.size, "seed": args.seed, "frames": args.frames}


def _fx_options(args: argparse.Namespace) -> dict[str, str]:
    return {"size": str(args.size), "seed": str(args.seed), "frames": str(args.frames)}


VERBS: dict[str, Verb] = {
    "cuts": Verb(
        "cuts", "cuts.detect", "detect the shot cuts of each video", "video files",
        _cuts_arguments, _cuts_fields, _cuts_options, Resources(cpus=1, memory_mb=2048), gpu=True,
    ),
    "capture": Verb(
        "capture", "capture.capture", "capture motion from each video", "video files",
        _capture_arguments, _capture_fields, _capture_options, Resources(cpus=1, memory_mb=3072),
    ),
    "retarget": Verb(
        "retarget", "retarget.retarget", "retarget each motion onto one rig (--rig)",
        "motion files (.bvh, or skeleton .npz)", _retarget_arguments, _retarget_fields, _retarget_options,
        Resources(cpus=1, memory_mb=1024),
    ),
    "fx": Verb(
        "fx", "fx.generate", "generate an effects texture from each model",
        "fx presets (fire, smoke, …) or .pt model files", _fx_arguments, _fx_fields, _fx_options,
        Resources(cpus=1, memory_mb=2048), gpu=True, inputs_are_files=False,
    ),
}  # fmt: skip
