"""A trained step network made content-conditioned without changing what it computes.

Whether a network told what the signal is (speech or music, `refine.networks.content`)
removes the noise it confuses with the signal (voices over music, music under a voice) is
asked from the shipped model's weights, not from scratch: the checkpoint gains the content
embedding at zero, which scales the lifted features by 1 and shifts them by 0 for every
label. The content network then computes the trained one's function whatever it is told,
and the first gradient step moves the embedding (its gradient is the lifted features
against the loss's, which are not zero).
"""

from pathlib import Path

from refine.networks.content import CONTENTS
from refine.process.zero_start import weights_with_zeros, zero_start_checkpoint

EMBEDDING = "step_net.content.weight"


def content_weights(weights: dict, spec_model: dict) -> dict:
    """The state dict of a refiner whose step network is a StepNetwork (`weights`, its
    `spec_model` the checkpoint's spec["model"]) with the content embedding added at zero:
    (len(CONTENTS), 2·d_model), d_model read off the lift."""
    return weights_with_zeros(
        weights, spec_model, "content", EMBEDDING, lambda lift: (len(CONTENTS), 2 * lift.shape[0])
    )


def content_checkpoint(source: str | Path, target: str | Path) -> None:
    """Write the checkpoint at `source` with a content-conditioned step network to `target`
    (`content_weights`, `zero_start_checkpoint`), ready for `train.init_from` with
    model.content=true and data.content_of. Refuses a target that exists."""
    zero_start_checkpoint(source, target, "content", content_weights)
