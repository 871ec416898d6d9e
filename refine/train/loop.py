"""The training loop: optimisation of a refiner on a dataset, validation, checkpoints.

Plain arguments only (a spec dict, datasets, `TrainSettings`): `refine.cli.train` turns
refine-train's config into them, as denoiser's train.py does for its solver. The run folder
receives `checkpoint.pt` (resumable, atomic, self-describing), `history.json` (one record per
validation: per-step SI-SDR and SNR) and TensorBoard events: the loss of every refinement
step, validation curves per step (a figure with one curve per validation), and the audio of
x̂_0 … x̂_T for a fixed validation clip. A run folder that holds a checkpoint is resumed
exactly: from its last checkpoint, on the batches the uninterrupted run would have drawn, to
the same final weights.
"""

import dataclasses
import json
import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter
from tqdm import tqdm

from refine.data.order import ShardedBatches
from refine.device import autocast, device_of, pick_device
from refine.files import write_text_atomic
from refine.networks.content import dropped_labels
from refine.process.build import build_refiner
from refine.process.checkpoint import load_checkpoint, save_checkpoint
from refine.process.refiner import Refiner
from refine.runtime import tune_allocator
from refine.study.figures import per_step_figure
from refine.study.measure import groups_of, per_step_metrics, radii_at_trained_steps
from refine.study.saturation import FLAT_LOGIT, FROZEN_SHARE, mask_saturation
from refine.train import distributed
from refine.train.bursts import BurstLoader
from refine.train.optim import build_optimizer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainSettings:
    """How to train: one field per key of configs/train/default.yaml, which explains each
    and holds its default (the one home of these defaults: nothing here repeats them)."""

    steps: int
    epochs: float | None
    batch_size: int
    mode: str
    segment: int | None
    checkpoint: bool
    extra_steps: int
    extra_steps_from: int
    extra_grad_steps: int
    jacobian_weight: float
    normalise_by: str
    lr: float
    weight_decay: float
    warmup_steps: int
    grad_clip: float
    val_every: int
    log_every: int
    num_workers: int
    bursts: int
    threads: int | None
    device: str
    precision: str
    seed: int
    init_from: str | None
    init_except: list[str]
    content_dropout: float
    max_minutes: float | None
    stop_at: int | None


def warmup_cosine(warmup: int, total: int):
    """Learning-rate factor: linear warm-up over `warmup` steps, then cosine decay to 0."""

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, total - warmup)
        return 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

    return factor


def steps_for_epochs(epochs: float, examples: int, batch_size: int) -> int:
    """Optimiser steps that show every training example `epochs` times (the Audio U-Net LRU
    denoiser's epochs; a fraction of an epoch is allowed)."""
    if not epochs > 0:
        raise ValueError(f"train.epochs must be positive (or null: train.steps), got {epochs}")
    return max(1, math.ceil(epochs * examples / batch_size))


def build_optimisation(refiner: Refiner, t: TrainSettings) -> tuple:
    """(AdamW with the LRU's parameter groups, warm-up + cosine learning-rate schedule)."""
    optimiser = build_optimizer(refiner, lr=t.lr, weight_decay=t.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimiser, warmup_cosine(t.warmup_steps, t.steps))
    return optimiser, scheduler


def training_loader(
    train_set, t: TrainSettings, start: int = 0, rank: int = 0, world: int = 1, cpu: bool = True
):
    """This process's share of the seeded global batches, from global batch `start` on
    (a resumed run's step): the same batches whether or not the run was interrupted. On the
    CPU with `train.bursts`, made that many at a time by one process per torch thread while
    the step waits (`BurstLoader`); otherwise by `train.num_workers` processes beside the
    step, which is what a GPU wants: its step leaves the cores free."""
    batches = ShardedBatches(len(train_set), t.batch_size, t.seed, rank, world, start)
    if t.bursts and cpu:
        return BurstLoader(train_set, batches, torch.get_num_threads(), t.bursts)
    return DataLoader(
        train_set,
        batch_sampler=batches,
        num_workers=t.num_workers,
        generator=torch.Generator().manual_seed(t.seed),  # worker seeds, not the global RNG
        persistent_workers=t.num_workers > 0,
    )


def close_loader(loader) -> None:
    """End the processes a `training_loader` started: a BurstLoader's pool now (a DataLoader's
    workers end with it)."""
    if isinstance(loader, BurstLoader):
        loader.close()


def extra_steps_at(t: TrainSettings, step: int) -> int:
    """K, the steps past T of training step `step`: drawn uniformly from 0 … train.extra_steps
    by a generator seeded with (train.seed, step), so every process of a data-parallel run
    and a resumed run draw what an uninterrupted single process draws; 0 before step
    train.extra_steps_from (a curriculum: a soft mask trained with steps past T from the
    start falls into a fixed on/off pattern, experiments/convergence)."""
    if not t.extra_steps or step < t.extra_steps_from:
        return 0
    generator = torch.Generator().manual_seed(t.seed * 2**32 + step + 2**31)
    return int(torch.randint(t.extra_steps + 1, (), generator=generator))


def told_content(refiner: Refiner, batch: dict, t: TrainSettings, step: int):
    """The content labels (B,) a content-conditioned refiner is told for this batch: the
    batch's own, each dropped to unknown with probability train.content_dropout by a
    generator of its own (seeded by the run's seed and the step), so that the batches and
    every other draw of a run are those of the same run without labels. None for a refiner
    that knows no content."""
    if not refiner.knows_content:
        return None
    if "content" not in batch:
        raise ValueError("a content model trains on labelled clips: set data.content_of")
    generator = torch.Generator().manual_seed(t.seed * 2**32 + step + 2**31)
    return dropped_labels(batch["content"], t.content_dropout, generator)


def accumulate_gradients(refiner: Refiner, batch: dict, t: TrainSettings, step: int = 0):
    """Backpropagate the loss of this process's share of a global batch, segment by segment,
    in the configured training mode and precision, and average the gradients over the
    processes. Returns the errors ‖x̂_t − y_t‖²/‖ω‖² (or over the energy train.normalise_by
    names) of this share (detached): the T per-step errors, then those of the graded steps
    past T (`extra_steps_at`)."""
    device = device_of(refiner)
    noisy, noise = batch["noisy"].to(device), batch["noise"].to(device)
    content = told_content(refiner, batch, t, step)
    losses = refiner.training_losses(
        noisy,
        noise,
        t.mode,
        t.segment,
        t.checkpoint,
        extra_steps=extra_steps_at(t, step),
        extra_grad_steps=t.extra_grad_steps,
        jacobian_weight=t.jacobian_weight,
        normalise_by=t.normalise_by,
        generator=torch.Generator().manual_seed(t.seed * 2**32 + step),
    )
    errors = []
    while True:
        with autocast(device, t.precision), refiner.content_is(content):  # the forward only
            segment = next(losses, None)
        if segment is None:
            break
        part, part_errors = segment
        part.backward()
        errors.append(part_errors)
    distributed.average_gradients(refiner.parameters())
    return torch.cat(errors)


def train_step(
    refiner: Refiner, batch: dict, optimiser, scheduler, t: TrainSettings, step: int = 0
):
    """Optimiser step number `step` (0-based) on a global batch (gradients averaged over the
    processes, clipped). Returns the errors of the global batch (detached): T per step, then
    those of the graded steps past T. A batch whose loss is not finite (an iterate past T
    that blew up) changes no weight: its step is skipped, the schedule still advances, and
    the NaN errors it returns let the caller count it."""
    errors = distributed.mean_over_processes(accumulate_gradients(refiner, batch, t, step))
    if torch.isfinite(errors).all():  # the same on every process: the mean carries a NaN
        torch.nn.utils.clip_grad_norm_(refiner.parameters(), t.grad_clip)
        optimiser.step()
    scheduler.step()
    optimiser.zero_grad(set_to_none=True)
    return errors


def per_step_records(metrics: dict, keep: torch.Tensor | None = None) -> list:
    """[{"step": t, "si_sdr": mean dB, "snr": mean dB}, …] over the clips in `keep` (all)."""
    keep = slice(None) if keep is None else keep
    si_sdr, snr = metrics["si_sdr"][:, keep].mean(1), metrics["snr"][:, keep].mean(1)
    return [
        {"step": t, "si_sdr": round(a, 3), "snr": round(b, 3)}
        for t, (a, b) in enumerate(zip(si_sdr.tolist(), snr.tolist(), strict=True))
    ]


def validate(refiner: Refiner, validation, writer: SummaryWriter, step: int, history: list):
    """Per-step metrics on the validation set, appended to history and logged."""
    refiner.eval()
    metrics = per_step_metrics(refiner, validation)
    record = {"train_step": step, "per_step": per_step_records(metrics)}
    kinds = set(metrics["noise_kind"])
    for name, keep in groups_of(metrics).items():
        if name not in kinds:  # input-SNR buckets, alone and by noise kind
            record[f"per_step_{name}"] = per_step_records(metrics, keep)
    radii = radii_at_trained_steps(refiner, validation)
    record["spectral_radius"] = {
        "median": round(radii.median().item(), 4),
        "max": round(radii.max().item(), 4),
    }
    saturation = mask_saturation(refiner, validation)
    if saturation is not None:
        record["mask_saturation"] = round(saturation, 4)
        writer.add_scalar("val/mask_saturation", saturation, step)
    history.append(record)
    writer.add_scalar("val/spectral_radius_median", record["spectral_radius"]["median"], step)
    writer.add_scalar("val/spectral_radius_max", record["spectral_radius"]["max"], step)
    for entry in record["per_step"]:
        writer.add_scalar(f"val_si_sdr/step_{entry['step']:02d}", entry["si_sdr"], step)
        writer.add_scalar(f"val_snr/step_{entry['step']:02d}", entry["snr"], step)
    curves = {
        f"after {r['train_step']} steps": [e["si_sdr"] for e in r["per_step"]] for r in history
    }
    title = f"validation SI-SDR per refinement step ({len(validation)} clips)"
    writer.add_figure("val/per_step_si_sdr", per_step_figure(curves, title=title), step)
    noisy = validation[0]["noisy"][None].to(device_of(refiner))  # (1, C, T)
    path = refiner.refine(noisy, patience=None, return_trajectory=True).trajectory
    for t, audio in enumerate(path):
        audio = audio.cpu()
        peak = audio.abs().max().clamp(min=1.0)
        writer.add_audio(f"val_clip/step_{t:02d}", audio[0, 0] / peak, step, validation.sample_rate)
    refiner.train()
    return record


COLLAPSE_DB = 3.0  # a validation this far below the run's best so far is a collapse


def validation_gain(record: dict) -> float:
    """A validation record's mean SI-SDR after the last step minus the input's (dB)."""
    return record["per_step"][-1]["si_sdr"] - record["per_step"][0]["si_sdr"]


def collapse_warning(history: list[dict]) -> str | None:
    """A warning when the newest validation lies COLLAPSE_DB or more below the best before
    it, or its mask is frozen (FROZEN_SHARE of its sigmoids flat), else None. A run can
    collapse and stay there: with the bounded mask, activations that blow up saturate every
    bin's sigmoid, the mask freezes into a fixed on/off filter (the map past T turns into
    the identity, spectral radius 1.000), and no gradient comes back
    (`refine.study.saturation`). Better said at the step it happens than found after the
    run's remaining hours."""
    now, advice = history[-1], "a lower train.lr or another train.seed may avoid it"
    if now.get("mask_saturation", 0.0) >= FROZEN_SHARE:
        return (
            f"the mask is frozen: its sigmoid is flat (|logit| > {FLAT_LOGIT:g}) in "
            f"{now['mask_saturation']:.1%} of the validation's bins, so no gradient comes "
            f"back through it; training has collapsed; the leash on the mask's logits "
            f"(model.mask_leash > 0) pulls them back, and without it {advice}"
        )
    if len(history) < 2:
        return None
    best = max(history[:-1], key=validation_gain)
    drop = validation_gain(best) - validation_gain(now)
    if drop < COLLAPSE_DB:
        return None
    return (
        f"validation SI-SDR {validation_gain(now):+.2f} dB over the input is {drop:.1f} dB "
        f"below this run's best ({validation_gain(best):+.2f} at step {best['train_step']}): "
        f"training has collapsed; {advice}"
    )


def format_table(record: dict) -> str:
    """The per-step table of one validation record: mean SI-SDR and SNR (dB) of all clips,
    then SI-SDR per input SNR and per input SNR and noise kind."""
    buckets = [k for k in record if k.startswith("per_step_")]
    labels = [k[9:].replace("dB", " dB").replace("_", " ") for k in buckets]
    width = max([9] + [len(label) + 2 for label in labels])
    lines = [
        f"{'':4s} {'all clips':>17s}   SI-SDR by input SNR and noise",
        f"{'step':4s} {'SI-SDR':>8s} {'SNR':>8s}" + "".join(f"{lb:>{width}s}" for lb in labels),
    ]
    for t, entry in enumerate(record["per_step"]):
        row = f"{t:4d} {entry['si_sdr']:8.2f} {entry['snr']:8.2f}"
        lines.append(row + "".join(f"{record[k][t]['si_sdr']:{width}.2f}" for k in buckets))
    return "\n".join(lines)


def dotted(tree: dict, prefix: str = "") -> dict:
    """A nested dict as {"model.d_model": 64, ...}: its leaves by their dotted key."""
    leaves = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            leaves.update(dotted(value, f"{prefix}{key}."))
        else:
            leaves[f"{prefix}{key}"] = value
    return leaves


def start_from(refiner: Refiner, path: str, spec: dict, keep_fresh=()) -> None:
    """Fine-tuning: the weights of the checkpoint at `path` (a training run's or a shipped
    one) as the starting point; the optimiser, schedule and data order start afresh. Settings
    that leave the weights' shapes alone may differ (T, the loss, the normalisation, ...);
    an architecture the weights do not fit is refused with the settings that differ.

    Parameters whose names start with a prefix in `keep_fresh` (e.g. "step_net.lower", the
    output map) keep this run's initialisation: a warm start across a change of the parts
    they belong to (another update rule's output map, a conditioning the checkpoint lacks),
    every other weight still has to fit."""
    saved, own = load_checkpoint(path), refiner.state_dict()
    fresh = {name: w for name, w in own.items() if name.startswith(tuple(keep_fresh))}
    unused = [prefix for prefix in keep_fresh if not any(n.startswith(prefix) for n in fresh)]
    if unused:
        raise ValueError(
            f"train.init_except: no parameter of this model starts with {unused}; "
            f"its parameters are {sorted(own)}"
        )
    weights = {name: w for name, w in saved["model"].items() if name not in fresh} | fresh
    try:
        refiner.load_state_dict(weights)
    except RuntimeError:
        there, here = dotted(saved["spec"]), dotted(spec)
        differs = [
            f"{key}: {there.get(key)!r} there, {here.get(key)!r} here"
            for key in sorted(there.keys() | here.keys())
            if there.get(key) != here.get(key)
        ]
        raise ValueError(
            f"train.init_from={path}: its weights do not fit this config's model "
            f"({'; '.join(differs)}); set those keys as the checkpoint has them, or name the "
            "parts to start afresh in train.init_except"
        ) from None
    log.info(
        "starting from the weights of %s (trained %s steps)%s",
        path,
        saved.get("step"),
        f", except {sorted(keep_fresh)}" if keep_fresh else "",
    )


def train(spec: dict, train_set, validation, t: TrainSettings, run_dir: Path, config: dict) -> list:
    """Train (or resume) the refiner that `spec` describes (`refine.process.build`) on
    `train_set`, validating on `validation`, in run_dir; returns the history. `config` is
    stored in the checkpoint as the run's settings (with train.steps as the epochs make it)."""
    tune_allocator()
    if t.threads:
        torch.set_num_threads(t.threads)
    device = distributed.local_device(pick_device(t.device))
    rank, world = distributed.start(device)
    leader = rank == 0  # validates, logs and checkpoints
    if not leader:
        logging.getLogger().setLevel(logging.WARNING)
    if device.type == "cuda":
        torch.cuda.set_device(device)
    run_dir = Path(distributed.from_rank_zero(str(run_dir)))
    torch.manual_seed(t.seed)
    refiner = build_refiner(spec).to(device)
    if t.epochs is not None:
        t = dataclasses.replace(t, steps=steps_for_epochs(t.epochs, len(train_set), t.batch_size))
        config = config | {"train": config["train"] | {"steps": t.steps}}
        log.info("%s epochs of %d clips: %d optimiser steps", t.epochs, len(train_set), t.steps)
    optimiser, scheduler = build_optimisation(refiner, t)
    step, history = 0, []
    checkpoint_path = run_dir / "checkpoint.pt"
    if checkpoint_path.exists():
        saved = load_checkpoint(checkpoint_path)
        refiner.load_state_dict(saved["model"])
        optimiser.load_state_dict(saved["optimiser"])
        scheduler.load_state_dict(saved["scheduler"])
        step, history = saved["step"], saved["history"]
        log.info("resuming %s at step %d", checkpoint_path, step)
    elif t.init_from:  # a fine-tuning run starts from there; resuming it, from its own
        start_from(refiner, t.init_from, spec, t.init_except)
    distributed.broadcast_parameters(refiner)

    def save():
        save_checkpoint(
            checkpoint_path,
            spec=spec,
            model=refiner.state_dict(),
            optimiser=optimiser.state_dict(),
            scheduler=scheduler.state_dict(),
            step=step,
            history=history,
            config=config,
        )
        write_text_atomic(run_dir / "history.json", json.dumps(history, indent=1))

    params = sum(p.numel() for p in refiner.parameters())
    log.info("%.2f M parameters on %s ×%d; run folder %s", params / 1e6, device, world, run_dir)
    writer = SummaryWriter(run_dir) if leader else None
    loader = training_loader(train_set, t, step, rank, world, cpu=device.type == "cpu")
    # The burst pool is shut down however the loop ends, Ctrl-C included: left to the
    # interpreter's exit, its wake-up pipe could be closed by its manager thread while
    # concurrent.futures' exit hook wrote to it (a traceback after the 'interrupted' line).
    try:
        started = time.monotonic()
        end = t.steps if t.stop_at is None else min(t.steps, t.stop_at)
        bar = tqdm(
            total=t.steps,
            initial=step,
            desc="training",
            unit="step",
            dynamic_ncols=True,
            disable=not leader,
        )
        refiner.train()
        skipped = history[-1].get("skipped_steps", 0) if history else 0
        while step < end:
            for batch in loader:
                errors = train_step(refiner, batch, optimiser, scheduler, t, step)
                skipped += not torch.isfinite(errors).all()
                errors, past_t = errors[: refiner.steps], errors[refiner.steps :]
                step += 1
                bar.update()
                bar.set_postfix(final_step_error=f"{errors[-1].item():.4f}")
                if leader and step % t.log_every == 0:
                    writer.add_scalar(
                        "train/loss", (refiner.weights.to(errors) * errors).sum(), step
                    )
                    for i, error in enumerate(errors.tolist(), start=1):
                        writer.add_scalar(f"train_error/step_{i:02d}", error, step)
                    if len(past_t):
                        writer.add_scalar("train_error/past_T", past_t.mean(), step)
                out_of_time = bool(t.max_minutes) and distributed.from_rank_zero(
                    time.monotonic() - started > 60 * t.max_minutes
                )
                if leader and (step % t.val_every == 0 or step == end or out_of_time):
                    record = validate(refiner, validation, writer, step, history)
                    record["skipped_steps"] = skipped  # non-finite losses so far in this process
                    if skipped:
                        log.warning("%d training steps skipped so far: non-finite loss", skipped)
                    save()
                    log.info(
                        "step %d: validation SI-SDR %+.2f dB over the input; spectral radius of "
                        "the map past T %.3f (median)",
                        step,
                        validation_gain(record),
                        record["spectral_radius"]["median"],
                    )
                    if warning := collapse_warning(history):
                        log.warning("step %d: %s", step, warning)
                if step >= end or out_of_time:
                    break
            if out_of_time:
                log.warning("stopped at step %d: train.max_minutes=%s spent", step, t.max_minutes)
                break
        bar.close()
    finally:
        close_loader(loader)
    if t.stop_at is not None and t.stop_at <= step < t.steps:
        log.info("stopped at step %d of %d (train.stop_at): rerun with a later stop_at, or "
                 "none, to go on", step, t.steps)  # fmt: skip
    if writer is not None:
        writer.close()
    return history
