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
from .models import PatchDiscriminator, SpatialGANConfig, SpatialGenerator, init_weights
from .noise import draw_noise

PreviewFn = Callable[[np.ndarray, int], None]


@dataclass
class TrainResult:
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
        return SpatialGenerator(config=config), PatchDiscriminator(config=config)
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


def train(
    images: ImageSet | str | Path | Sequence[Any],
    *,
    minutes: float = 5.0,
    architecture: str = SPATIAL,
    config: SpatialGANConfig | DCGANConfig | None = None,
    max_steps: int | None = None,
    batch_size: int = 16,
    crop: int = 64,
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
) -> TrainResult:
    """Train a texture generator on random crops of ``images``.

    Arguments:
        images: an ``ImageSet``, a folder, a file or a list of files/arrays.
        minutes: wall-time budget of this run (a resumed run adds to the time already spent).
        architecture: ``"spatial-gan"`` (Clapper's) or ``"dcgan"`` (the 64×64 baseline).
        config: hyper-parameters; defaults of the architecture when None.
        max_steps: stop after this many steps in total (tests, reproducible runs), whatever the time.
        batch_size: crops per step per process.
        crop: training crop side in px (a multiple of the generator's scale; DCGAN: 64).
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
    if threads:
        torch.set_num_threads(threads)
    rank, world = _distributed_rank()
    torch_device = torch.device(settings.device(device))
    if world > 1 and torch_device.type == "cuda":
        torch_device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
    if architecture == DCGAN:
        config = config or DCGANConfig()
        crop = config.image_size  # type: ignore[union-attr]
    else:
        config = config or SpatialGANConfig()
        crop = max(config.scale, crop - crop % config.scale)  # type: ignore[union-attr]
    image_set = images if isinstance(images, ImageSet) else load_image_set(images, min_side=crop)
    if image_set.min_side < crop:
        image_set = load_image_set(list(image_set.images), min_side=crop)  # raises with the sizes

    resumed: dict[str, Any] | None = read_payload(resume, CHECKPOINT_FORMAT) if resume else None
    if resumed is not None:
        card_before = json.loads(resumed["card"])
        if card_before.get("architecture") != architecture or card_before.get("config") != config.to_json():
            raise BadModelFile(
                f"{Path(str(resume)).name} was trained with another architecture or settings; "
                "resume with the same ones or start a new training."
            )
    torch.manual_seed(seed)
    generator, discriminator = _build(architecture, config)
    generator.apply(init_weights)
    discriminator.apply(init_weights)
    ema = copy.deepcopy(generator).eval()
    opt_g = torch.optim.Adam(generator.parameters(), lr=learning_rate, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=learning_rate, betas=(0.5, 0.999))
    step, spent = 0, 0.0
    crop_rng = np.random.default_rng([seed, rank])
    noise_rng = torch.Generator().manual_seed(seed * 1000 + rank)
    if resumed is not None:
        try:
            generator.load_state_dict(resumed["generator"])
            discriminator.load_state_dict(resumed["discriminator"])
            ema.load_state_dict(resumed["ema"])
            opt_g.load_state_dict(resumed["opt_g"])
            opt_d.load_state_dict(resumed["opt_d"])
            step, spent = int(resumed["step"]), float(resumed["seconds"])
            crop_rng.bit_generator.state = json.loads(resumed["crop_rng"])
            noise_rng.set_state(resumed["noise_rng"])
        except (KeyError, RuntimeError, ValueError, TypeError) as exc:
            raise BadModelFile(
                f"{Path(str(resume)).name} is an incomplete checkpoint ({exc}); start a new training."
            ) from exc
    for module in (generator, discriminator, ema):
        module.to(torch_device)
    g_model: nn.Module = generator
    d_model: nn.Module = discriminator
    if world > 1:
        ids = [torch_device.index] if torch_device.type == "cuda" else None
        g_model = nn.parallel.DistributedDataParallel(generator, device_ids=ids)
        d_model = nn.parallel.DistributedDataParallel(discriminator, device_ids=ids)
    bce = nn.BCEWithLogitsLoss()

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

    def save_checkpoint() -> None:
        if checkpoint is None or rank != 0:
            return
        atomic_torch_save(
            {
                "format": CHECKPOINT_FORMAT,
                "version": FORMAT_VERSION,
                "card": json.dumps(card),
                "generator": generator.state_dict(),
                "discriminator": discriminator.state_dict(),
                "ema": ema.state_dict(),
                "opt_g": opt_g.state_dict(),
                "opt_d": opt_d.state_dict(),
                "step": step,
                "seconds": spent + (time.monotonic() - started),
                "crop_rng": json.dumps(crop_rng.bit_generator.state),
                "noise_rng": noise_rng.get_state(),
            },
            Path(checkpoint),
        )

    budget = minutes * 60.0
    started = time.monotonic()
    last_preview = last_checkpoint = started
    first_step = step
    preview_rng = torch.Generator().manual_seed(seed + 7)
    while True:
        now = time.monotonic()
        want_stop = should_stop()
        done = (max_steps is not None and step >= max_steps) or (
            max_steps is None and now - started >= budget
        )
        flags = torch.tensor([float(want_stop), float(done)])
        if world > 1:
            dist.all_reduce(flags, op=dist.ReduceOp.MAX)  # every rank stops at the same step
        if flags[0] > 0:
            save_checkpoint()
            raise Cancelled("Training cancelled; the checkpoint holds the last step and can be resumed.")
        if flags[1] > 0:
            break
        real = torch.from_numpy(random_crops(image_set, count=batch_size, size=crop, generator=crop_rng))
        real = (real.permute(0, 3, 1, 2) * 2 - 1).to(torch_device)  # (B, 3, crop, crop) in [-1, 1]
        fake = _fake_batch(
            g_model,
            architecture,
            config,
            batch=batch_size,
            crop=crop,
            noise_rng=noise_rng,
            device=torch_device,
        )
        # discriminator: real → 1, fake → 0
        opt_d.zero_grad(set_to_none=True)
        # separate batches through a BatchNorm D (as DCGAN); one backward of the sum keeps DDP happy
        real_logits, fake_logits = d_model(real), d_model(fake.detach())
        loss_d = bce(real_logits, torch.ones_like(real_logits)) + bce(
            fake_logits, torch.zeros_like(fake_logits)
        )
        loss_d.backward()
        opt_d.step()
        # generator: non-saturating loss
        opt_g.zero_grad(set_to_none=True)
        gen_logits = d_model(fake)
        loss_g = bce(gen_logits, torch.ones_like(gen_logits))
        loss_g.backward()
        opt_g.step()
        step += 1
        _update_ema(ema, generator, min(0.999, (1 + step) / (10 + step)))

        now = time.monotonic()
        fraction = step / max_steps if max_steps is not None else (now - started) / budget
        if rank == 0:
            progress(min(fraction, 1.0), f"step {step}: D {loss_d.item():.3f}, G {loss_g.item():.3f}")
            if on_preview is not None and now - last_preview >= preview_every:
                last_preview = now
                on_preview(_preview(ema, architecture, config, preview_rng, torch_device), step)
            if now - last_checkpoint >= checkpoint_every:
                last_checkpoint = now
                save_checkpoint()
    elapsed = time.monotonic() - started
    save_checkpoint()
    steps_here = step - first_step
    card.update(
        {
            "steps": step,
            "training_seconds": round(spent + elapsed, 1),
            "images_per_second": round(steps_here * batch_size * world / max(elapsed, 1e-9), 1),
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "torch": torch.__version__,
        }
    )
    if on_preview is not None and rank == 0:
        on_preview(_preview(ema, architecture, config, preview_rng, torch_device), step)
    return TrainResult(
        generator=ema.cpu().eval(),
        card=card,
        steps=step,
        seconds=spent + elapsed,
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
