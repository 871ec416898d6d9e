"""Where a mask update's bins sit, step by step: the share of mask values exactly 0 (the bin
left alone) and exactly 1 (the bin's whole step taken), on the first clips of refine-eval's
synthetic test set. A bin past either end of the clamp has no gradient unless it passes
straight through (refine.step_net.bounded_mask), so a share near 100 % says the network
has stopped learning.

    python experiments/convergence/dead_zone.py runs/convergence/mask_extra_frozen/checkpoint.pt \
        runs/convergence/mask_extra/checkpoint.pt --steps 16

prints one table per checkpoint: step, share at 0, share at 1, share in between.
"""

import argparse

import torch

from refine.checkpoint import load_refiner
from refine.data import SyntheticDataset
from refine.step_net import bounded_mask


def mask_shares(path: str, steps: int, clips: int) -> list[tuple[int, float, float]]:
    """[(t, share of m = 0, share of m = 1)] for t = 1 … steps."""
    refiner, _ = load_refiner(path)
    refiner.eval()
    net = refiner.step_net
    if net.update != "mask":
        raise SystemExit(f"{path}: its update is {net.update!r}, not a mask")
    test = SyntheticDataset(  # refine-eval's default test split, its first `clips` clips
        48, segment_seconds=2.0, snr_values=[0.0, 5.0, 10.0], noise_kinds=["white", "pink"],
        cycle_noise_kinds=True, seed=0, split="test",
    )  # fmt: skip
    noisy = torch.stack([test[i]["noisy"] for i in range(clips)])  # (B, C, T)
    seen, shares = {}, []

    def keep_input(module, args):
        seen["x"] = args[0]

    def measure(module, args, h):
        x = seen["x"]
        mask = bounded_mask(net.gain(x, h, net.scale(x)[0])[0])
        shares.append(((mask == 0).float().mean().item(), (mask == 1).float().mean().item()))

    hooks = [net.register_forward_pre_hook(keep_input), net.backbone.register_forward_hook(measure)]
    with torch.no_grad():
        refiner.refine(noisy, steps=steps, patience=None)
    for hook in hooks:
        hook.remove()
    return [(t, zero, one) for t, (zero, one) in enumerate(shares, start=1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoints", nargs="+")
    parser.add_argument("--steps", type=int, default=16)
    parser.add_argument("--clips", type=int, default=8)
    args = parser.parse_args()
    torch.manual_seed(0)
    for path in args.checkpoints:
        print(f"\n{path}\n\n| step | m = 0 | m = 1 | in between |\n|--:|--:|--:|--:|")
        for t, zero, one in mask_shares(path, args.steps, args.clips):
            print(f"| {t} | {zero:.1%} | {one:.1%} | {1 - zero - one:.1%} |")


if __name__ == "__main__":
    main()
