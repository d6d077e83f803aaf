"""Training a generator on random crops of one or a few images, in minutes, on a CPU.

One loop serves the spatial GAN and the DCGAN baseline. It reports progress, checks for cancel,
hands preview samples to a callback, writes an atomic checkpoint every ``checkpoint_every``
seconds and when cancelled (so a cancelled run is intact and resumable), and under ``torchrun``
runs DistributedDataParallel (gloo on CPU, nccl on CUDA) with rank 0 writing files.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

from .. import settings
from ..errors import BadModelFile, Cancelled
from ..progress import ProgressFn, StopFn, never_stop, no_progress
from .dcgan import DCGANConfig, DCGANDiscriminator, DCGANGenerator
from .imageset import ImageSet, load_image_set, random_crops
from .modelfile import CHECKPOINT_FORMAT, DCGAN, FORMAT_VERSION, SPATIAL, atomic_torch_save, read_payload
from .models import SpatialGANConfig, SpatialGenerator, init_weights, make_discriminator
from .noise import draw_noise
from .structure import check_not_flat, choose_crop
from .texture_loss import patch_swd

PreviewFn = Callable[[np.ndarray, int], None]


@dataclass
class TrainedGenerator:
    """What ``train`` returns.

    Attributes:
        generator: the EMA generator in eval mode (CPU).
        card: the model card (architecture, config, data digest, steps, time …) without metrics.
        steps: optimisation steps done in total (including a resumed run's).
        seconds: training wall time in total.
        images_per_second: training crops seen per second in this run (all ranks).
    """

    generator: nn.Module
    card: dict[str, Any]
    steps: int
    seconds: float
    images_per_second: float


def current_rank() -> int:
    """This process's rank under torchrun (0 otherwise)."""
    return dist.get_rank() if dist.is_available() and dist.is_initialized() else 0


def _distributed_rank() -> tuple[int, int]:
    """(rank, world size); joins the torchrun process group when launched by torchrun."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return 0, 1
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if torch.cuda.is_available() else "gloo")
    return dist.get_rank(), dist.get_world_size()


def _build(architecture: str, config: Any) -> tuple[nn.Module, nn.Module]:
    if architecture == SPATIAL:
        return SpatialGenerator(config=config), make_discriminator(config)
    return DCGANGenerator(config=config), DCGANDiscriminator(config=config)


def _fake_batch(
    generator: nn.Module,
    architecture: str,
    config: Any,
    *,
    batch: int,
    crop: int,
    noise_rng: torch.Generator,
    device: torch.device,
) -> torch.Tensor:
    if architecture == SPATIAL:
        cells = crop // config.scale
        noise = draw_noise(
            batch=batch,
            height=cells,
            width=cells,
            local_dim=config.local_dim,
            global_dim=config.global_dim,
            periodic_dim=config.periodic_dim,
            generator=noise_rng,
            device=device,
        )
        module = generator.module if isinstance(generator, nn.parallel.DistributedDataParallel) else generator
        return generator(module.assemble(noise, tileable=False))  # type: ignore[operator]
    z = torch.randn(batch, config.nz, 1, 1, generator=noise_rng).to(device)
    return generator(z)


@torch.no_grad()
def _update_ema(ema: nn.Module, model: nn.Module, decay: float) -> None:
    for ema_p, p in zip(ema.parameters(), model.parameters(), strict=True):
        ema_p.lerp_(p.detach(), 1.0 - decay)
    for ema_b, b in zip(ema.buffers(), model.buffers(), strict=True):
        ema_b.copy_(b)


def _to_uint8(images: torch.Tensor) -> np.ndarray:
    """(B, C, H, W) in [-1, 1] → (B, H, W, C) uint8."""
    return ((images.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).cpu().numpy()


# ------------------------------------------------------------------------------ the GAN step


def adversarial_loss(output: torch.Tensor | list[torch.Tensor], real: bool) -> torch.Tensor:
    """Binary cross-entropy of D's logits against "real" or "fake"; a multi-scale D's maps are averaged."""
    outputs = output if isinstance(output, list) else [output]
    losses = [
        nn.functional.binary_cross_entropy_with_logits(o, torch.ones_like(o) if real else torch.zeros_like(o))
        for o in outputs
    ]
    return losses[0] if len(losses) == 1 else torch.stack(losses).mean()


TextureLoss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def gan_step(
    net_g: nn.Module,
    net_d: nn.Module,
    optimizer_g: torch.optim.Optimizer,
    optimizer_d: torch.optim.Optimizer,
    real: torch.Tensor,
    fake: torch.Tensor,
    texture_loss: TextureLoss | None = None,
) -> tuple[float, float]:
    """One update of both networks, as pytorch/examples' dcgan; returns (loss D, loss G).

    ``fake`` is ``net_g``'s output for this step's noise (made by the caller, who knows the noise).
    Real and fake go through D as separate batches (BatchNorm statistics never mix them), and D's
    two terms are summed into one backward (one all-reduce under DDP). ``texture_loss(fake, real)``,
    when given, is added to G's loss.
    """
    ############################
    # (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
    ############################
    optimizer_d.zero_grad(set_to_none=True)
    err_d = adversarial_loss(net_d(real), True) + adversarial_loss(net_d(fake.detach()), False)
    err_d.backward()
    optimizer_d.step()

    ############################
    # (2) Update G network: maximize log(D(G(z)))  (the non-saturating loss) [+ texture statistics]
    ############################
    optimizer_g.zero_grad(set_to_none=True)
    err_g = adversarial_loss(net_d(fake), True)
    if texture_loss is not None:
        err_g = err_g + texture_loss(fake, real)
    err_g.backward()
    optimizer_g.step()
    return err_d.item(), err_g.item()


# ------------------------------------------------------------------- what surrounds the step


@dataclass
class TrainingState:
    """Everything a checkpoint holds: both networks, the EMA generator, optimisers, step, time spent
    before this run, and the random streams of crops and noise (so a resumed run = one never stopped)."""

    generator: nn.Module
    discriminator: nn.Module
    ema: nn.Module
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    crop_rng: np.random.Generator
    noise_rng: torch.Generator
    step: int = 0
    spent: float = 0.0

    @classmethod
    def fresh(
        cls, architecture: str, config: Any, *, seed: int, rank: int, learning_rate: float
    ) -> TrainingState:
        """New networks (DCGAN initialisation), Adam(β1 = 0.5) for both, seeded streams per rank."""
        torch.manual_seed(seed)
        generator, discriminator = _build(architecture, config)
        generator.apply(init_weights)
        discriminator.apply(init_weights)
        return cls(
            generator=generator,
            discriminator=discriminator,
            ema=copy.deepcopy(generator).eval(),
            opt_g=torch.optim.Adam(generator.parameters(), lr=learning_rate, betas=(0.5, 0.999)),
            opt_d=torch.optim.Adam(discriminator.parameters(), lr=learning_rate, betas=(0.5, 0.999)),
            crop_rng=np.random.default_rng([seed, rank]),
            noise_rng=torch.Generator().manual_seed(seed * 1000 + rank),
        )

    def load(self, payload: dict[str, Any], name: str) -> None:
        try:
            self.generator.load_state_dict(payload["generator"])
            self.discriminator.load_state_dict(payload["discriminator"])
            self.ema.load_state_dict(payload["ema"])
            self.opt_g.load_state_dict(payload["opt_g"])
            self.opt_d.load_state_dict(payload["opt_d"])
            self.step, self.spent = int(payload["step"]), float(payload["seconds"])
            self.crop_rng.bit_generator.state = json.loads(payload["crop_rng"])
            self.noise_rng.set_state(payload["noise_rng"])
        except (KeyError, RuntimeError, ValueError, TypeError) as exc:
            raise BadModelFile(f"{name} is an incomplete checkpoint ({exc}); start a new training.") from exc

    def save(self, path: Path, card: dict[str, Any], seconds_here: float) -> None:
        atomic_torch_save(
            {
                "format": CHECKPOINT_FORMAT,
                "version": FORMAT_VERSION,
                "card": json.dumps(card),
                "generator": self.generator.state_dict(),
                "discriminator": self.discriminator.state_dict(),
                "ema": self.ema.state_dict(),
                "opt_g": self.opt_g.state_dict(),
                "opt_d": self.opt_d.state_dict(),
                "step": self.step,
                "seconds": self.spent + seconds_here,
                "crop_rng": json.dumps(self.crop_rng.bit_generator.state),
                "noise_rng": self.noise_rng.get_state(),
            },
            path,
        )

    def to(self, device: torch.device) -> None:
        for module in (self.generator, self.discriminator, self.ema):
            module.to(device)


def _read_resume(resume: str | Path, architecture: str, config: Any, image_set: ImageSet) -> dict[str, Any]:
    """The checkpoint to continue from, refused when it was trained with other settings or images."""
    payload = read_payload(resume, CHECKPOINT_FORMAT)
    card_before = json.loads(payload["card"])
    name = Path(str(resume)).name
    if card_before.get("architecture") != architecture or card_before.get("config") != config.to_json():
        raise BadModelFile(
            f"{name} was trained with another architecture or settings; "
            "resume with the same ones or start a new training."
        )
    before = card_before.get("training_images", {})
    if before.get("sha256") != image_set.digest:
        raise BadModelFile(
            f"{name} was trained on other example images ({', '.join(before.get('names', [])) or 'unknown'}, "
            f"not {', '.join(image_set.names)}): resuming would mix two textures. Resume with the same "
            "images, or start a new training."
        )
    return payload


def _settings(architecture: str, config: Any, crop: int | None, image_set: ImageSet) -> tuple[Any, int]:
    """The architecture's default config when None, and the crop it trains on (None: chosen from
    the examples' correlation length, see ``structure.choose_crop``)."""
    if architecture == DCGAN:
        config = config or DCGANConfig()
        return config, config.image_size
    if crop is None:
        crop, _ = choose_crop(image_set.images)
    config = config or SpatialGANConfig.multiscale(crop)
    return config, max(config.scale, crop - crop % config.scale)


def _texture_loss(config: Any, noise_rng: torch.Generator) -> TextureLoss | None:
    if not getattr(config, "swd_weight", 0.0):
        return None
    weight, levels = float(config.swd_weight), int(config.swd_levels)
    return lambda fake, real: weight * patch_swd(fake, real, generator=noise_rng, levels=levels)


def _devices(device: str, threads: int | None) -> tuple[int, int, torch.device]:
    """(rank, world size, this process's device), after setting torch's CPU threads."""
    if threads:
        torch.set_num_threads(threads)
    rank, world = _distributed_rank()
    torch_device = torch.device(settings.device(device))
    if world > 1 and torch_device.type == "cuda":
        torch_device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
    return rank, world, torch_device


def _parallel(module: nn.Module, world: int, device: torch.device) -> nn.Module:
    if world <= 1:
        return module
    return nn.parallel.DistributedDataParallel(
        module, device_ids=[device.index] if device.type == "cuda" else None
    )


def _stop_or_done(want_stop: bool, done: bool, world: int) -> tuple[bool, bool]:
    """The same decision on every rank (the maximum over ranks), so all stop at the same step."""
    flags = torch.tensor([float(want_stop), float(done)])
    if world > 1:
        dist.all_reduce(flags, op=dist.ReduceOp.MAX)
    return bool(flags[0] > 0), bool(flags[1] > 0)


def _real_batch(
    image_set: ImageSet, state: TrainingState, batch: int, crop: int, device: torch.device
) -> torch.Tensor:
    """(B, 3, crop, crop) random crops in [-1, 1]."""
    real = torch.from_numpy(random_crops(image_set, count=batch, size=crop, generator=state.crop_rng))
    return (real.permute(0, 3, 1, 2) * 2 - 1).to(device)


def train(
    images: ImageSet | str | Path | Sequence[Any],
    *,
    minutes: float = 5.0,
    architecture: str = SPATIAL,
    config: SpatialGANConfig | DCGANConfig | None = None,
    max_steps: int | None = None,
    batch_size: int | None = None,
    crop: int | None = None,
    seed: int = 0,
    learning_rate: float = 5e-4,
    threads: int | None = None,
    progress: ProgressFn = no_progress,
    should_stop: StopFn = never_stop,
    preview_every: float = 30.0,
    on_preview: PreviewFn | None = None,
    checkpoint: str | Path | None = None,
    checkpoint_every: float = 60.0,
    resume: str | Path | None = None,
    device: str = "auto",
) -> TrainedGenerator:
    """Train a texture generator on random crops of ``images``.

    Arguments:
        images: an ``ImageSet``, a folder, a file or a list of files/arrays.
        minutes: wall-time budget of this run (a resumed run adds to the time already spent).
        architecture: ``"spatial-gan"`` (Clapper's) or ``"dcgan"`` (the 64×64 baseline).
        config: hyper-parameters; defaults of the architecture when None.
        max_steps: stop after this many steps in total (tests, reproducible runs), whatever the time.
        batch_size: crops per step per process (None: 16 at 64² crops, fewer for larger crops, ≥ 8).
        crop: training crop side in px (a multiple of the generator's scale; DCGAN: 64); None
            chooses it from the examples' structure (about four correlation lengths, 64–256).
        seed: seeds weights, crops and noise; the same seed and steps give the same weights.
        learning_rate: Adam's, for both networks (β1 = 0.5, as DCGAN); 5e-4 learned fastest in
            minute-long CPU runs (2e-4, the DCGAN default, is what the baseline uses).
        threads: torch CPU threads (None: torch's default). On a shared, busy machine 1 thread is
            often several times faster than 2, which wait for each other.
        progress, should_stop: the engine's callbacks; a stop raises ``Cancelled`` after
            writing the checkpoint.
        preview_every: seconds between preview samples handed to ``on_preview(image uint8 HxWx3, step)``.
        checkpoint: file for the full training state (atomic; rank 0 only).
        checkpoint_every: seconds between checkpoints.
        resume: a checkpoint to continue from (same architecture and config).
        device: ``"auto"``, ``"cpu"`` or ``"cuda"``.

    Returns:
        The trained (EMA) generator and its card.

    Raises:
        BadImageSet: unusable images; BadModelFile: an unusable resume file; Cancelled.
    """
    rank, world, torch_device = _devices(device, threads)
    image_set = (
        images if isinstance(images, ImageSet) else load_image_set(images, min_side=min(crop or 64, 64))
    )
    check_not_flat(image_set.images, image_set.names)
    config, crop = _settings(architecture, config, crop, image_set)
    if batch_size is None:
        batch_size = 64 if architecture == DCGAN else max(8, min(16, 16 * 64 * 64 // (crop * crop)))
    if image_set.min_side < crop:
        image_set = load_image_set(list(image_set.images), min_side=crop)  # raises with the sizes
    resumed = _read_resume(resume, architecture, config, image_set) if resume else None
    state = TrainingState.fresh(architecture, config, seed=seed, rank=rank, learning_rate=learning_rate)
    if resumed is not None:
        state.load(resumed, Path(str(resume)).name)
    state.to(torch_device)
    net_g = _parallel(state.generator, world, torch_device)
    net_d = _parallel(state.discriminator, world, torch_device)
    texture_loss = _texture_loss(config, state.noise_rng)
    card: dict[str, Any] = {
        "architecture": architecture,
        "config": config.to_json(),
        "training_images": {
            "sha256": image_set.digest,
            "names": list(image_set.names),
            "sizes": [[int(i.shape[1]), int(i.shape[0])] for i in image_set.images],
        },
        "crop": crop,
        "batch_size": batch_size,
        "processes": world,
        "seed": seed,
        "learning_rate": learning_rate,
        "device": torch_device.type,
    }
    started = time.monotonic()

    def save_checkpoint() -> None:
        if checkpoint is not None and rank == 0:
            state.save(Path(checkpoint), card, time.monotonic() - started)

    budget = minutes * 60.0
    last_preview = last_checkpoint = started
    first_step = state.step
    preview_rng = torch.Generator().manual_seed(seed + 7)
    while True:
        elapsed = time.monotonic() - started
        cancelled, done = _stop_or_done(
            should_stop(), state.step >= max_steps if max_steps is not None else elapsed >= budget, world
        )
        if cancelled:
            save_checkpoint()
            raise Cancelled("Training cancelled; the checkpoint holds the last step and can be resumed.")
        if done:
            break
        real = _real_batch(image_set, state, batch_size, crop, torch_device)
        fake = _fake_batch(
            net_g,
            architecture,
            config,
            batch=batch_size,
            crop=crop,
            noise_rng=state.noise_rng,
            device=torch_device,
        )
        loss_d, loss_g = gan_step(net_g, net_d, state.opt_g, state.opt_d, real, fake, texture_loss)
        state.step += 1
        _update_ema(state.ema, state.generator, min(0.999, (1 + state.step) / (10 + state.step)))

        now = time.monotonic()
        if rank != 0:
            continue
        fraction = state.step / max_steps if max_steps is not None else (now - started) / budget
        progress(min(fraction, 1.0), f"step {state.step}: D {loss_d:.3f}, G {loss_g:.3f}")
        if on_preview is not None and now - last_preview >= preview_every:
            last_preview = now
            on_preview(_preview(state.ema, architecture, config, preview_rng, torch_device), state.step)
        if now - last_checkpoint >= checkpoint_every:
            last_checkpoint = now
            save_checkpoint()
    elapsed = time.monotonic() - started
    save_checkpoint()
    card.update(
        {
            "steps": state.step,
            "training_seconds": round(state.spent + elapsed, 1),
            "images_per_second": round(
                (state.step - first_step) * batch_size * world / max(elapsed, 1e-9), 1
            ),
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "torch": torch.__version__,
        }
    )
    if on_preview is not None and rank == 0:
        on_preview(_preview(state.ema, architecture, config, preview_rng, torch_device), state.step)
    return TrainedGenerator(
        generator=state.ema.cpu().eval(),
        card=card,
        steps=state.step,
        seconds=state.spent + elapsed,
        images_per_second=float(card["images_per_second"]),
    )


@torch.no_grad()
def _preview(
    ema: nn.Module, architecture: str, config: Any, rng: torch.Generator, device: torch.device
) -> np.ndarray:
    """One 256² sample (spatial) or a 4×4 grid of 64² samples (DCGAN), uint8 RGB."""
    ema.eval()
    if architecture == SPATIAL:
        cells = 256 // config.scale
        noise = draw_noise(
            batch=1,
            height=cells,
            width=cells,
            local_dim=config.local_dim,
            global_dim=config.global_dim,
            periodic_dim=config.periodic_dim,
            generator=rng,
            device=device,
        )
        return _to_uint8(ema.generate(noise))[0]  # type: ignore[operator]
    z = torch.randn(16, config.nz, 1, 1, generator=rng).to(device)
    tiles = _to_uint8(ema(z))
    return np.concatenate(
        [np.concatenate(list(tiles[r * 4 : (r + 1) * 4]), axis=1) for r in range(4)], axis=0
    )
