"""The step network's output map: the bin gate's formula, that it decides per bin from a
frame-constant output, the bounded mask update, the observation it may see, and that it
keeps the identity start and the scale equivariance."""

import pytest
import torch

from refine.networks.gated_mask import LEASH_LOGIT
from refine.networks.step_net import LEVEL_FLOOR, StepNetwork, bounded_mask, leashed
from refine.networks.unet import LRU_UNet

K = 6  # channels (bins)


def step_network(bin_gate: bool, **options) -> StepNetwork:
    torch.manual_seed(0)
    backbone = LRU_UNet(d_model=8, d_state=4, n_layers=2, downsample_factor=2)
    return StepNetwork(K, backbone, d_model=8, bin_gate=bin_gate, **options).double()


@pytest.mark.parametrize("bin_gate", [False, True])
def test_an_untrained_step_network_removes_nothing_or_with_the_mask_half(bin_gate):
    x = torch.rand(2, K, 32, dtype=torch.float64)
    assert torch.equal(step_network(bin_gate)(x), torch.zeros_like(x))
    torch.testing.assert_close(step_network(bin_gate, update="mask")(x), x / 2)


@pytest.mark.parametrize("bin_gate", [False, True])
def test_the_mask_update_never_enlarges_a_feature_and_can_leave_it_exactly(bin_gate):
    net = step_network(bin_gate, update="mask")
    torch.nn.init.normal_(net.lower.weight, std=3.0)  # gains far outside [0, 1] before clamping
    torch.nn.init.normal_(net.lower.bias, std=3.0)
    x = torch.randn(2, K, 32, dtype=torch.float64)
    for eta in (0.3, 1.0):
        after = x - eta * net(x)
        assert (after.abs() <= x.abs()).all() and (after.sign() * x.sign() >= 0).all()
    gain = net(x) / x  # the mask itself, in [0, 1]
    assert gain.min() >= 0 and gain.max() <= 1
    assert (gain == 0).any() and (gain == 1).any()  # exactly: left alone, or removed
    with torch.no_grad():
        net.lower.bias.fill_(-5.0)
        net.lower.weight.zero_()
    assert torch.equal(net(x), torch.zeros_like(x))  # a fixed point, not a slow slide
    assert bounded_mask(torch.tensor(-4.0)) > 0  # smooth, not a step, before the margin
    # Past either end the value is exactly 0 or 1; the sigmoid's gradient passes inside and,
    # past an end, only when descent pulls the bin back inside, never further out.
    gain = torch.tensor([-8.0, -1.0, 8.0, -8.0, 8.0], requires_grad=True)
    mask = bounded_mask(gain)
    assert mask[0] == 0 and mask[2] == 1
    upstream = torch.tensor([-1.0, 1.0, 1.0, 1.0, -1.0])  # ∂E/∂m: descent raises m[0], lowers m[2]
    mask.backward(upstream)
    sigmoid = torch.sigmoid(gain.detach())
    slope = 1.02 * sigmoid * (1 - sigmoid)
    expected = upstream * slope * torch.tensor([1.0, 1.0, 1.0, 0.0, 0.0])  # outward: none
    torch.testing.assert_close(gain.grad, expected)
    # The two it is measured against: every gradient passes, or none past the ends.
    for gradient, passes in (("straight", [1.0] * 5), ("clamp", [0.0, 1.0, 0.0, 0.0, 0.0])):
        gain.grad = None
        bounded_mask(gain, gradient).backward(upstream)
        torch.testing.assert_close(gain.grad, upstream * slope * torch.tensor(passes))
    with pytest.raises(ValueError, match="gradient must be one of"):
        bounded_mask(gain, "sideways")
    with pytest.raises(ValueError, match="mask_gradient must be one of"):
        step_network(False, update="mask", mask_gradient="sideways")


def test_the_leash_adds_the_gradient_of_its_penalty_past_its_start_and_nothing_else():
    """leashed(g) is g; its backward adds λ·(g − clamp(g, −c, c))/numel, the gradient of
    λ/2·mean((|g| − c)₊²), and nothing for |g| ≤ c, where the mask is still learning."""
    logits = torch.tensor(
        [-20.0, -LEASH_LOGIT, -3.0, 0.0, 6.0, LEASH_LOGIT + 2], requires_grad=True
    )
    upstream = torch.tensor([0.5, -1.0, 2.0, 1.0, -0.25, 0.0])
    out = leashed(logits, 3.0)
    assert torch.equal(out.detach(), logits.detach())
    out.backward(upstream)
    excess = torch.tensor([-20.0 + LEASH_LOGIT, 0, 0, 0, 0, 2.0])
    torch.testing.assert_close(logits.grad, upstream + 3.0 * excess / 6)
    assert leashed(logits, 0.0) is logits  # no leash: not even an extra node


@pytest.mark.parametrize("bin_gate", [False, True])
def test_the_leash_pulls_a_frozen_mask_back_where_the_loss_cannot(bin_gate):
    """Every logit at +30: the mask is exactly 1 and its sigmoid flat, so a loss that wants
    m = 1/2 sends back no gradient (the freeze of refine.study.saturation). With the leash
    descent lowers every gain logit towards the mask's range; the forward is unchanged."""
    x = torch.randn(2, K, 32, dtype=torch.float64)
    grads, outputs = {}, {}
    for leash in (0.0, 1.0):
        net = step_network(bin_gate, update="mask", mask_leash=leash)
        with torch.no_grad():
            net.lower.bias[:K].fill_(30.0)  # the gain channels
        out = net(x)
        (out - x / 2).square().sum().backward()
        grads[leash], outputs[leash] = net.lower.bias.grad[:K], out.detach()
    assert torch.equal(outputs[0.0], x) and torch.equal(outputs[1.0], x)
    assert grads[0.0].abs().max() < 1e-9
    assert (grads[1.0] > 1e-3).all()  # descent lowers every gain logit


def test_the_leash_is_not_negative_and_the_affine_update_has_nothing_to_leash():
    with pytest.raises(ValueError, match="mask_leash must be 0"):
        step_network(False, update="mask", mask_leash=-1.0)
    x = torch.randn(2, K, 32, dtype=torch.float64)
    grads = []
    for leash in (0.0, 1.0):
        net = step_network(True, update="affine", mask_leash=leash)
        torch.nn.init.normal_(net.lower.weight, std=3.0)
        net(x).square().sum().backward()
        grads.append([p.grad for p in net.parameters()])
    for with_leash, without in zip(*grads, strict=True):
        assert torch.equal(with_leash, without)


@pytest.mark.parametrize("bin_gate", [False, True])
def test_the_mask_logits_squashed_give_the_mask_that_forward_applies(bin_gate):
    """mask_logits (the slow path, to look at) against forward (with the gate, the fused
    gated_mask): m = clamp((1 + 2τ)·σ(g) − τ, 0, 1) and f(x) = x ⊙ m."""
    net = step_network(bin_gate, update="mask")
    torch.nn.init.normal_(net.lower.weight, std=3.0)
    torch.nn.init.normal_(net.lower.bias, std=3.0)
    x = torch.randn(2, K, 32, dtype=torch.float64)
    mask = bounded_mask(net.mask_logits(x))
    torch.testing.assert_close(net(x), x * mask)
    with pytest.raises(ValueError, match="affine, not a mask"):
        step_network(bin_gate).mask_logits(x)


def test_an_injecting_network_reads_the_observation_and_refuses_to_run_without_it():
    net = step_network(False, inject=True)
    torch.nn.init.normal_(net.lower.weight, std=0.3)
    x, observation = torch.rand(2, K, 32, dtype=torch.float64), torch.rand(2, K, 32)
    seen = net(x, observation=observation.double())
    assert seen.shape == x.shape
    assert not torch.allclose(seen, net(x, observation=2 * x))
    torch.testing.assert_close(net(x, observation=3 * observation.double()), seen)  # own RMS
    with pytest.raises(ValueError, match="observation"):
        net(x)


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


class Amplified(torch.nn.Module):
    """A backbone whose output is another's times `factor`: a residual stream grown large."""

    def __init__(self, backbone: torch.nn.Module, factor: float):
        super().__init__()
        self.backbone, self.factor = backbone, factor

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.factor * self.backbone(h)


def test_the_output_norm_keeps_the_mask_logits_where_the_backbone_output_grows():
    """Without the norm a backbone output 1e4 times larger makes logits 1e4 times larger
    (every sigmoid flat: the collapse of experiments/anytime/budget_4x/failed); with it the
    logits are those of the unamplified output. The identity start is kept either way."""
    x = torch.randn(2, K, 32, dtype=torch.float64)
    logits = {}
    for output_norm in (False, True):
        net = step_network(False, update="mask", output_norm=output_norm)
        torch.testing.assert_close(net(x), x / 2)  # the lower map starts at zero
        torch.nn.init.normal_(net.lower.weight, std=0.5)
        once = net.mask_logits(x)
        net.backbone = Amplified(net.backbone, 1e4)
        logits[output_norm] = once, net.mask_logits(x)
    plain, amplified = logits[False]  # the lower map's bias is zero: the logits are linear
    torch.testing.assert_close(amplified, 1e4 * plain)
    torch.testing.assert_close(*logits[True], rtol=1e-3, atol=1e-3)  # but LayerNorm's ε


def test_a_level_reading_lift_adds_each_bins_log_level_through_its_own_map():
    """With the level map at zero the network is the one without it (the same weights); set,
    the lifted features are lift(x/rms) + W·log(|x|/rms + ε), by hand through the backbone;
    and the network stays scale-equivariant."""
    x = torch.rand(2, K, 32, dtype=torch.float64) + 1e-3
    plain = step_network(True, update="mask")
    reading = step_network(True, update="mask", level_input=True)
    torch.nn.init.normal_(plain.lower.weight, std=0.3)
    reading.load_state_dict(plain.state_dict(), strict=False)  # all but the level map
    torch.testing.assert_close(reading(x), plain(x))
    torch.nn.init.normal_(reading.lift_level.weight, std=0.3)
    rms = x.square().mean((1, 2), keepdim=True).sqrt()
    level = torch.log(x / rms + LEVEL_FLOOR)
    lifted = reading.lift(x / rms) + torch.nn.functional.conv1d(level, reading.lift_level.weight)
    gain, *gate = reading.lower(reading.backbone(lifted)).split(K, dim=1)
    weight, slope, offset = gate
    by_hand = x * bounded_mask(gain + weight * torch.sigmoid(slope * level + offset))
    torch.testing.assert_close(reading(x), by_hand)
    assert not torch.allclose(reading(x), plain(x))
    torch.testing.assert_close(reading(1e-3 * x), 1e-3 * reading(x))


def test_the_level_map_learns_from_its_zero_start():
    """Beside a trained-looking output map (a fresh one is zero too, and passes no gradient
    back to any lift)."""
    net = step_network(True, update="mask", level_input=True)
    torch.nn.init.normal_(net.lower.weight, std=0.3)
    x = torch.rand(2, K, 32, dtype=torch.float64)
    (net(x) - 0.3 * x).square().sum().backward()
    assert net.lift_level.weight.grad.abs().sum() > 0 and net.lift_level.bias is None
