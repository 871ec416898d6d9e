"""A trained LRU_UNet step network made twice as wide without changing what it computes.

The capacity question of issue 19 (does a larger network learn recorded noise without
unlearning white and pink noise?) is expensive to ask from scratch: the shipped models took
hours to reach their plateau. Net2WiderNet (Chen et al. 2016, "Net2Net", arXiv 1511.05641)
asks it from the plateau instead: every channel of the residual stream is copied, so the
network with d_model 2d computes exactly the function of the trained one with d_model d,
and training continues from there with twice the width (four times the backbone's weights).

Every level of the U-Net carries [h, h], its channels and their copies:

    into a channel (a row: lift, LRU C and D, GLU value and gate, the resampling outputs,
    LayerNorm, FiLM):      the row twice          -> the channel and its copy agree
    out of a channel (a column: LRU B, GLU, resampling inputs, the output map):
                           W ⊙ A beside W ⊙ (1 − A), A uniform in [¼, ¾] per weight
                           -> W·h = (W ⊙ A)·h + (W ⊙ (1 − A))·h

LayerNorm over [h, h] has h's mean and variance, GELU and the LRU's diagonal recurrence act
per channel, so the wide network's output equals the narrow one's up to rounding. The split
A differs per weight so that a channel and its copy get gradients in different directions
(a common factor would leave Adam's steps equal, and the copies equal forever).
"""

from pathlib import Path

import torch

from refine.process.checkpoint import rewrite_checkpoint

PREFIX = "step_net."
SUPPORTED = {"lru_unet"}


class _Widener:
    """The copy-and-split rules of the module docstring, with one generator for every A."""

    def __init__(self, seed: int):
        self.generator = torch.Generator().manual_seed(seed)

    def rows(self, w: torch.Tensor, groups: int = 1) -> torch.Tensor:
        """(groups·H, ...) -> (groups·2H, ...): each group of H rows followed by its copy."""
        parts = w.unflatten(0, (groups, -1))
        return torch.cat([parts, parts], 1).flatten(0, 1)

    def columns(self, w: torch.Tensor, groups: int = 1) -> torch.Tensor:
        """(O, groups·H, ...) -> (O, groups·2H, ...): each group of H columns split in two."""
        parts = w.unflatten(1, (groups, -1))  # (O, groups, H, ...)
        share = torch.empty(parts.shape, dtype=torch.float64).uniform_(
            0.25, 0.75, generator=self.generator
        )
        share = share.to(w.dtype)
        return torch.cat([parts * share, parts * (1 - share)], 2).flatten(1, 2)


def widened_weights(weights: dict, spec_model: dict, seed: int = 0) -> dict:
    """The state dict of a refiner whose step network is an LRU_UNet StepNetwork (`weights`,
    its `spec_model` the checkpoint's spec["model"]) at twice its d_model: the module
    docstring's rules, parameter by parameter. Raises ValueError for a parameter it has no
    rule for, so a new part of the network cannot be passed over silently."""
    if spec_model.get("name") not in SUPPORTED:
        raise ValueError(
            f"widening knows the {sorted(SUPPORTED)} step networks, not {spec_model.get('name')!r}"
        )
    factor = spec_model.get("downsample_factor", 2)
    wide = _Widener(seed)
    out = {}
    for name, w in weights.items():
        if not name.startswith(PREFIX):
            out[name] = w  # the refiner's own buffers, if any: not the network's width
            continue
        part = name[len(PREFIX) :]
        leaf = part.rsplit(".", 1)[-1]
        if part.startswith("lift."):
            out[name] = wide.rows(w)  # (d, K, 1) or (d,)
        elif part == "lower.weight":
            out[name] = wide.columns(w)  # (P·K, d, 1)
        elif part == "lower.bias" or part.endswith(("nu_log", "theta_log", "gamma_log")):
            out[name] = w  # per output bin, or per LRU state: not the network's width
        elif part.startswith("film."):
            out[name] = wide.rows(w, 2)  # (2d, E) or (2d,): gain and shift halves
        elif part.startswith("output_norm.") or ".norm." in part or part.endswith("lru.D"):
            out[name] = wide.rows(w)  # (H,)
        elif part.endswith(("lru.B_re", "lru.B_im")):
            out[name] = wide.columns(w)  # (N, H)
        elif part.endswith(("lru.C_re", "lru.C_im")):
            out[name] = wide.rows(w)  # (H, N)
        elif ".mix." in part:  # GLU Linear(H, 2H): rows are the value and gate halves
            out[name] = wide.rows(wide.columns(w) if leaf == "weight" else w, 2)
        elif ".down." in part:  # Linear(f·H, 2H): columns per sample of the coarse frame
            out[name] = wide.rows(wide.columns(w, factor) if leaf == "weight" else w)
        elif ".up." in part:  # Linear(2H, f·H): rows per sample of the coarse frame
            out[name] = wide.rows(wide.columns(w) if leaf == "weight" else w, factor)
        else:
            raise ValueError(f"widening has no rule for the parameter {name}")
    return out


def widened_checkpoint(source: str | Path, target: str | Path, seed: int = 0) -> None:
    """Write the checkpoint at `source` (a training run's or an exported one) at twice its
    d_model to `target`: the inference part, the weights widened by `widened_weights` and the
    spec's d_model doubled, ready for `train.init_from` with `model.d_model` set to match.
    Inference defaults stored in `source` (a step decay) and the training config (its
    d_model doubled) are kept: the function is the same. Refuses a target that exists."""

    def rewrite(weights: dict, spec_model: dict) -> tuple[dict, dict]:
        return widened_weights(weights, spec_model, seed), {"d_model": 2 * spec_model["d_model"]}

    rewrite_checkpoint(source, target, "widened", rewrite)
