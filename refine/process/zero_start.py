"""A trained step network given a new input at zero, so that it computes what it did.

Whether a network gains from something more to read (a content label, each bin's log level)
is asked from the shipped model's weights, not from scratch: the checkpoint gains the new
map's weights at zero, which adds nothing to the lifted features, and the first gradient
step moves them (their gradient is what they read against the loss's, which is not zero).
`refine.process.content` and `refine.process.level_input` are its two uses.
"""

from collections.abc import Callable
from pathlib import Path

import torch

from refine.process.build import BACKBONES
from refine.process.checkpoint import rewrite_checkpoint

LIFT = "step_net.lift.weight"  # (d_model, K, 1): the lift that every added map sits beside


def weights_with_zeros(weights: dict, spec_model: dict, option: str, key: str, shape) -> dict:
    """The state dict of a refiner whose step network is a StepNetwork (`weights`, its
    `spec_model` the checkpoint's spec["model"]) with `key` added at zero, of the shape
    `shape(lift)` gives from the lift's weight; refused (ValueError) for a network without a
    StepNetwork or one that has `option` already."""
    name = spec_model.get("name", "lru_unet")
    if name not in BACKBONES:
        raise ValueError(
            f"only a step network with lift and lower maps ({', '.join(BACKBONES)}) takes "
            f"model.{option}, not {name!r}"
        )
    if spec_model.get(option) or key in weights:
        raise ValueError(f"the step network has model.{option} already")
    lift = weights[LIFT]
    return {**weights, key: torch.zeros(shape(lift), dtype=lift.dtype)}


def zero_start_checkpoint(
    source: str | Path, target: str | Path, option: str, weights_of: Callable
):
    """Write the checkpoint at `source` (a training run's or an exported one) to `target` with
    the weights `weights_of(weights, spec_model)` gives and model.`option` set in its spec and
    training config, ready for `train.init_from` with that option; refuses a target that
    exists. The training step, the inference defaults and what it was made from are kept."""

    def rewrite(weights: dict, spec_model: dict) -> tuple[dict, dict]:
        return weights_of(weights, spec_model), {option: True}

    rewrite_checkpoint(source, target, option, rewrite, kept=("step", "inference", "made_from"))
