"""Equal training wall-clock: how many optimiser steps each variant gets for one budget.

    python -m refine.cli.equal_time "T8:" "T1: model.steps=1" "T16: model.steps=16" \
        --reference-steps 1200 -o experiments/one_shot/budget.csv

Comparing T = 1 with T = 16, or full backprop with truncation, at equal step counts would
give the cheap variant less compute than the expensive one. Here every variant is timed on
the real training loop (its data loader, its training mode, the optimiser) on this machine,
and gets the step count that spends the budget: the first variant's `--reference-steps`
times its measured seconds per step. Validation time is not counted.

The step counts are measured once and written to a CSV that the experiment's script reads,
so a rerun trains the same number of steps; a different machine recalibrates.
"""

import argparse
import sys
import time

import torch
from hydra import compose, initialize_config_dir
from hydra.errors import HydraException
from omegaconf import DictConfig
from omegaconf.errors import OmegaConfBaseException
from tqdm import tqdm

from refine.cli import CONFIG_DIR
from refine.cli.arguments import refuse_below
from refine.cli.train import build_datasets, refiner_spec, train_settings
from refine.device import device_of, pick_device, synchronize
from refine.process.build import build_refiner
from refine.runtime import tune_allocator
from refine.tables import write_csv
from refine.train.loop import build_optimisation, close_loader, train_step, training_loader


def training_parts(cfg: DictConfig) -> tuple:
    """What one training step of the run that cfg describes needs, built as refine-train
    builds it (threads, seed, model on train.device, optimiser, loader), for a throwaway copy
    that times it: (settings, refiner in training mode, optimiser, scheduler, the batch
    loader). The caller ends the loader's processes with `close_loader` when done."""
    t = train_settings(cfg.train)
    if t.threads:
        torch.set_num_threads(t.threads)
    torch.manual_seed(t.seed)
    device = pick_device(t.device)
    refiner = build_refiner(refiner_spec(cfg)).to(device)
    train_set, _ = build_datasets(cfg.data)
    optimiser, scheduler = build_optimisation(refiner, t)
    refiner.train()
    loader = training_loader(train_set, t, cpu=device.type == "cpu")
    return t, refiner, optimiser, scheduler, loader


def seconds_per_step(cfg: DictConfig, steps: int = 30, warmup: int = 5) -> float:
    """Mean wall-clock seconds of one training step (loader wait included) of the run that
    cfg describes, after `warmup` untimed steps. Trains a throwaway copy; writes nothing."""
    t, refiner, optimiser, scheduler, loader = training_parts(cfg)
    batches = iter(loader)
    try:
        for i in range(warmup + steps):
            if i == warmup:
                started = time.perf_counter()
            train_step(refiner, next(batches), optimiser, scheduler, t, i)
        synchronize(device_of(refiner))
    finally:
        close_loader(loader)
    return (time.perf_counter() - started) / steps


def parse_variant(text: str) -> tuple[str, list[str]]:
    """'NAME: key=value key=value' → (NAME, [overrides])."""
    name, colon, overrides = text.partition(":")
    if not colon or not name.strip():
        raise ValueError(f"variant {text!r} must read 'NAME: key=value ...' (overrides optional)")
    return name.strip(), overrides.split()


def calibrate(
    variants: list[str], reference: str | None, reference_steps: int, steps: int, warmup: int
) -> list[dict]:
    """One row per variant: its measured seconds per step and the steps that spend the
    reference's budget (reference_steps × the reference's seconds per step). The reference
    is the variant named `reference` (None: the first)."""
    parsed = [parse_variant(v) for v in variants]
    names = [name for name, _ in parsed]
    if reference is not None and reference not in names:
        raise ValueError(f"--reference {reference!r} is none of the variants {names}")
    rows = []
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        for name, overrides in tqdm(parsed, desc="timing variants", unit="variant"):
            cfg = compose(config_name="config", overrides=overrides)
            seconds = seconds_per_step(cfg, steps, warmup)
            rows.append({"name": name, "overrides": " ".join(overrides), "seconds": seconds})
    budget = reference_steps * rows[names.index(reference or names[0])]["seconds"]
    for row in rows:
        row["budget_seconds"] = round(budget, 1)
        row["steps"] = max(1, round(budget / row["seconds"]))
        row["seconds"] = round(row["seconds"], 4)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Optimiser steps per variant for equal training wall-clock.",
        epilog="'NAME:' without overrides is the default config.",
    )
    parser.add_argument("variants", nargs="+", help="'NAME: key=value ...' Hydra overrides")
    parser.add_argument("--reference", help="the variant whose steps set the budget (first)")
    parser.add_argument("--reference-steps", type=int, default=1200, help="its step count")
    parser.add_argument("--steps", type=int, default=30, help="timed steps per variant")
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps before timing")
    parser.add_argument("-o", "--output", required=True, help="CSV to write")
    args = parser.parse_args(argv)
    refuse_below(parser, ("--steps", args.steps, 1), ("--warmup", args.warmup, 0),
                 ("--reference-steps", args.reference_steps, 1))  # fmt: skip
    tune_allocator()
    try:
        rows = calibrate(
            args.variants, args.reference, args.reference_steps, args.steps, args.warmup
        )
    except (ValueError, OSError, ImportError, HydraException, OmegaConfBaseException) as error:
        # a bad variant, override or data folder: one line, no traceback
        print(f"refine.cli.equal_time: {error}", file=sys.stderr)
        sys.exit(2)
    write_csv(args.output, rows)
    for row in rows:
        print(f"{row['name']:>12s}  {row['seconds']:7.4f} s/step  {row['steps']:6d} steps")
    print(f"budget {rows[0]['budget_seconds']:.0f} s of training each; written to {args.output}")


if __name__ == "__main__":
    main()
