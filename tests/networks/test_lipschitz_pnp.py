"""Convergent plug-and-play (`LipschitzPnP`): its step is a contraction for any weights, so
the refinement converges past T to one fixed point from any start; it starts at the identity,
stays scale-equivariant and refuses settings that would break the bound."""

import math

import pytest
import torch

from refine.networks.lipschitz_pnp import LipschitzPnP, l1_normalised, spectrally_normalised
from refine.process.build import build_refiner

K = 6  # channels


def trained_looking(lipschitz=0.9, data_step=0.5) -> LipschitzPnP:
    """A float64 network with weights far from their start: large, uneven, gains near ±1."""
    torch.manual_seed(0)
    net = LipschitzPnP(K, d_model=16, layers=3, lipschitz=lipschitz, data_step=data_step)
    with torch.no_grad():
        for parameter in net.parameters():
            parameter.normal_(0.0, 3.0)
    return net.double()


def contraction_map(net: LipschitzPnP, y: torch.Tensor):
    """T(x) = x − f(x), the step at η = 1."""
    return lambda x: x - net(x, observation=y)


def largest_singular_value(function, x: torch.Tensor, iterations: int = 60) -> float:
    """‖J‖₂ of `function` at x by power iteration on JᵀJ."""
    v = torch.randn_like(x)
    for _ in range(iterations):
        v = v / v.norm()
        _, jv = torch.autograd.functional.jvp(function, x, v)
        _, v = torch.autograd.functional.vjp(function, x, jv)
    return math.sqrt(v.norm().item())


def test_the_maps_are_normalised_exactly():
    weight = torch.randn(7, 5, dtype=torch.float64)
    assert torch.linalg.matrix_norm(spectrally_normalised(weight), ord=2) == pytest.approx(1.0)
    kernels = l1_normalised(torch.randn(4, 1, 5, dtype=torch.float64))
    frequencies = torch.linspace(0, math.pi, 512, dtype=torch.float64)
    taps = torch.arange(5, dtype=torch.float64)
    response = (kernels[:, 0, :, None] * torch.exp(-1j * frequencies * taps[:, None])).sum(1)
    assert response.abs().max() <= 1 + 1e-12


@pytest.mark.parametrize("lipschitz, data_step", [(0.9, 0.5), (0.5, 0.4)])
def test_the_step_is_a_contraction_for_any_weights(lipschitz, data_step):
    net = trained_looking(lipschitz, data_step)
    y = torch.randn(1, K, 40, dtype=torch.float64)
    step = contraction_map(net, y)
    for _ in range(3):
        x = y + torch.randn_like(y)
        assert largest_singular_value(step, x) <= net.contraction() + 1e-9
    a, b = y + torch.randn_like(y), y + 5 * torch.randn_like(y)
    assert (step(a) - step(b)).norm() <= net.contraction() * (a - b).norm() + 1e-9


def test_the_refinement_converges_past_t_to_one_fixed_point_from_any_start():
    net = trained_looking()
    y = torch.randn(2, K, 40, dtype=torch.float64)
    step = contraction_map(net, y)
    ends = []
    for start in (y, y + 10 * torch.randn_like(y)):
        x = start
        for _ in range(300):
            x = x - 0.7 * net(x, observation=y)  # a constant step η = 0.7
        ends.append(x)
        torch.testing.assert_close(step(x), x, rtol=0, atol=1e-10)  # T(x*) = x*
    torch.testing.assert_close(ends[0], ends[1], rtol=0, atol=1e-10)


def test_an_untrained_network_leaves_its_input_alone_and_a_quiet_input_is_refined_like_a_loud():
    torch.manual_seed(0)
    y = torch.randn(2, K, 40, dtype=torch.float64)
    fresh = LipschitzPnP(K, d_model=16, layers=2).double()
    assert torch.equal(fresh(y, observation=y), torch.zeros_like(y))
    net, x = trained_looking(), y + torch.randn_like(y)
    for scale in (1e-3, 40.0):
        torch.testing.assert_close(
            net(scale * x, observation=scale * y), scale * net(x, observation=y)
        )


def test_the_refiner_trains_it_and_refines_with_a_constant_step_past_t():
    spec = {
        "model": {"name": "lipschitz_pnp", "d_model": 8, "layers": 2, "steps": 3},
        "domain": {"name": "stft_complex", "n_fft": 64, "hop_length": 16},
        "schedule": {"name": "quadratic"},
    }
    refiner = build_refiner(spec)
    torch.manual_seed(1)
    clean, noise = torch.randn(2, 1, 800), 0.5 * torch.randn(2, 1, 800)
    refiner.loss(clean + noise, noise).backward()
    assert all(torch.isfinite(p.grad).all() for p in refiner.parameters())
    assert refiner.step_net.gain.grad.abs().sum() > 0  # it leaves its identity start
    with torch.no_grad():
        torch.nn.init.normal_(refiner.step_net.gain, std=2.0)
        result = refiner.refine(clean + noise, steps=60, patience=None)
    norms = result.update_norms[3:]  # past T: falls at least as fast as the contraction
    rate = refiner.step_net.contraction() * 1.01  # the norms are relative to a moving iterate
    assert (norms[1:] <= norms[:-1] * rate + 1e-7).all()
    assert norms[-1].max() < 1e-5


@pytest.mark.parametrize(
    "options, message",
    [
        ({"lipschitz": 1.0}, "lipschitz must be in"),
        ({"lipschitz": 0.9, "data_step": 0.3}, "contraction only when"),
        ({"kernel_size": 4}, "odd"),
    ],
)
def test_settings_that_break_the_bound_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        LipschitzPnP(K, **options)


def test_it_needs_the_observation_and_takes_no_conditioning():
    net, y = trained_looking(), torch.randn(1, K, 8, dtype=torch.float64)
    with pytest.raises(ValueError, match="observation"):
        net(y)
    with pytest.raises(ValueError, match="conditioning"):
        net(y, torch.ones(1), y)
    spec = {
        "model": {"name": "lipschitz_pnp", "parameterisation": "increment"},
        "domain": {"name": "waveform"},
        "schedule": {"name": "quadratic"},
    }
    with pytest.raises(ValueError, match="parameterisation=residual"):
        build_refiner(spec)


def test_the_unbounded_twin_is_the_same_network_without_the_normalisation():
    """bounded=False (the ablation of the bound) computes the same map where the weights are
    already normalised, and is no contraction where they are not."""
    bounded = trained_looking()
    unbounded = trained_looking()
    unbounded.bounded = False
    y = torch.randn(1, K, 40, dtype=torch.float64)
    x = y + torch.randn_like(y)
    with torch.no_grad():
        for conv in (unbounded.lift, *unbounded.mix, unbounded.lower):
            conv.weight.copy_(spectrally_normalised(conv.weight.squeeze(-1))[..., None])
        for kernels in unbounded.depthwise:
            kernels.copy_(l1_normalised(kernels))
    torch.testing.assert_close(unbounded(x, observation=y), bounded(x, observation=y))
    wild = trained_looking()
    wild.bounded = False
    assert wild.contraction() == float("inf")
    assert largest_singular_value(contraction_map(wild, y), x) > 1
