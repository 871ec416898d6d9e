"""The step network's output map: the bin gate's formula, that it decides per bin from a
frame-constant output, and that it keeps the identity start and the scale equivariance."""

import pytest
import torch

from refine.step_net import LEVEL_FLOOR, StepNetwork
from refine.unet import LRU_UNet

K = 6  # channels (bins)


def step_network(bin_gate: bool) -> StepNetwork:
    torch.manual_seed(0)
    backbone = LRU_UNet(d_model=8, d_state=4, n_layers=2, downsample_factor=2)
    return StepNetwork(K, backbone, d_model=8, bin_gate=bin_gate).double()


@pytest.mark.parametrize("bin_gate", [False, True])
def test_an_untrained_step_network_removes_nothing(bin_gate):
    x = torch.rand(2, K, 32, dtype=torch.float64)
    assert torch.equal(step_network(bin_gate)(x), torch.zeros_like(x))


def test_the_bin_gate_adds_a_soft_threshold_on_each_level_to_the_gain():
    net, x = step_network(True), torch.rand(2, K, 32, dtype=torch.float64)
    torch.nn.init.normal_(net.lower.weight, std=0.3)
    rms = x.square().mean((1, 2), keepdim=True).sqrt()
    h = net.backbone(net.lift(x / rms))
    gain, shift, weight, slope, offset = net.lower(h).split(K, dim=1)
    level = torch.log(x.abs() / rms + LEVEL_FLOOR)
    by_hand = x * (gain + weight * torch.sigmoid(slope * level + offset)) + shift * rms
    torch.testing.assert_close(net(x), by_hand)


def test_one_output_for_every_bin_removes_the_quiet_bins_and_keeps_the_loud():
    """Which bins are loud changes from frame to frame; the output map's bias alone (the same
    in every frame) removes the ones below a floor of 0.5 RMS."""
    net = step_network(True)
    with torch.no_grad():
        net.lower.bias.zero_()
        net.lower.bias[2 * K : 3 * K] = 1.0  # weight: the gate is the whole gain
        net.lower.bias[3 * K : 4 * K] = -40.0  # slope: a steep threshold …
        net.lower.bias[4 * K :] = 40.0 * torch.log(torch.tensor(0.5 + LEVEL_FLOOR))  # … at 0.5
    loud = torch.rand(1, K, 40) < 0.5  # (1, K, L): a different set of bins in every frame
    x = torch.where(loud, 2.0, 0.05).double()  # RMS ≈ 1.4
    removed = net(x)
    torch.testing.assert_close(removed[~loud], x[~loud], rtol=1e-3, atol=0)
    assert removed[loud].abs().max() < 1e-6 * x.max()


@pytest.mark.parametrize("bin_gate", [False, True])
def test_a_quiet_input_is_refined_exactly_like_a_loud_one(bin_gate):
    net, x = step_network(bin_gate), torch.rand(2, K, 32, dtype=torch.float64)
    torch.nn.init.normal_(net.lower.weight, std=0.3)
    for scale in (1e-3, 40.0):
        torch.testing.assert_close(net(scale * x), scale * net(x))
