"""An affine-update checkpoint rewritten as a mask-update one, without training.

The affine step x ← x − η·(x ⊙ g + shift·rms) can enlarge a bin and blow up past T; the mask
step x ← x − η·x ⊙ m(z), m(z) = clamp((1 + 2τ)·σ(z) − τ, 0, 1), cannot (`bounded_mask`).
Both output maps are 1×1 convolutions whose rows are per-bin parts: the affine one's
[gain, shift, (gate weight, slope, offset)], the mask one's [gain, (gate weight, slope,
offset)], where with the bin gate g = gain + weight·σ(slope·level + offset). Scaling the
gain and gate-weight rows by c and moving the gain's bias by −c/2 gives the mask logit

    z = c·(g − ½),

linear in the backbone's output like g itself, so the rewrite is exact in the weights: the
mask network's step is x·m(c·(g − ½)) where the affine one's was x·g + shift·rms. The mask
is ½ where the affine gain was ½ and approaches 0 and 1 where the gain did; the shift is
dropped. Why: the shipped default was trained for 2.5 hours with the affine update, and a
mask output map started afresh (`train.init_except`) costs what those hours learnt (four
points of the oracle IRM's gain after 26 minutes, experiments/pretrained "mask restart").
Rewritten with c = 8, the default's 4 steps are *better* than the affine model's before any
training: +0.30 dB on the real recordings in white and pink noise (experiments/pretrained,
"The default as a mask, and the ninth restart"), so the shipped default is now the rewrite,
and a retraining onto the mask starts at the default's quality.
"""

from pathlib import Path

import torch

from refine.process.checkpoint import CheckpointError, load_checkpoint, save_checkpoint

SHARPNESS = 8.0  # c: of 2, 4, 8, 12 and 16 on held-in music (default_as_mask.sh), 8 kept most
LOWER = "step_net.lower"  # the output map's parameter prefix


def mask_rows_from_affine(
    weight: torch.Tensor, bias: torch.Tensor, channels: int, sharpness: float = SHARPNESS
) -> tuple[torch.Tensor, torch.Tensor]:
    """The affine output map's weight (P·K, d, 1) and bias (P·K,), P = 2 parts (gain, shift)
    or 5 (with the bin gate's weight, slope and offset), K = `channels`, as the mask output
    map's (P − 1 parts): the logit z = c·(g − ½) (module docstring)."""
    parts = weight.shape[0] // channels
    if weight.shape[0] != parts * channels or parts not in (2, 5):
        raise ValueError(
            f"an affine output map has 2 or 5 parts of {channels} rows, got {weight.shape[0]} rows"
        )
    w, b = weight.split(channels), bias.split(channels)
    gain_w, gain_b = sharpness * w[0], sharpness * (b[0] - 0.5)
    if parts == 2:
        return gain_w, gain_b
    gate_weight_w, gate_weight_b = sharpness * w[2], sharpness * b[2]
    return torch.cat([gain_w, gate_weight_w, *w[3:]]), torch.cat([gain_b, gate_weight_b, *b[3:]])


def mask_checkpoint_from_affine(
    source: str | Path, target: str | Path, sharpness: float = SHARPNESS
) -> None:
    """Write the affine-update checkpoint at `source` as a mask-update checkpoint at `target`
    (the inference part, as `export_checkpoint` writes it): the same backbone, the output map
    rewritten by `mask_rows_from_affine`, the spec's update set to the mask. Inference
    defaults stored in `source` (a step decay past T chosen for the affine map) are not
    carried over: choose them again for the new map. Refuses a target that exists."""
    if Path(target).exists():
        raise FileExistsError(f"{target} exists: name a new file for the mask checkpoint")
    contents = load_checkpoint(source)
    spec = {**contents["spec"], "model": dict(contents["spec"]["model"])}
    if spec["model"].get("update", "affine") != "affine":
        raise CheckpointError(
            f"{source}: its update is {spec['model']['update']!r}, not affine: nothing to rewrite"
        )
    weights = dict(contents["model"])
    if f"{LOWER}.weight" not in weights:
        raise CheckpointError(f"{source}: no {LOWER} output map: not a StepNetwork checkpoint")
    channels = weights[f"{LOWER}.weight"].shape[0] // (5 if spec["model"].get("bin_gate") else 2)
    weights[f"{LOWER}.weight"], weights[f"{LOWER}.bias"] = mask_rows_from_affine(
        weights[f"{LOWER}.weight"], weights[f"{LOWER}.bias"], channels, sharpness
    )
    spec["model"].update(update="mask", mask_gradient="inward")
    kept = {key: contents[key] for key in ("config", "step") if key in contents}
    save_checkpoint(target, spec=spec, model=weights, **kept)
