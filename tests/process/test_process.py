import warnings

import pytest
import torch
from torch import nn

from refine.networks.step_net import StepNetwork
from refine.networks.unet import LRU_UNet
from refine.process.domains import ComplexSTFT, MagnitudeSTFT, Waveform
from refine.process.refiner import Refiner

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


@pytest.mark.parametrize("domain", [Waveform(), ComplexSTFT(128, 32), MagnitudeSTFT(128, 32)])
def test_targets_equal_the_features_of_every_target_waveform(domain):
    # A linear domain forms X − s·W from two encodings; the slow twin encodes every y_t.
    noisy, noise = noisy_example(batch=3)
    refiner = make_refiner(domain, steps=4).double()
    targets = refiner.targets(noisy, noise)
    for t, fraction in enumerate(refiner.fractions.tolist()):
        torch.testing.assert_close(targets[t], domain.encode(noisy - fraction * noise))
    assert targets.transpose(1, 2).is_contiguous()  # (T+1, K, B, L) in memory


@pytest.mark.parametrize("domain", [Waveform(), ComplexSTFT(128, 32), MagnitudeSTFT(128, 32)])
def test_step_targets_formed_one_at_a_time_equal_the_stack(domain):
    # The unroll asks for y_t step by step (X − s·W for a linear domain); teacher forcing
    # takes the stack: both hold the same features in the same layout.
    noisy, noise = noisy_example(batch=3)
    refiner = make_refiner(domain, steps=4)
    targets = refiner.step_targets(noisy.float(), noise.float())
    stacked = refiner.targets(noisy.float(), noise.float())
    assert len(targets) == 5
    for t in [*range(5), -1]:
        torch.testing.assert_close(targets[t], stacked[t])
        assert targets[t].transpose(0, 1).is_contiguous()  # (K, B, L) in memory


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


class CleanOracle(nn.Module):
    """f(x) = x − s: the true remaining noise wherever the iterate is (the residual and the
    clean-estimate parameterisations' ideal network), with or without the observation."""

    condition = False

    def __init__(self, clean: torch.Tensor, inject: bool = False):
        super().__init__()
        self.clean, self.inject = clean, inject

    def forward(self, x, conditioning=None, observation=None):  # teacher forcing: n·B rows
        return x - self.clean.repeat(x.shape[0] // self.clean.shape[0], 1, 1)


@pytest.mark.parametrize("parameterisation", ["residual", "clean_estimate"])
@pytest.mark.parametrize("domain", [Waveform(), ComplexSTFT(128, 32), MagnitudeSTFT(128, 32)])
def test_the_clean_signal_is_a_fixed_point_that_an_oracle_reaches_at_t_and_keeps(
    parameterisation, domain
):
    noisy, noise = noisy_example()
    refiner = make_refiner(domain, steps=4, parameterisation=parameterisation).double()
    targets = refiner.targets(noisy, noise)
    refiner.step_net = CleanOracle(targets[-1], inject=parameterisation == "clean_estimate")
    out = refiner.refine(noisy, steps=32, return_trajectory=True)
    clean = refiner.domain.decode(targets[-1], noisy)
    for t in range(4, 33):  # from T on, every iterate is the clean signal
        torch.testing.assert_close(out.trajectory[t], clean, rtol=0, atol=1e-9)
    assert (out.update_norms[4:] < 1e-12).all()  # the update past T is exactly zero
    stopped = refiner.refine(noisy, tol=1e-6, max_steps=32)
    assert (stopped.steps == 5).all() and not stopped.diverged.any()  # T steps, then one more


def test_a_clean_estimate_oracle_reproduces_every_target_and_zero_loss():
    noisy, noise = noisy_example()
    refiner = make_refiner(ComplexSTFT(128, 32), 5, parameterisation="clean_estimate").double()
    targets = refiner.targets(noisy, noise)
    refiner.step_net = CleanOracle(targets[-1])
    x = targets[0]
    for t in range(1, 6):
        x, _ = refiner.step(x, t, observation=targets[0])
        torch.testing.assert_close(x, targets[t], rtol=1e-12, atol=1e-12)
    for mode, segment in (("full", None), ("teacher_forced", 2)):
        assert refiner.loss(noisy, noise, mode=mode, segment=segment).abs() < 1e-20


def test_the_noise_level_is_what_the_schedule_leaves_and_zero_past_t():
    refiner = make_refiner(steps=4).double()
    levels = refiner.noise_level(torch.arange(1, 8))
    expected = torch.tensor([1, 15 / 16, 12 / 16, 7 / 16, 0, 0, 0], dtype=torch.float64)
    torch.testing.assert_close(levels, expected)  # 1 − (t−1)²/T², the input of step t
    constant = refiner.noise_level(torch.arange(1, 4), eta=0.5)
    torch.testing.assert_close(constant, torch.tensor([1, 0.5, 0.25], dtype=torch.float64))


def saved_tensors(refiner, noisy, noise, **options) -> int:
    """How many tensors autograd keeps for the backward of all segments of one loss."""
    count = [0]

    def pack(tensor):
        count[0] += 1
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        for part, _ in refiner.training_losses(noisy, noise, **options):
            part.backward()
    return count[0]


def test_steps_past_t_aim_at_the_clean_signal_with_memory_flat_in_their_number():
    noisy, noise = noisy_example(dtype=torch.float32)
    refiner = make_refiner(steps=3)
    nn.init.normal_(refiner.step_net.lower.weight, std=0.1)
    segments = list(refiner.training_losses(noisy, noise, extra_steps=6, extra_grad_steps=2))
    assert [len(errors) for _, errors in segments] == [3, 2]  # T steps, then 2 graded past T
    assert (
        len(list(refiner.training_losses(noisy, noise, extra_steps=1, extra_grad_steps=2))[-1][1])
        == 1
    )
    kept = [saved_tensors(refiner, noisy, noise, extra_steps=k) for k in (1, 4, 16)]
    assert kept[0] == kept[1] == kept[2]  # only the graded last step keeps activations
    assert saved_tensors(refiner, noisy, noise, extra_steps=4, extra_grad_steps=4) > kept[0]
    # An oracle at the clean signal gives no loss past T.
    targets = refiner.targets(noisy, noise)
    refiner.step_net = CleanOracle(targets[-1])
    past_t = list(refiner.training_losses(noisy, noise, extra_steps=5))[-1][0]
    assert past_t.abs() < 1e-10


def test_steps_past_t_are_refused_with_teacher_forcing():
    noisy, noise = noisy_example(dtype=torch.float32)
    with pytest.raises(ValueError, match="teacher forcing"):
        make_refiner().loss(noisy, noise, mode="teacher_forced", extra_steps=2)


def test_the_tolerance_watches_the_fixed_point_steps_not_the_small_scheduled_ones():
    noisy, _ = noisy_example()
    refiner = make_refiner(steps=6).double()
    nn.init.normal_(refiner.step_net.lower.weight, std=0.01)  # tiny updates from step 1 on
    result = refiner.refine(noisy, tol=1.0, max_steps=20)
    assert (result.steps == 7).all()  # the 6 scheduled steps, then the first fixed-point step
    constant = refiner.refine(noisy, tol=1.0, max_steps=20, eta=0.5)
    assert (constant.steps == 1).all()  # every step of the constant-η iteration is watched


class LinearContraction(nn.Module):
    """f(x) = x − (A x + b) with A = 0.9·a rotation: G(x) = A x + b spirals slowly to its
    fixed point x* = (I − A)⁻¹ b, the case where mixing past iterates pays."""

    condition = False

    def forward(self, x, conditioning=None, observation=None):  # x (B, 2, L)
        c, s = 0.9 * torch.cos(torch.tensor(0.5)), 0.9 * torch.sin(torch.tensor(0.5))
        rotated = torch.stack([c * x[:, 0] - s * x[:, 1], s * x[:, 0] + c * x[:, 1]], 1)
        return x - (rotated + 1.0)


def test_anderson_with_memory_one_is_the_plain_iteration_and_with_more_converges_faster():
    refiner = make_refiner(ComplexSTFT(128, 32), steps=1).double()
    noisy, _ = noisy_example()
    torch.nn.init.normal_(refiner.step_net.lower.weight, std=0.1)
    plain = refiner.refine(noisy, steps=6, eta=0.5, patience=None)
    torch.testing.assert_close(
        refiner.refine(noisy, steps=6, eta=0.5, patience=None, anderson=1).output,
        plain.output,
        rtol=1e-12,
        atol=1e-12,
    )
    refiner.domain = Waveform()  # the linear map acts on 2-channel "audio" directly
    refiner.step_net = LinearContraction()
    start = torch.randn(3, 2, 16, dtype=torch.float64)
    slow = refiner.refine(start, tol=1e-8, max_steps=400, eta=1.0, patience=None)
    fast = refiner.refine(start, tol=1e-8, max_steps=400, eta=1.0, patience=None, anderson=5)
    assert (fast.steps < slow.steps / 4).all()
    torch.testing.assert_close(fast.output, slow.output, rtol=0, atol=1e-6)


def test_the_spectral_radius_of_a_linear_update_map_is_its_largest_eigenvalue_modulus():
    refiner = make_refiner(steps=1).double()
    refiner.step_net = LinearContraction()
    x = torch.randn(2, 2, 16, dtype=torch.float64)
    radius = refiner.spectral_radius(x, x, eta=1.0, iterations=30)
    torch.testing.assert_close(
        radius, torch.full((2,), 0.9, dtype=torch.float64), rtol=1e-4, atol=0
    )
    identity = make_refiner(steps=1).double()  # f = 0: G is the identity, neutral
    mono = x[:, :1]
    torch.testing.assert_close(
        identity.spectral_radius(mono, mono), torch.ones(2, dtype=torch.float64)
    )


def test_the_jacobian_penalty_is_the_mean_squared_singular_value_and_trains_the_network():
    refiner = make_refiner(steps=1).double()
    refiner.step_net = LinearContraction()  # J_G = 0.9 · rotation: every singular value 0.9
    x = torch.randn(2, 2, 16, dtype=torch.float64)
    torch.testing.assert_close(
        refiner.jacobian_penalty(x, x), torch.tensor(0.81, dtype=torch.float64), rtol=1e-6, atol=0
    )
    noisy, noise = noisy_example(dtype=torch.float32)
    refiner = make_refiner(steps=2)
    nn.init.normal_(refiner.step_net.lower.weight, std=0.1)
    *_, (penalty, errors) = refiner.training_losses(noisy, noise, jacobian_weight=0.5)
    assert len(errors) == 0 and penalty > 0
    penalty.backward()
    assert refiner.step_net.lower.weight.grad.abs().sum() > 0


class HalfMask(nn.Module):
    """f(x) = x/2: the bounded mask's update with m = 1/2 on every bin, which never settles
    under a constant step (every step removes η/2 of what is left)."""

    condition = False

    def forward(self, x, conditioning=None, observation=None):
        return x / 2


@pytest.mark.parametrize("decay", [0.5, 0.8])
def test_a_decaying_step_past_t_makes_a_bounded_update_converge(decay):
    refiner = make_refiner(steps=2, schedule="linear", past_decay=decay).double()
    refiner.step_net = HalfMask()
    noisy, _ = noisy_example()
    result = refiner.refine(noisy, steps=40, patience=None, return_trajectory=True)
    # Past T the relative update of step T + k is η_{T+k}·m = ρ^k/2, whatever x is.
    past = result.update_norms[2:, 0]  # (38,)
    expected = 0.5 * decay ** torch.arange(1, 39, dtype=torch.float64)
    torch.testing.assert_close(past, expected, rtol=1e-9, atol=1e-12)
    # x̂_{T+k} = x̂_T · Π_j (1 − ρ^j/2): a convergent product, the limit is not zero.
    limit = torch.prod(1 - expected)
    torch.testing.assert_close(result.output, result.trajectory[2] * limit, rtol=1e-9, atol=1e-9)
    stopped = refiner.refine(noisy, tol=1e-3, max_steps=400, patience=None)
    k = torch.ceil(torch.log(torch.tensor(2e-3)) / torch.log(torch.tensor(decay)))
    assert (stopped.steps == 2 + int(k)).all()  # the first step past T with ρ^k/2 < 1e-3
    constant = make_refiner(steps=2, schedule="linear").double()
    constant.step_net = HalfMask()
    assert (constant.refine(noisy, tol=1e-3, max_steps=30, patience=None).steps == 30).all()


def test_steps_past_t_in_training_take_the_decayed_fraction():
    decay, steps, extra = 0.5, 2, 3
    refiner = make_refiner(steps=steps, schedule="linear", past_decay=decay).double()
    refiner.step_net = HalfMask()
    noisy, noise = noisy_example()
    *_, (_, errors) = refiner.training_losses(noisy, noise, extra_steps=extra, extra_grad_steps=3)
    x, clean = noisy.clone(), noisy - noise
    for t in range(1, steps + extra + 1):
        x = x * (1 - refiner.eta(t) / 2)
        assert t <= steps or refiner.eta(t) == decay ** (t - steps)
        if t > steps:
            error = ((x - clean).square().sum((1, 2)) / noise.square().sum((1, 2))).mean()
            torch.testing.assert_close(errors[t - steps - 1], error, rtol=1e-9, atol=0)


@pytest.mark.parametrize("mode", ["full", "teacher_forced"])
def test_normalising_by_the_noisy_input_scales_each_clip_by_its_noise_share(mode):
    refiner = make_refiner(steps=2).double()
    refiner.step_net = HalfMask()
    mixture, noise = noisy_example()
    clean = mixture - noise
    noise = noise * torch.tensor([1.0, 0.01], dtype=noise.dtype)[:, None, None]  # ~0 and 40 dB
    noisy = clean + noise
    (_, by_noise), (_, by_noisy), (_, by_capped) = (
        next(refiner.training_losses(noisy, noise, mode, normalise_by=name))
        for name in ("noise", "noisy", "capped")
    )
    # HalfMask's errors are the same each way; only the divisor moves: ‖ω‖², ‖s + ω‖², or both.
    x = noisy
    for t in (1, 2):
        start = x if mode == "full" else noisy - (t - 1) ** 2 / 4 * noise  # teacher: y_{t−1}
        x = start * (1 - refiner.eta(t) / 2)
        error = (x - (noisy - t**2 / 4 * noise)).square().sum((1, 2))  # ‖x̂_t − y_t‖²
        noise_energy, noisy_energy = noise.square().sum((1, 2)), noisy.square().sum((1, 2))
        capped = noise_energy + 0.1 * noisy_energy  # ‖ω‖² + ‖s + ω‖²/10
        for errors, energy in ((by_noise, noise_energy), (by_noisy, noisy_energy),
                               (by_capped, capped)):  # fmt: skip
            torch.testing.assert_close(errors[t - 1], (error / energy).mean(), rtol=1e-9, atol=0)
    with pytest.raises(ValueError, match="normalise_by"):
        refiner.loss(noisy, noise, normalise_by="clean")


def test_a_past_decay_outside_zero_to_one_is_refused():
    refiner = make_refiner()
    for decay in (0.0, -0.5, 1.5):
        with pytest.raises(ValueError, match="past_decay"):
            make_refiner(past_decay=decay)
        with pytest.raises(ValueError, match="past_decay"):
            refiner.past_decay = decay  # as refine-eval and a checkpoint's defaults set it
    assert refiner.past_decay == 1.0


@pytest.mark.parametrize("parameterisation", ["residual", "clean_estimate"])
@pytest.mark.parametrize("steps", [1, 2, 3, 7])
def test_a_respaced_oracle_reaches_the_clean_signal_at_its_own_last_step(parameterisation, steps):
    noisy, noise = noisy_example()
    refiner = make_refiner(steps=4, parameterisation=parameterisation).double()
    clean = noisy - noise
    refiner.step_net = CleanOracle(clean, inject=parameterisation == "clean_estimate")
    respaced = refiner.respaced(steps)
    out = respaced.refine(noisy, steps=steps, return_trajectory=True)
    # Step t removes s(t/N) of the noise: the N-step schedule's targets, clean at N.
    removed = respaced.fractions[:, None, None, None]  # (N+1, 1, 1, 1)
    wanted = noisy[None] - removed * noise[None]
    for t in range(steps + 1):
        torch.testing.assert_close(out.trajectory[t], wanted[t], rtol=0, atol=1e-9)


def test_respacing_shares_the_network_and_leaves_the_refiner_as_it_was():
    refiner = make_refiner(steps=4)
    etas = refiner.etas.clone()
    respaced = refiner.respaced(2)
    assert respaced.step_net is refiner.step_net and respaced.steps == 2
    assert refiner.steps == 4 and torch.equal(refiner.etas, etas)
    torch.testing.assert_close(respaced.etas, torch.tensor([0.25, 1.0], dtype=torch.float64))
    noisy, _ = noisy_example(dtype=torch.float32)
    same = refiner.respaced(4).refine(noisy, steps=6).output
    torch.testing.assert_close(same, refiner.refine(noisy, steps=6).output, rtol=0, atol=0)
    with pytest.raises(ValueError, match="increment"):
        make_refiner(parameterisation="increment").respaced(2)
