import warnings

import pytest
import torch
from torch import nn

from refine.domains import ComplexSTFT, MagnitudeSTFT, Waveform
from refine.process import Refiner
from refine.step_net import StepNetwork
from refine.unet import LRU_UNet

SCHEDULES = [("quadratic", 2.0), ("linear", 2.0), ("cosine", 2.0), ("power", 3.5)]


class Oracle(nn.Module):
    """A step function that knows the answer: the true increment y_{t−1} − y_t (it reads t
    from the progress t/T) or the true remaining noise x̂_{t−1} − s."""

    condition = True

    def __init__(self, targets: torch.Tensor, steps: int, parameterisation: str):
        super().__init__()
        self.targets, self.steps, self.parameterisation = targets, steps, parameterisation

    def forward(self, x, progress):  # x (n·B, K, L): teacher forcing batches n steps
        t = (progress * self.steps).round().long()  # (n·B,)
        b = torch.arange(len(t)) % self.targets.shape[1]  # example of each row
        if self.parameterisation == "residual":
            return x - self.targets[-1, b]
        return self.targets[t - 1, b] - self.targets[t, b]


def make_refiner(domain=None, steps=4, condition=False, parameterisation="residual", **kwargs):
    domain = domain or Waveform()
    channels = domain.channels(1)
    backbone = LRU_UNet(d_model=8, d_state=4, n_layers=2, downsample_factor=2)
    net = StepNetwork(channels, backbone, d_model=8, condition=condition)
    return Refiner(net, steps=steps, parameterisation=parameterisation, domain=domain, **kwargs)


def noisy_example(batch=2, length=512, dtype=torch.float64):
    clean = torch.sin(torch.linspace(0, 200, length, dtype=dtype)).expand(batch, 1, length)
    noise = torch.randn(batch, 1, length, dtype=dtype)
    return clean + noise, noise


@pytest.mark.parametrize("schedule, power", SCHEDULES)
@pytest.mark.parametrize("parameterisation", ["increment", "residual"])
@pytest.mark.parametrize("domain", [Waveform(), ComplexSTFT(128, 32)])
def test_an_oracle_step_reproduces_every_target(schedule, power, parameterisation, domain):
    steps = 6
    noisy, noise = noisy_example()
    refiner = make_refiner(
        domain, steps, schedule=schedule, power=power, parameterisation=parameterisation
    ).double()
    targets = refiner.targets(noisy, noise)
    refiner.step_net = Oracle(targets, steps, parameterisation)
    x = targets[0]
    for t in range(1, steps + 1):
        x, _ = refiner.step(x, t)
        torch.testing.assert_close(x, targets[t], rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(refiner.loss(noisy, noise), torch.zeros((), dtype=torch.float64))


def test_an_increment_oracle_also_reproduces_magnitude_targets():
    steps = 5
    noisy, noise = noisy_example()
    refiner = make_refiner(MagnitudeSTFT(128, 32), steps, parameterisation="increment").double()
    targets = refiner.targets(noisy, noise)
    refiner.step_net = Oracle(targets, steps, "increment")
    assert refiner.loss(noisy, noise, mode="teacher_forced").abs() < 1e-20
    assert refiner.loss(noisy, noise, mode="full").abs() < 1e-20


def test_targets_go_from_the_noisy_input_to_the_clean_signal():
    noisy, noise = noisy_example()
    targets = make_refiner(steps=4).double().targets(noisy, noise)
    assert targets.shape == (5, 2, 1, 512)
    torch.testing.assert_close(targets[0], noisy)
    torch.testing.assert_close(targets[-1], noisy - noise)
    torch.testing.assert_close(targets[2], noisy - noise / 4)  # (2/4)² of the noise removed


def test_an_untrained_refiner_starts_at_the_identity():
    noisy, noise = noisy_example()
    refiner = make_refiner(steps=4).double()
    torch.testing.assert_close(refiner.refine(noisy).output, noisy)
    # Every step then misses its target by the noise not yet removed: E = Σ w_t s(t/T)².
    expected = torch.tensor([1, 4, 9, 16], dtype=torch.float64).div(16).square().mean()
    torch.testing.assert_close(refiner.loss(noisy, noise), expected)


def gradients(refiner, noisy, noise, **mode):
    refiner.zero_grad()
    total = 0.0
    for part, _ in refiner.training_losses(noisy, noise, **mode):
        part.backward()
        total += part.item()
    return total, [p.grad.clone() for p in refiner.parameters()]


def test_checkpointing_changes_memory_not_gradients():
    noisy, noise = noisy_example()
    refiner = make_refiner(steps=4, condition=True).double()
    nn.init.normal_(refiner.step_net.lower.weight, std=0.1)  # leave the identity start
    loss, grads = gradients(refiner, noisy, noise, mode="full")
    loss_ckpt, grads_ckpt = gradients(refiner, noisy, noise, mode="full", checkpoint=True)
    assert loss == pytest.approx(loss_ckpt, rel=1e-12)
    for g, g_ckpt in zip(grads, grads_ckpt, strict=True):
        torch.testing.assert_close(g, g_ckpt)


def test_truncation_keeps_the_loss_and_cuts_the_gradient_paths():
    noisy, noise = noisy_example()
    refiner = make_refiner(steps=4).double()
    nn.init.normal_(refiner.step_net.lower.weight, std=0.1)
    loss, grads = gradients(refiner, noisy, noise, mode="full")
    loss_trunc, grads_trunc = gradients(refiner, noisy, noise, mode="truncated", segment=2)
    segments = list(refiner.training_losses(noisy, noise, mode="truncated", segment=2))
    assert len(segments) == 2 and sum(len(errors) for _, errors in segments) == 4
    assert loss == pytest.approx(loss_trunc, rel=1e-12)
    assert any(not torch.allclose(g, g_t) for g, g_t in zip(grads, grads_trunc, strict=True))


@pytest.mark.parametrize("segment", [None, 1, 3])
def test_teacher_forcing_in_any_batching_gives_one_loss(segment):
    noisy, noise = noisy_example()
    refiner = make_refiner(steps=4, condition=True).double()
    nn.init.normal_(refiner.step_net.lower.weight, std=0.1)
    per_step = refiner.loss(noisy, noise, mode="teacher_forced", segment=1)
    torch.testing.assert_close(
        refiner.loss(noisy, noise, mode="teacher_forced", segment=segment), per_step
    )


@pytest.mark.parametrize("mode, segment", [("full", None), ("truncated", 2), ("teacher_forced", 2)])
@pytest.mark.parametrize("domain", [Waveform(), ComplexSTFT(128, 32), MagnitudeSTFT(128, 32)])
def test_one_training_step_lowers_the_loss_in_every_mode_and_domain(mode, segment, domain):
    torch.manual_seed(0)
    noisy, noise = noisy_example(dtype=torch.float32)
    refiner = make_refiner(domain, steps=3)
    optimiser = torch.optim.Adam(refiner.parameters(), lr=1e-3)
    before = refiner.loss(noisy, noise, mode=mode, segment=segment).item()
    for part, _ in refiner.training_losses(noisy, noise, mode=mode, segment=segment):
        part.backward()
    optimiser.step()
    assert refiner.loss(noisy, noise, mode=mode, segment=segment).item() < before


def magnitudes(audio):  # (B, 1, T) -> (B, F, L): the spectral loss's STFT, by hand
    window = torch.hann_window(512, dtype=audio.dtype)
    return torch.stft(audio[:, 0], 512, 128, window=window, return_complex=True).abs()


@pytest.mark.parametrize("domain", [Waveform(), ComplexSTFT(128, 32), MagnitudeSTFT(128, 32)])
def test_the_spectral_loss_compares_stft_magnitudes_of_the_decoded_audio(domain):
    noisy, noise = noisy_example(length=2048)
    refiner = make_refiner(domain, steps=3, loss="stft_magnitude").double()
    nn.init.normal_(refiner.step_net.lower.weight, std=0.1)
    clean = noisy - noise
    first = refiner.domain.decode(refiner.step(refiner.domain.encode(noisy), 1)[0], noisy)
    y1 = noisy - refiner.fractions[1] * noise
    # With the magnitude domain, targets are decoded with the noisy phase, not y_t's own.
    decode = lambda y: refiner.domain.decode(refiner.domain.encode(y), noisy)  # noqa: E731
    by_hand = (magnitudes(first) - magnitudes(decode(y1))).square().sum((1, 2))
    by_hand /= (magnitudes(noisy) - magnitudes(decode(clean))).square().sum((1, 2))
    _, errors = next(refiner.training_losses(noisy, noise, mode="truncated", segment=1))
    torch.testing.assert_close(errors[0], by_hand.mean())
    _, forced = next(refiner.training_losses(noisy, noise, mode="teacher_forced", segment=1))
    torch.testing.assert_close(forced[0], by_hand.mean())  # step 1 starts from y_0 either way
    loss, grads = gradients(refiner, noisy, noise, mode="full")
    assert loss > 0 and all(torch.isfinite(g).all() for g in grads)


def test_refine_runs_past_the_trained_steps_and_reports_the_trajectory():
    noisy, _ = noisy_example()
    result = make_refiner(steps=3).double().refine(noisy, steps=7, return_trajectory=True)
    assert len(result.trajectory) == 8 and result.update_norms.shape == (7, 2)
    assert (result.steps == 7).all() and not result.diverged.any()
    assert result.output.shape == noisy.shape


class ConstantPull(nn.Module):
    """f(x) = x − target: with η = 1/2 the iterate halves its distance to target each step."""

    condition = False

    def forward(self, x, progress=None):
        return x - torch.ones_like(x)


def test_refine_until_convergence_stops_each_example_on_time():
    refiner = make_refiner(steps=2).double()
    refiner.step_net = ConstantPull()
    noisy = torch.stack([torch.full((1, 64), 3.0), torch.full((1, 64), 1.5)]).double()
    result = refiner.refine(noisy, tol=1e-3, eta=0.5, max_steps=50)
    # Distance d to 1 halves every step and step t moves by d_{t−1}/2, relative to 1 + d_{t−1}:
    # below 1e-3 once d_{t−1} < 0.002004, i.e. d_0 / 2^(t−1) < 0.002004: t = 11 for d_0 = 2,
    # t = 9 for d_0 = 0.5. The step that falls below tol is taken, then the example stops.
    assert result.steps.tolist() == [11, 9]
    torch.testing.assert_close(result.output, torch.ones_like(noisy), atol=3e-3, rtol=0)


class Explode(nn.Module):
    """f(x) = −x: every step with η = 1 doubles the iterate; the guard must catch it."""

    condition = False

    def forward(self, x, progress=None):
        return -x


def test_the_divergence_guard_stops_returns_the_best_iterate_and_warns():
    refiner = make_refiner(steps=2).double()
    refiner.step_net = Explode()
    noisy = torch.ones(1, 1, 64, dtype=torch.float64)
    with pytest.warns(UserWarning, match="diverged"):
        result = refiner.refine(noisy, steps=20, eta=1.0, patience=3)
    assert result.diverged.all() and result.steps.item() < 20
    assert result.output.abs().max() < 3  # the first iterate, not 2^20


def test_guard_ignores_growing_updates_that_the_schedule_prescribes():
    noisy, _ = noisy_example()
    refiner = make_refiner(steps=6).double()
    nn.init.normal_(refiner.step_net.lower.weight, std=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = refiner.refine(noisy, patience=1)
    assert not result.diverged.any() and (result.steps == 6).all()


def test_bad_arguments_are_refused():
    refiner = make_refiner()
    noisy, noise = noisy_example(dtype=torch.float32)
    with pytest.raises(ValueError, match="parameterisation"):
        make_refiner(parameterisation="score")
    with pytest.raises(ValueError, match="mode"):
        refiner.loss(noisy, noise, mode="reinforce")
    with pytest.raises(ValueError, match="segment"):
        refiner.loss(noisy, noise, mode="truncated")
    with pytest.raises(ValueError, match="either steps"):
        refiner.refine(noisy, steps=3, tol=1e-3)
