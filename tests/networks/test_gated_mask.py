"""The recipe's output map fused by hand (`gated_mask`, `pointwise`) against its slow twin,
the autograd path it replaces: the same output and the same gradients, for the input, its
scale and every parameter, inside the mask and past both of its ends; for inputs laid out
(B, K, L) in memory and (K, B, L), as the refiner's training iterates are (`channel_major`)."""

import pytest
import torch

from refine.networks.gated_mask import LEASH_LOGIT
from refine.networks.step_net import StepNetwork, bounded_mask, leashed, pointwise
from refine.networks.unet import LRU_UNet
from refine.process.refiner import channel_major

K = 6  # channels (bins)
LAYOUTS = {"batch_major": lambda x: x, "channel_major": channel_major}


def masked_network(normalisation: str) -> StepNetwork:
    torch.manual_seed(0)
    backbone = LRU_UNet(d_model=8, d_state=4, n_layers=1, downsample_factor=2)
    net = StepNetwork(
        K, backbone, 8, normalisation=normalisation, bin_gate=True, update="mask"
    ).double()
    torch.nn.init.normal_(net.lower.weight, std=2.0)  # gains past both ends of the mask
    torch.nn.init.normal_(net.lower.bias, std=2.0)
    return net


def slow_twin(net: StepNetwork, x: torch.Tensor) -> torch.Tensor:
    """The same step network's output through autograd: `gain`, `leashed`, `bounded_mask`."""
    scale, _ = net.scale(x)
    h = net.backbone(net._lifted(x, scale, None, None))
    return x * bounded_mask(leashed(net.gain(x, h, scale)[0], net.mask_leash), "inward")


def output_and_gradients(net, forward, x, grad):
    net.zero_grad()
    leaf = x.clone().requires_grad_()
    y = forward(leaf)
    y.backward(grad)
    return [y.detach(), leaf.grad] + [p.grad.clone() for p in net.parameters()]


@pytest.mark.parametrize("leash", [0.0, 3.0])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("normalisation", ["clip", "causal"])
def test_the_fused_mask_equals_its_autograd_twin_with_gradients(normalisation, layout, leash):
    net = masked_network(normalisation)
    net.mask_leash = leash
    x = LAYOUTS[layout](torch.randn(3, K, 20, dtype=torch.float64))
    assert (net.mask_logits(x).abs() > LEASH_LOGIT).any()  # where the leash pulls
    x[0, 0, 0] = 0.0  # |x| has no slope at 0: both take the same one-sided value
    grad = torch.randn_like(x)
    fused = output_and_gradients(net, net, x, grad)
    twin = output_and_gradients(net, lambda v: slow_twin(net, v), x, grad)
    mask = fused[0] / x.where(x != 0, 1.0)
    assert (mask == 0).any() and (mask == 1).any() and ((mask > 0) & (mask < 1)).any()
    assert fused[0].stride() == x.stride()  # the iterate's layout is kept
    for got, expected in zip(fused, twin, strict=True):
        torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_pointwise_equals_the_convolution_with_gradients(layout):
    torch.manual_seed(0)
    conv = torch.nn.Conv1d(5, 7, 1).double()
    x = LAYOUTS[layout](torch.randn(3, 5, 11, dtype=torch.float64))
    grad = torch.randn(3, 7, 11, dtype=torch.float64)
    by_conv = output_and_gradients(conv, conv, x, grad)
    by_matmul = output_and_gradients(conv, lambda v: pointwise(conv, v), x, grad)
    for got, expected in zip(by_matmul, by_conv, strict=True):
        torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("frames", [False, True])
def test_pointwise_divides_its_outputs_as_the_convolution_its_inputs(frames, layout):
    torch.manual_seed(0)
    conv = torch.nn.Conv1d(5, 7, 1).double()
    x = LAYOUTS[layout](torch.randn(3, 5, 11, dtype=torch.float64))
    divisor = torch.rand(3, 1, 11 if frames else 1, dtype=torch.float64) + 0.5
    grad = torch.randn(3, 7, 11, dtype=torch.float64)

    def with_divisor_gradient(forward):
        leaf = divisor.clone().requires_grad_()
        return output_and_gradients(conv, lambda v: forward(v, leaf), x, grad) + [leaf.grad]

    by_conv = with_divisor_gradient(lambda v, d: conv(v / d))
    by_matmul = with_divisor_gradient(lambda v, d: pointwise(conv, v, d))
    for got, expected in zip(by_matmul, by_conv, strict=True):
        torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-12)
