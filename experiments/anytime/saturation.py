"""Why a masked run collapsed: how large its backbone's output is and how many bins' mask
sigmoids it saturates, against a run that did not collapse, on the same clips.

    python experiments/anytime/saturation.py runs/budget_4x/S2_seed0_collapsed/checkpoint.pt \
        runs/anytime/S2/checkpoint.pt

For checkpoints of the bounded mask update (`StepNetwork.mask_logits`), on 16
validation-like clips (music in white/pink noise at 0/5/10 dB, seed 1, 0.5 s): the standard
deviation of the backbone's output h, and of the mask's pre-activation g (the gain with the
bin gate) the share of bins past where the leash starts (|g| > 6.9, `model.mask_leash`),
the share where the sigmoid is flat, |g| > 10 (σ' < 5e-5: no gradient comes back through
it, whichever way the inward rule lets it pass), and the share of bins whose mask sits at 0
or at 1. Writes a markdown table to stdout.
"""

import argparse
import sys
from pathlib import Path

import torch

from refine.data import SyntheticDataset
from refine.networks.gated_mask import LEASH_LOGIT, MASK_END_LOGIT
from refine.process.checkpoint import load_refiner
from refine.study.saturation import FLAT_LOGIT


@torch.no_grad()
def saturation(path: Path, noisy: torch.Tensor) -> dict:
    refiner, _ = load_refiner(path)
    net = refiner.step_net
    if net.update != "mask":
        raise SystemExit(f"{path}: its step network's update is affine, not the bounded mask")
    outputs = []  # the backbone's output h (B, d_model, L), caught on its way to the lower map
    hook = net.backbone.register_forward_hook(lambda module, args, h: outputs.append(h))
    g = net.mask_logits(refiner.domain.encode(noisy))  # (B, K, L)
    hook.remove()
    return {
        "h_std": outputs[0].std().item(),
        "leashed": (g.abs() > LEASH_LOGIT).float().mean().item(),
        "flat": (g.abs() > FLAT_LOGIT).float().mean().item(),
        "zero": (g < -MASK_END_LOGIT).float().mean().item(),
        "one": (g > MASK_END_LOGIT).float().mean().item(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoints", type=Path, nargs="+")
    args = parser.parse_args()
    missing = [str(p) for p in args.checkpoints if not p.is_file()]
    if missing:
        print(f"no such checkpoint: {', '.join(missing)}", file=sys.stderr)
        return 2
    clips = SyntheticDataset(16, seed=1, split="val", snr_values=(0.0, 5.0, 10.0))
    noisy = torch.stack([clips[i]["noisy"] for i in range(len(clips))])  # (16, 1, T)
    lines = [
        "| checkpoint | backbone output std | past the leash (abs g > 6.9) | σ flat (abs g > 10) "
        "| mask at 0 | mask at 1 |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for path in args.checkpoints:
        s = saturation(path, noisy)
        lines.append(
            f"| {path} | {s['h_std']:.3g} | {s['leashed']:.1%} | {s['flat']:.1%} "
            f"| {s['zero']:.1%} | {s['one']:.1%} |"
        )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
