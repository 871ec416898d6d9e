"""Did the widened network use its width? After widening (refine.process.widen) every channel
has a copy that starts equal; if training leaves the two alike, the wide network is the
narrow one in disguise and a null result says nothing about capacity. Per parameter whose
rows are channels, how far each channel's row moved from its copy's (‖r_c − r_c'‖ over the
mean of their norms, median over channels), beside how far the narrow arm's same rows moved
from where both started (‖r − r₀‖ / ‖r₀‖) in the same steps: the scale of a trained change.

    python experiments/pretrained/copies_apart.py WIDE NARROW START
"""

import argparse

import torch

from refine.process.checkpoint import load_checkpoint

ROWS = ("step_net.lift.weight", "lru.C_re", "norm.weight")  # one row per channel


def row_parameters(weights: dict) -> list[str]:
    return [name for name in weights if name.endswith(ROWS)]


def median_apart(wide: torch.Tensor) -> float:
    """Median over channels of ‖r_c − r_c'‖ / mean(‖r_c‖, ‖r_c'‖), r_c' the copy of r_c."""
    rows = wide.reshape(wide.shape[0], -1)
    first, copy = rows.chunk(2)
    scale = (first.norm(dim=1) + copy.norm(dim=1)) / 2
    return ((first - copy).norm(dim=1) / scale.clamp(min=1e-12)).median().item()


def median_moved(after: torch.Tensor, before: torch.Tensor) -> float:
    """Median over channels of ‖r − r₀‖ / ‖r₀‖."""
    after, before = after.reshape(after.shape[0], -1), before.reshape(before.shape[0], -1)
    return ((after - before).norm(dim=1) / before.norm(dim=1).clamp(min=1e-12)).median().item()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wide", help="the widened arm's trained checkpoint")
    parser.add_argument("narrow", help="the narrow arm's trained checkpoint")
    parser.add_argument("start", help="the checkpoint both started from (the narrow one)")
    args = parser.parse_args()
    wide, narrow, start = (
        load_checkpoint(path)["model"] for path in (args.wide, args.narrow, args.start)
    )
    print("| parameter | wide: a channel from its copy | narrow: a channel from its start |")
    print("|---|--:|--:|")
    for name in row_parameters(start):
        apart, moved = median_apart(wide[name]), median_moved(narrow[name], start[name])
        print(f"| {name.removeprefix('step_net.')} | {apart:.3f} | {moved:.3f} |")


if __name__ == "__main__":
    main()
