"""Two runs trained on the same batches (the same train.seed and data), compared on their
training loss batch by batch: does one fit its training data better? A wider network that
generalises no better but fits its batches better has capacity to spare for the task; one
that fits them no better is not held back by its size there.

    python experiments/pretrained/paired_training_loss.py RUN_A RUN_B [--after 5000]

RUN_A and RUN_B are run folders with TensorBoard logs of `train/loss` (logged every
train.log_every steps). Prints, for the logged steps after `--after`, both means and the
mean relative difference B / A − 1 per logged step with its 95 % t-interval.
"""

import argparse
from pathlib import Path

import numpy as np
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def logged_loss(run: Path) -> dict[int, float]:
    """train/loss by step from the run folder's TensorBoard event files."""
    losses = {}
    for events in sorted(run.glob("events.out.tfevents.*")):
        accumulator = EventAccumulator(str(events), size_guidance={"scalars": 0})
        accumulator.Reload()
        if "train/loss" in accumulator.Tags()["scalars"]:
            losses |= {event.step: event.value for event in accumulator.Scalars("train/loss")}
    if not losses:
        raise SystemExit(f"{run}: no train/loss in its TensorBoard logs")
    return losses


def relative_difference(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Mean of b / a − 1 over the paired steps and its 95 % t-interval (normal quantile)."""
    ratio = b / a - 1
    half = 1.96 * ratio.std(ddof=1) / np.sqrt(len(ratio))
    return ratio.mean(), ratio.mean() - half, ratio.mean() + half


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_a", type=Path)
    parser.add_argument("run_b", type=Path)
    parser.add_argument("--after", type=int, default=0, help="only logged steps after this")
    args = parser.parse_args()
    a, b = logged_loss(args.run_a), logged_loss(args.run_b)
    steps = sorted(step for step in a.keys() & b.keys() if step > args.after)
    if len(steps) < 2:
        raise SystemExit(f"fewer than two logged steps after {args.after} in both runs")
    first, second = np.array([a[s] for s in steps]), np.array([b[s] for s in steps])
    mean, low, high = relative_difference(first, second)
    print(
        f"training loss over {len(steps)} logged steps after {args.after}: "
        f"{args.run_a.name} {first.mean():.4f}, {args.run_b.name} {second.mean():.4f}, "
        f"{args.run_b.name} / {args.run_a.name} − 1 = {mean:+.1%} [{low:+.1%}, {high:+.1%}]"
    )


if __name__ == "__main__":
    main()
