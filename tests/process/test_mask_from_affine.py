"""The affine → mask rewrite of a checkpoint: the mask network's step is x·m(c·(g − ½)) of
the affine network's gain g, for the output map with and without the bin gate; whole
checkpoints load as mask refiners; wrong inputs are refused without touching files."""

import pytest
import torch

from refine.networks.step_net import StepNetwork, bounded_mask
from refine.networks.unet import LRU_UNet
from refine.process.build import build_refiner
from refine.process.checkpoint import CheckpointError, load_refiner, save_checkpoint
from refine.process.mask_from_affine import (
    SHARPNESS,
    mask_checkpoint_from_affine,
    mask_rows_from_affine,
)
from tests.process.refusals import refuses_an_existing_target

K = 6  # channels (bins)


def step_network(bin_gate: bool, update: str) -> StepNetwork:
    torch.manual_seed(0)
    backbone = LRU_UNet(d_model=8, d_state=4, n_layers=2, downsample_factor=2)
    return StepNetwork(K, backbone, d_model=8, bin_gate=bin_gate, update=update).double()


@pytest.mark.parametrize("bin_gate", [False, True])
@pytest.mark.parametrize("sharpness", [SHARPNESS, 3.0])
def test_the_mask_network_applies_the_mask_of_the_affine_gain(bin_gate, sharpness):
    affine = step_network(bin_gate, "affine")
    torch.nn.init.normal_(affine.lower.weight, std=0.1)
    torch.nn.init.normal_(affine.lower.bias, std=0.3)
    with torch.no_grad():
        affine.lower.bias[:K] += 0.5  # gains about ½: a mask away from its ends
    mask = step_network(bin_gate, "mask")  # the same backbone: the same seed
    state = affine.state_dict()
    state["lower.weight"], state["lower.bias"] = mask_rows_from_affine(
        state["lower.weight"], state["lower.bias"], K, sharpness
    )
    mask.load_state_dict(state)
    x = torch.rand(2, K, 32, dtype=torch.float64) + 0.01
    h, scale = affine._backbone_output(x, None, None)
    gain, shift = affine.gain(x, h, scale)
    assert shift.abs().max() > 0.1  # the shift the rewrite drops is there
    expected = x * bounded_mask(sharpness * (gain - 0.5))
    torch.testing.assert_close(mask(x), expected)
    ratio = expected / x
    assert ((ratio > 0) & (ratio < 1)).double().mean() > 0.5  # mostly inside, not at an end


def test_a_half_gain_is_a_half_mask_and_the_ends_approach_zero_and_one():
    weight = torch.zeros(2 * K, 4, 1)
    bias = torch.cat([torch.tensor([0.0, 0.5, 1.0, 0.25, 0.75, 0.5]), torch.ones(K)])
    _, logits = mask_rows_from_affine(weight, bias, K)
    m = bounded_mask(logits)
    torch.testing.assert_close(m[[1, 5]], torch.tensor([0.5, 0.5]))
    assert m[0] < 0.01 and m[2] > 0.99 and m[3] < 0.25 and m[4] > 0.75  # sharper than g


def test_an_output_map_of_another_size_is_refused():
    with pytest.raises(ValueError, match="2 or 5 parts of 6 rows, got 18"):
        mask_rows_from_affine(torch.zeros(3 * K, 4, 1), torch.zeros(3 * K), K)


SPEC = {
    "model": {
        "name": "lru_unet",
        "steps": 2,
        "d_model": 8,
        "d_state": 4,
        "n_layers": 1,
        "bin_gate": True,
    },
    "domain": {"name": "stft_magnitude", "n_fft": 64, "hop_length": 16},
    "schedule": {"name": "quadratic"},
    "audio_channels": 1,
}


def affine_checkpoint(path):
    refiner = build_refiner(SPEC)
    torch.nn.init.normal_(refiner.step_net.lower.weight, std=0.1)
    save_checkpoint(
        path, spec=SPEC, model=refiner.state_dict(), step=7, inference={"past_decay": 0.3}
    )
    return refiner


def test_a_checkpoint_is_rewritten_into_a_mask_refiner_with_the_same_backbone(tmp_path):
    affine = affine_checkpoint(tmp_path / "affine.pt")
    mask_checkpoint_from_affine(tmp_path / "affine.pt", tmp_path / "mask.pt")
    refiner, contents = load_refiner(tmp_path / "mask.pt")
    assert contents["spec"]["model"]["update"] == "mask" and contents["step"] == 7
    assert "inference" not in contents  # a decay chosen for the affine map is not carried
    assert refiner.step_net.update == "mask"
    for name, weight in affine.state_dict().items():
        if not name.startswith("step_net.lower"):
            torch.testing.assert_close(refiner.state_dict()[name], weight)
    noisy = torch.randn(1, 1, 800)
    output = refiner.refine(noisy, steps=6).output  # bounded: the mask never enlarges a bin
    assert torch.isfinite(output).all()


def test_a_mask_checkpoint_and_an_existing_target_are_refused(tmp_path):
    affine_checkpoint(tmp_path / "affine.pt")
    refuses_an_existing_target(
        tmp_path, lambda target: mask_checkpoint_from_affine(tmp_path / "affine.pt", target)
    )
    mask_checkpoint_from_affine(tmp_path / "affine.pt", tmp_path / "mask.pt")
    with pytest.raises(CheckpointError, match="its update is 'mask', not affine"):
        mask_checkpoint_from_affine(tmp_path / "mask.pt", tmp_path / "again.pt")
