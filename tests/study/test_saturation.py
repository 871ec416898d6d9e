"""The share of a mask's flat sigmoids, which names a collapsed run at validation."""

import torch

from refine.data import SyntheticDataset
from refine.process.build import build_refiner
from refine.study.saturation import mask_saturation

TINY = {"d_model": 8, "d_state": 4, "n_layers": 1, "steps": 2}


def refiner(update: str):
    torch.manual_seed(0)
    spec = {"domain": {"name": "stft_complex"}, "model": {**TINY, "update": update}, "schedule": {}}
    return build_refiner(spec)


def test_a_frozen_mask_is_flat_everywhere_and_a_fresh_one_nowhere():
    clips = SyntheticDataset(3, segment_seconds=0.25, seed=1, split="val")
    masked = refiner("mask")
    assert mask_saturation(masked, clips, batch_size=2) == 0.0  # the lower map starts at 0
    with torch.no_grad():  # activations blown up, as in a collapsed run
        masked.step_net.lower.bias[: masked.step_net.channels].fill_(50.0)
    assert mask_saturation(masked, clips, batch_size=2) == 1.0
    with torch.no_grad():
        masked.step_net.lower.bias[: masked.step_net.channels // 4].fill_(0.0)
    assert abs(mask_saturation(masked, clips) - 0.75) < 0.01
    assert mask_saturation(refiner("affine"), clips) is None
