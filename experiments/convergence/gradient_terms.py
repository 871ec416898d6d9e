"""What a gradient-step network's output is made of, step by step: its update is
∇ₓE = x ⊙ m² + J_mᵀ(x ⊙ x ⊙ m) (+ λ(x − y)), for E(x) = ½‖x ⊙ m(x)‖² (+ the data term),
and only the first term is a mask: the second is the mask's own derivative, which couples every
bin through the backbone and the input's RMS. This prints the share of the update's energy in
the second term, ‖∇ₓE − x ⊙ m² − λ(x − y)‖ / ‖∇ₓE‖, and the largest relative step of any clip,
on the first clips of refine-eval's synthetic test set; a share near 1 says the network's
update is not the mask it computes but the mask's Jacobian.

    python experiments/convergence/gradient_terms.py runs/gradient_step/gradient_step/checkpoint.pt
    python experiments/convergence/gradient_terms.py --as-gradient-step runs/main/checkpoint.pt

prints one table per checkpoint: step, the cross term's share (median over clips), the
update's norm relative to the iterate's (median, max), and the mean SI-SDR after the step.
`--as-gradient-step` reads a trained mask network as the energy E = ½‖x ⊙ m(x)‖² without
training it again (its leash off, no data term): whether a mask that denoises well makes an
energy whose gradient is that mask, or is dominated by the mask's derivative.
"""

import argparse
from pathlib import Path

import torch
from omegaconf import OmegaConf

from refine.cli import CONFIG_DIR
from refine.cli.eval import test_set
from refine.networks.step_net import bounded_mask
from refine.process.checkpoint import load_refiner, trained_sample_rate
from refine.study.metrics import si_sdr

EVAL_DATA = OmegaConf.load(Path(CONFIG_DIR) / "eval.yaml").data  # refine-eval's default test set


def mask_of(net, x: torch.Tensor) -> torch.Tensor:
    """The mask m(x) (B, K, L) that the network's energy squares."""
    return bounded_mask(net.mask_logits(x), net.mask_gradient)


def shares(path: str, steps: int, clips: int, as_gradient_step: bool) -> list[tuple]:
    """[(t, median cross-term share, median and max relative update, mean SI-SDR)] for
    t = 0 (the input: SI-SDR only) … steps."""
    refiner, contents = load_refiner(path)
    refiner.eval()
    net = refiner.step_net
    if as_gradient_step:
        if getattr(net, "update", None) != "mask":
            raise SystemExit(f"{path}: --as-gradient-step reads a mask network, not this one")
        net.gradient_step, net.data_weight, net.mask_leash = True, 0.0, 0.0
    if not getattr(net, "gradient_step", False):
        raise SystemExit(f"{path}: its step network does not output a gradient")
    test = test_set(EVAL_DATA, trained_sample_rate(contents))
    noisy = torch.stack([test[i]["noisy"] for i in range(clips)])  # (B, C, T)
    clean = torch.stack([test[i]["clean"] for i in range(clips)])
    x = observation = refiner.domain.encode(noisy)  # (B, K, L)
    rows = [(0, None, None, None, si_sdr(noisy, clean).mean().item())]  # the input
    for t in range(1, steps + 1):
        with torch.no_grad():
            update = refiner._network(x, t, observation=observation)[0]  # ∇ₓE (B, K, L)
            diagonal = x * mask_of(net, x).square() + net.data_weight * (x - observation)
        cross = (update - diagonal).flatten(1).norm(dim=1) / update.flatten(1).norm(dim=1)
        relative = refiner.eta(t) * update.flatten(1).norm(dim=1) / x.flatten(1).norm(dim=1)
        x = refiner.apply(x, update, t, observation=observation)
        quality = si_sdr(refiner.domain.decode(x, noisy), clean).mean().item()
        rows.append((t, cross.median().item(), relative.median().item(), relative.max().item()))
        rows[-1] += (quality,)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoints", nargs="+")
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--clips", type=int, default=8)
    parser.add_argument("--as-gradient-step", action="store_true")
    args = parser.parse_args()
    for path in args.checkpoints:
        print(f"\n{path}\n")
        print("| step | cross term's share of ‖∇E‖ | ‖η∇E‖/‖x‖ median | max | SI-SDR (dB) |")
        print("|--:|--:|--:|--:|--:|")
        rows = shares(path, args.steps, args.clips, args.as_gradient_step)
        print(f"| 0 (input) | | | | {rows[0][-1]:.2f} |")
        for t, cross, median, largest, quality in rows[1:]:
            print(f"| {t} | {cross:.3f} | {median:.3g} | {largest:.3g} | {quality:.2f} |")


if __name__ == "__main__":
    main()
