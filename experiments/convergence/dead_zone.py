"""Where a mask update's bins sit, step by step: the share of mask values exactly 0 (the bin
left alone) and exactly 1 (the bin's whole step taken), on the first clips of refine-eval's
synthetic test set. Shares near 100 % that do not change from step to step say the mask has
become a fixed on/off pattern, whatever the input.

    python experiments/convergence/dead_zone.py runs/convergence/mask_extra_frozen/checkpoint.pt \
        runs/convergence/mask_extra/checkpoint.pt --steps 16

prints one table per checkpoint: step, share at 0, share at 1, share in between.
"""

import argparse
from pathlib import Path

import torch
from omegaconf import OmegaConf

from refine.cli import CONFIG_DIR
from refine.cli.eval import test_set
from refine.networks.step_net import bounded_mask
from refine.process.checkpoint import load_refiner, trained_sample_rate

EVAL_DATA = OmegaConf.load(Path(CONFIG_DIR) / "eval.yaml").data  # refine-eval's default test set


def mask_shares(path: str, steps: int, clips: int) -> list[tuple[int, float, float]]:
    """[(t, share of m = 0, share of m = 1)] for t = 1 … steps."""
    refiner, contents = load_refiner(path)
    refiner.eval()
    net = refiner.step_net
    if net.update != "mask":
        raise SystemExit(f"{path}: its update is {net.update!r}, not a mask")
    test = test_set(EVAL_DATA, trained_sample_rate(contents))
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
    for path in args.checkpoints:
        print(f"\n{path}\n\n| step | m = 0 | m = 1 | in between |\n|--:|--:|--:|--:|")
        for t, zero, one in mask_shares(path, args.steps, args.clips):
            print(f"| {t} | {zero:.1%} | {one:.1%} | {1 - zero - one:.1%} |")


if __name__ == "__main__":
    main()
