"""AdamW whose parameter groups follow the hints that parameters carry.

A parameter may carry `_optim = {"lr_scale": s, "weight_decay": w}` (the s4 convention, here
with a scale so that learning-rate schedules keep the ratio). The LRU puts
{"lr_scale": 0.5, "weight_decay": 0.0} on λ, γ and B, as the LRU paper trains them. Without a
hint, matrices get the base weight decay and vectors (biases, norm gains, the LRU's D) none.

Hints are plain attributes: `.to()`, `.double()` and `load_state_dict` keep them, but
`copy.deepcopy` of a Parameter does not (torch rebuilds it), so build the optimiser from the
model you train.
"""

import torch
from torch import nn


def param_groups(model: nn.Module, lr: float, weight_decay: float) -> list[dict]:
    """One AdamW group per distinct (learning rate, weight decay), in parameter order."""
    groups: dict[tuple[float, float], list[nn.Parameter]] = {}
    for param in model.parameters():
        if not param.requires_grad:
            continue
        hint = getattr(param, "_optim", {})
        default_decay = weight_decay if param.dim() >= 2 else 0.0
        key = (lr * hint.get("lr_scale", 1.0), hint.get("weight_decay", default_decay))
        groups.setdefault(key, []).append(param)
    return [{"params": ps, "lr": g_lr, "weight_decay": wd} for (g_lr, wd), ps in groups.items()]


def build_optimizer(
    model: nn.Module,
    lr: float = 1e-3,
    weight_decay: float = 0.05,
    betas: tuple[float, float] = (0.9, 0.999),
) -> torch.optim.AdamW:
    """AdamW over `param_groups(model, lr, weight_decay)`."""
    return torch.optim.AdamW(param_groups(model, lr, weight_decay), lr=lr, betas=betas)
