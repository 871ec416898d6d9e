"""A trained LRU_UNet step network made bidirectional without changing what it computes.

Every LRU block of the shipped models is causal: a frame's mask is decided from the frames
before it and the few that the U-Net's resampling looks ahead, although refine-denoise has
the whole file. Whether the future is what the real-noise model lacks (a keystroke is told
from a consonant, a door from a drum, by how it ends) is expensive to ask from scratch, so it
is asked from the trained weights: each block gains the reverse LRU of
`refine.networks.blocks.LRUBlock(bidirectional=True)`, started as a copy of its forward LRU
(the same eigenvalues, input map and normalisation, looking the other way) with its output
map C and feed-through D at zero. Its output is then exactly zero, so the bidirectional
network computes the trained one's function, and the first gradient step already moves C
(∂E/∂C is the reverse state, which is not zero) and from there B and λ.
"""

from pathlib import Path

from refine.process.checkpoint import rewrite_checkpoint

PREFIX = "step_net.backbone."
FORWARD, REVERSE = ".lru.", ".reverse_lru."
SILENT = ("C_re", "C_im", "D")  # the reverse LRU's output: zero at the start


def bidirectional_weights(weights: dict, spec_model: dict) -> dict:
    """The state dict of a refiner whose step network is a causal-scan LRU_UNet StepNetwork
    (`weights`, its `spec_model` the checkpoint's spec["model"]) with every LRU block made
    bidirectional: each block's LRU copied to its reverse LRU, whose C and D are zero."""
    name = spec_model.get("name", "lru_unet")
    if name != "lru_unet":
        raise ValueError(f"only an lru_unet step network has LRU blocks, not {name!r}")
    if spec_model.get("bidirectional") or any(REVERSE in name for name in weights):
        raise ValueError("the step network is bidirectional already")
    if spec_model.get("causal"):
        raise ValueError("the step network is causal (model.causal=true): it must not see ahead")
    out = dict(weights)
    for name, w in weights.items():
        if name.startswith(PREFIX) and FORWARD in name:
            leaf = name.rsplit(".", 1)[-1]
            reverse = name.replace(FORWARD, REVERSE)
            out[reverse] = w.new_zeros(w.shape) if leaf in SILENT else w.clone()
    return out


def bidirectional_checkpoint(source: str | Path, target: str | Path) -> None:
    """Write the checkpoint at `source` (a training run's or an exported one) with a
    bidirectional step network to `target` (`bidirectional_weights`; model.bidirectional set in
    its spec and training config), ready for `train.init_from` with model.bidirectional=true.
    Refuses a target that exists."""

    def rewrite(weights: dict, spec_model: dict) -> tuple[dict, dict]:
        return bidirectional_weights(weights, spec_model), {"bidirectional": True}

    rewrite_checkpoint(source, target, "bidirectional", rewrite)
