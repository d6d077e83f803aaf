"""Contracts of the effects jobs: list the presets, generate a texture or a loop, train a model.

Stdlib only (the add-on imports this lazily in Blender's UI). The vocabularies are single tuples:
``PRESET_NAMES`` (computed once from the files shipped in ``presets/``) and ``MATERIAL_KINDS``. Images and model cards travel as files: results carry
their paths, plus the few figures a caller shows (steps, SWD against its floor).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..contract import Contract, JobSpec, require

PRESETS_DIR = Path(__file__).resolve().parent / "presets"

# the order the menus show them in; presets shipped but not listed here follow alphabetically
_MENU_ORDER = ("fire", "smoke", "magic", "caustics", "clouds", "lightning", "sparks", "water", "grunge")


def _shipped_preset_names() -> tuple[str, ...]:
    """Presets whose weights and card are both part of this build."""
    names = {p.stem for p in PRESETS_DIR.glob("*.pt") if p.with_suffix(".json").is_file()}
    return tuple(sorted(names, key=lambda n: (_MENU_ORDER.index(n) if n in _MENU_ORDER else 99, n)))


PRESET_NAMES: tuple[str, ...] = _shipped_preset_names()
MATERIAL_KINDS = ("emission", "surface")  # emission + alpha (fire, smoke …) or principled BSDF + maps
SPATIAL, DCGAN = "spatial-gan", "dcgan"  # model architectures (a model card's "architecture")
MIN_SIZE = 16  # generate.py refuses smaller sides too (and sizes that do not fit in memory)


def _model_hint() -> str:
    shipped = ", ".join(PRESET_NAMES) or "none shipped in this build"
    return f"choose a preset ({shipped}) or a model file (.pt made by Train)"


@dataclass(frozen=True)
class Metrics(Contract):
    """Measured quality of a model (its card's ``metrics``): SWD of generated against held-out real
    crops and the real-vs-real floor, at 64² crops and at a coarse scale (128² crops shrunk by 2;
    absent from cards of the previous version), and the seam ratio of a tiled texture (1 = no seam)."""

    swd: float
    swd_floor: float
    seam_ratio: float
    swd_coarse: float | None = None
    swd_coarse_floor: float | None = None

    @classmethod
    def from_card(cls, card: dict[str, Any]) -> Metrics | None:
        """The metrics of a model card (None when the card has none)."""
        metrics = card.get("metrics")
        if not isinstance(metrics, dict):
            return None
        known = {name: metrics[name] for name in cls.__dataclass_fields__ if name in metrics}
        return cls.from_dict(known)

    def ratio(self) -> float:
        return self.swd / max(self.swd_floor, 1e-9)

    def coarse_ratio(self) -> float | None:
        if self.swd_coarse is None or not self.swd_coarse_floor:
            return None
        return self.swd_coarse / self.swd_coarse_floor


@dataclass(frozen=True)
class Preset(Contract):
    """A shipped preset: its usage (``material`` kind; ``drift``: whole tiles per loop along x, y;
    emission strength of its brightest parts) and its files (weights, card, thumbnail)."""

    name: str
    label: str
    description: str
    material: str
    drift: tuple[int, int]
    emission_peak: float
    model: Path
    card: Path
    thumbnail: Path | None = None
    metrics: Metrics | None = None

    def __post_init__(self) -> None:
        require(self.material in MATERIAL_KINDS, f"material is one of {', '.join(MATERIAL_KINDS)}.")


@dataclass(frozen=True)
class PresetsRequest(Contract):
    pass


@dataclass(frozen=True)
class PresetsResult(Contract):
    presets: tuple[Preset, ...] = ()


@dataclass(frozen=True)
class GenerateRequest(Contract):
    """Generate a still (``frames`` 0) or a seamless loop of ``frames`` frames from a preset name or a
    model file. ``out_dir`` defaults to the job's scratch folder, ``name`` (file stem) to the model's."""

    model: str
    size: int = 1024
    seed: int = 0
    frames: int = 0
    tileable: bool = True
    maps: bool = True
    hdr: bool = False
    out_dir: Path | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        require(bool(self.model), f"No model given: {_model_hint()}.")
        require(self.size >= MIN_SIZE, f"size {self.size} is too small: give at least {MIN_SIZE} px.")
        require(self.seed >= 0, "seed must be 0 or more.")
        require(
            self.frames == 0 or self.frames >= 2,
            f"frames {self.frames}: a loop needs at least 2 frames (0 makes a still).",
        )

    @property
    def stem(self) -> str:
        return self.name or Path(self.model).stem


@dataclass(frozen=True)
class GenerateResult(Contract):
    """``files`` of a still by map kind (color, normal, roughness, emission); ``frames`` of a loop in
    order (Blender's ``NAME_0001.png`` naming). ``material`` says which material the files make."""

    name: str
    material: str
    size: int
    seconds: float
    files: dict[str, Path] = field(default_factory=dict)
    frames: tuple[Path, ...] = ()
    drift: tuple[int, int] = (0, 0)
    emission_peak: float = 1.0


@dataclass(frozen=True)
class TrainRequest(Contract):
    """Train on a folder (or one file) of example images and save ``out`` (+ ``.json`` card, ``.png``
    thumbnail, ``.ckpt`` checkpoint). ``resume`` continues a checkpoint; ``preview_path`` is a PNG
    rewritten every ``preview_every`` seconds (default: the job's scratch folder)."""

    images: Path
    out: Path
    minutes: float = 5.0
    seed: int = 0
    resume: Path | None = None
    preview_path: Path | None = None
    preview_every: float = 15.0

    def __post_init__(self) -> None:
        require(str(self.images) not in ("", "."), "Training needs a folder of example images.")
        require(str(self.out) not in ("", "."), "Training needs an output model path (.pt).")
        require(self.minutes > 0, f"minutes must be more than 0, not {self.minutes}.")
        require(self.preview_every > 0, "preview_every must be more than 0 seconds.")
        require(self.seed >= 0, "seed must be 0 or more.")


@dataclass(frozen=True)
class TrainResult(Contract):
    """The saved model and what its card says about it (the whole card is the ``card`` file)."""

    model: Path
    card: Path
    checkpoint: Path
    thumbnail: Path
    steps: int
    training_seconds: float
    images_per_second: float
    metrics: Metrics
    preview: Path | None = None


PRESETS = JobSpec("fx.presets", PresetsRequest, PresetsResult, "list the built-in presets")
GENERATE = JobSpec("fx.generate", GenerateRequest, GenerateResult, "generate a texture or a loop")
TRAIN = JobSpec("fx.train", TrainRequest, TrainResult, "train a model on example images")
