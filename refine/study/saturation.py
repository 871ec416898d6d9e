"""How much of the bounded mask's sigmoid is flat: the collapse of a masked run, measured.

The mask update squashes the step network's pre-activation g into m = clamp((1 + 2τ)·σ(g)
− τ, 0, 1). When the backbone's activations blow up (a learning rate too high for the
width), |g| grows past about 10 in nearly every bin, σ'(g) < 5e-5 there, the mask freezes
into a fixed on/off filter and no gradient comes back through it: the run stays collapsed
for the rest of its schedule (experiments/anytime/budget_4x/failed/: three one-shot runs
wider than d 64, with 99.6 % of bins flat against 0.0-0.1 % in healthy runs). Validation
logs the share, so a collapse is named at the first validation after it, even one that
comes before the run ever validated well.
"""

import torch
from torch.utils.data import DataLoader, Dataset

from refine.device import device_of
from refine.networks.step_net import StepNetwork

FLAT_LOGIT = 10.0  # |g| past which σ'(g) < 5e-5
FROZEN_SHARE = 0.9  # a mask flat in this share of its entries has frozen


@torch.no_grad()
def mask_saturation(refiner, dataset: Dataset, batch_size: int = 8) -> float | None:
    """The share of entries (clip, bin, frame) of the mask's pre-activation at the first
    step whose sigmoid is flat, |g| > FLAT_LOGIT, over `dataset`; None when the step
    network has no mask (the affine update, other step networks)."""
    net = getattr(refiner, "step_net", None)
    if not isinstance(net, StepNetwork) or net.update != "mask":
        return None
    device, flat, total = device_of(refiner), 0, 0
    for batch in DataLoader(dataset, batch_size=batch_size):
        x = refiner.domain.encode(batch["noisy"].to(device))  # (B, K, L)
        conditioning = refiner._conditioning(1, x.shape[0], x)
        logits = net.mask_logits(x, conditioning, x if net.inject else None)
        flat += int((logits.abs() > FLAT_LOGIT).sum())
        total += logits.numel()
    return flat / total
