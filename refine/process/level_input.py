"""A trained step network made to read each bin's log level without changing what it computes.

Whether a lift that sees levels as well as magnitudes (`model.level_input`,
`refine.networks.step_net`) keeps the quiet parts of a signal under louder noise is asked
from the shipped model's weights: the checkpoint gains the level map at zero
(`refine.process.zero_start`), so it starts as the trained network.
"""

from pathlib import Path

from refine.process.zero_start import weights_with_zeros, zero_start_checkpoint

LEVEL_MAP = "step_net.lift_level.weight"


def level_input_weights(weights: dict, spec_model: dict) -> dict:
    """The state dict of a refiner whose step network is a StepNetwork with the level map
    added at zero: (d_model, K, 1), read off the lift (whose input is K wide, 2K with
    injection: the level map reads the iterate only)."""
    inputs = 2 if spec_model.get("inject") else 1  # the lift reads x (and the observation)
    return weights_with_zeros(
        weights,
        spec_model,
        "level_input",
        LEVEL_MAP,
        lambda lift: (lift.shape[0], lift.shape[1] // inputs, 1),
    )


def level_input_checkpoint(source: str | Path, target: str | Path) -> None:
    """Write the checkpoint at `source` with a step network that reads log levels to `target`
    (`level_input_weights`, `zero_start_checkpoint`), ready for `train.init_from` with
    model.level_input=true. Refuses a target that exists."""
    zero_start_checkpoint(source, target, "level_input", level_input_weights)
