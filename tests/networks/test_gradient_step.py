"""The gradient-step network (`StepNetwork(gradient_step=True)`): its output is the gradient
of its energy, training differentiates through that gradient, a small step descends the
energy, it stays scale-equivariant, and settings it cannot train with are refused."""

import pytest
import torch

from refine.networks.step_net import StepNetwork
from refine.networks.unet import LRU_UNet
from refine.process.build import build_refiner

K = 6  # channels (bins)


def gradient_step_network(data_weight: float = 0.3, scan: str = "twice") -> StepNetwork:
    """A small float64 gradient-step network whose mask is not at its start (m = 1/2, where
    the gradient is only x/4) but varies from bin to bin, well inside (0, 1)."""
    torch.manual_seed(0)
    backbone = LRU_UNet(d_model=8, d_state=4, n_layers=2, downsample_factor=2, scan=scan)
    net = StepNetwork(
        K,
        backbone,
        d_model=8,
        bin_gate=True,
        update="mask",
        gradient_step=True,
        data_weight=data_weight,
    ).double()
    torch.nn.init.normal_(net.lower.weight, std=0.2)
    return net


def inputs() -> tuple[torch.Tensor, torch.Tensor]:
    """An iterate x and the observation y it came from: (2, K, 24) each."""
    y = torch.randn(2, K, 24, dtype=torch.float64)
    return y - 0.3 * torch.randn_like(y), y


def test_the_output_is_the_gradient_of_the_energy_in_every_direction():
    net, (x, y) = gradient_step_network(), inputs()
    gradient = net(x, observation=y)
    for _ in range(3):
        v = torch.randn_like(x)
        epsilon = 1e-5
        difference = net.energy(x + epsilon * v, observation=y) - net.energy(
            x - epsilon * v, observation=y
        )
        torch.testing.assert_close(
            difference / (2 * epsilon), (gradient * v).sum((1, 2)), rtol=1e-6, atol=1e-9
        )


def test_the_data_term_adds_its_own_pull_towards_the_observation():
    x, y = inputs()
    with_term, without = gradient_step_network(0.3), gradient_step_network(0.0)
    torch.testing.assert_close(with_term(x, observation=y), without(x) + 0.3 * (x - y))
    with pytest.raises(ValueError, match="observation"):
        with_term(x)


def test_training_differentiates_through_the_gradient():
    """The weights' gradient of a loss on ∇ₓE (a second derivative of the network) matches
    finite differences, through the LRUs' twice-differentiable scan and the mask."""
    net, (x, y) = gradient_step_network(), inputs()
    names = ("lower.bias", "backbone.encoder.0.lru.nu_log")
    names = [name for name in names if name in dict(net.named_parameters())]
    assert len(names) == 2, "the test's parameters were renamed"
    probe = torch.randn_like(x)

    def loss(*values):
        state = dict(zip(names, values, strict=True))
        output = torch.func.functional_call(net, state, (x,), {"observation": y})
        return (output * probe).sum()

    start = [dict(net.named_parameters())[name].detach().clone().requires_grad_() for name in names]
    assert torch.autograd.gradcheck(loss, start, atol=1e-6, rtol=1e-4)


def test_a_small_step_against_the_output_descends_the_energy():
    """Gradient descent on a learned energy: E falls at every step of x ← x − η·Noise(x)."""
    net, (x, y) = gradient_step_network(), inputs()
    energies = []
    for _ in range(12):
        energies.append(net.energy(x, observation=y).detach())
        x = x - 0.05 * net(x, observation=y)
    energies = torch.stack(energies)  # (steps, B)
    assert (energies[1:] < energies[:-1]).all()


def test_a_quiet_input_is_refined_exactly_like_a_loud_one():
    net, (x, y) = gradient_step_network(), inputs()
    for scale in (1e-3, 40.0):
        torch.testing.assert_close(
            net(scale * x, observation=scale * y), scale * net(x, observation=y)
        )


def test_the_fast_scan_and_the_sequential_twin_give_the_same_output_and_weight_gradients():
    (x, y), outputs = inputs(), []
    for scan in ("twice", "sequential"):
        net = gradient_step_network(scan=scan)
        output = net(x, observation=y)
        grads = torch.autograd.grad(output.square().sum(), list(net.parameters()))
        outputs.append([output, *grads])
    for got, expected in zip(*outputs, strict=True):
        torch.testing.assert_close(got, expected, rtol=1e-8, atol=1e-10)


def test_the_refiner_trains_through_it_and_refines_with_gradients_off():
    spec = {
        "model": {
            "d_model": 8,
            "d_state": 4,
            "n_layers": 1,
            "update": "mask",
            "bin_gate": True,
            "gradient_step": True,
            "data_weight": 0.1,
            "steps": 3,
        },
        "domain": {"name": "stft_complex", "n_fft": 64, "hop_length": 16},
        "schedule": {"name": "quadratic"},
    }
    refiner = build_refiner(spec)
    assert all(block.lru.scan == "twice" for block in refiner.step_net.backbone.encoder)
    torch.manual_seed(1)
    clean, noise = torch.randn(2, 1, 800), 0.5 * torch.randn(2, 1, 800)
    refiner.loss(clean + noise, noise).backward()
    grads = [p.grad for p in refiner.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    assert any(g.abs().sum() > 0 for g in grads)
    with torch.no_grad():
        result = refiner.refine(clean + noise, steps=9)
    assert torch.isfinite(result.output).all() and not result.output.requires_grad


@pytest.mark.parametrize(
    "options, message",
    [
        ({"update": "affine"}, "update=mask"),
        ({"update": "mask", "mask_leash": 1.0}, "mask_leash=0"),
        ({"update": "mask", "data_weight": -1.0}, "data_weight must be >= 0"),
    ],
)
def test_settings_it_cannot_train_with_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        StepNetwork(K, LRU_UNet(8, 4, 1), 8, gradient_step=True, **options)
    with pytest.raises(ValueError, match="set gradient_step"):
        StepNetwork(K, LRU_UNet(8, 4, 1), 8, data_weight=0.1)


GRADIENT_STEP_MODEL = {"update": "mask", "gradient_step": True}
SMALL_LRU_UNET = {"d_model": 8, "d_state": 4, "n_layers": 1}


@pytest.mark.parametrize(
    "model, message",
    [
        (SMALL_LRU_UNET | {"scan": "native"}, "model.scan"),
        ({"name": "wave_unet"}, "model.name=lru_unet"),
    ],
)
def test_build_refuses_backbones_that_differentiate_once(model, message):
    spec = {
        "model": GRADIENT_STEP_MODEL | model,
        "domain": {"name": "stft_complex", "n_fft": 64, "hop_length": 16},
        "schedule": {"name": "quadratic"},
    }
    with pytest.raises(ValueError, match=message):
        build_refiner(spec)
