"""The refinement process: per-step targets, the weight-shared unroll, its loss, and inference.

Clean signal s, noise ω, noisy input x = s + ω. With a schedule s(·) (`schedules.py`) and T
steps the targets are y_t = x − s(t/T)·ω, and one step network f_θ is unrolled:

    x̂_0 = x,   x̂_t = x̂_{t−1} − η_t · f_θ(x̂_{t−1}[, t/T])

- increment parameterisation: f predicts y_{t−1} − y_t, η_t = 1.
- residual parameterisation: f predicts the remaining noise x̂_{t−1} − s and the schedule
  gives the share η_t = (s_t − s_{t−1}) / (1 − s_{t−1}) to remove (η_T = 1).

Loss: E = Σ_t w_t ‖x̂_t − y_t‖² / ‖ω‖², per example (loud and quiet clips weigh the same),
averaged over the batch, with Σ_t w_t = 1 (uniform, or the last step weighted up). The
distance is in the domain's features, or with `loss="stft_magnitude"` (the Audio U-Net LRU
denoiser's spectral loss) between STFT magnitudes of the decoded audio:
‖|STFT x̂_t| − |STFT y_t|‖² over ‖|STFT y_0| − |STFT y_T|‖², whatever domain the refinement runs in.

Training modes, all yielding the loss in segments that the trainer backpropagates one at a
time, which is what keeps memory flat:
- "full": backprop through the whole unroll (one segment); with `checkpoint=True` each
  step's activations are recomputed in the backward pass, so only the T iterates are kept.
- "truncated": the iterate is detached every `segment` steps (truncated BPTT).
- "teacher_forced": every step starts from the true y_{t−1}, so steps are independent and
  run as one batch (or `segment` steps per batch).

Inference (`refine`): a fixed number of steps, which may exceed the trained T, or until the
relative update ‖Δx‖/‖x‖ falls below `tol`. Steps t ≤ T follow the trained schedule; beyond T
it is the fixed-point iteration x ← x − η_t·f(x), with η_{T+k} = ρ^k (`past_decay` ρ,
1 by default: a constant step; below 1 a summable one, so the steps past T move the iterate
a bounded amount and a bounded update converges, `schedules.past_fraction`), or a constant
η throughout when `eta` is given. Under the schedule updates grow by design, so the
divergence guard (update norm ‖Δx‖ rising for `patience` steps: stop, keep the iterate after
the smallest update, warn) watches the fixed-point steps only.

Everything runs in a domain (`refine.process.domains`): targets are the domain's transforms of the
waveform targets y_t, and `refine` returns audio.

A step network may carry a state from step to step (`recurrent = True`, called as
f(x, progress, state) -> (update, state); the conv-RNN question's patch network): the
unroll, truncation (which detaches the state with the iterate) and inference pass it along;
teacher forcing, which runs steps independently, is refused for it.
"""

import copy
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.checkpoint import checkpoint as recompute

from refine.networks.content import content_labels
from refine.networks.step_net import StepNetwork
from refine.process.anderson import Anderson
from refine.process.domains import MagnitudeSTFT, Waveform
from refine.process.schedules import (
    make_schedule,
    past_fraction,
    removed_fractions,
    step_fractions,
)

PARAMETERISATIONS = ("increment", "residual", "clean_estimate")
CONDITIONINGS = ("progress", "noise_level")
LOSSES = ("domain", "stft_magnitude")
LOSS_STFT = {
    "n_fft": 512,
    "hop_length": 128,
}  # the spectral loss's STFT: the Audio U-Net LRU's n_fft
TRAINING_MODES = ("full", "truncated", "teacher_forced")
# What each example's training errors are divided by, a·‖ω‖² + b·‖s + ω‖², as (a, b): its
# noise's energy, its noisy input's, or capped (no clip weighs more than one at 10 dB SNR).
NORMALISATIONS = {"noise": (1.0, 0.0), "noisy": (0.0, 1.0), "capped": (1.0, 0.1)}


@dataclass
class RefineResult:
    """What `Refiner.refine` returns. N is the number of steps run (≤ the requested maximum)."""

    output: torch.Tensor  # (B, C, T) audio after each example's last step
    steps: torch.Tensor  # (B,) steps each example took
    update_norms: torch.Tensor  # (N, B) ‖x̂_t − x̂_{t−1}‖ / ‖x̂_{t−1}‖, NaN once stopped
    diverged: torch.Tensor  # (B,) bool: stopped by the divergence guard
    features: torch.Tensor  # (B, K, L) the last iterate in the domain's features
    trajectory: list[torch.Tensor] | None = None  # x̂_0 … x̂_N as audio (B, C, T)


def channel_major(features: torch.Tensor) -> torch.Tensor:
    """Features (..., B, K, L) laid out in memory as (..., K, B, L), the same values: the step
    network's 1x1 maps then read and write them in place as (K, B·L) matrices, one matmul
    each (`refine.networks.step_net.pointwise`), and its output map's parts come out in the
    iterate's layout, so the elementwise work of every step runs on matching strides. With
    the complex STFT's targets from two transforms (`Refiner.targets`) the default training
    step is 4 % faster (README, Speed)."""
    return features.transpose(-3, -2).contiguous().transpose(-3, -2)


def checked_past_decay(decay: float) -> float:
    """`past_decay` if it is a step-fraction decay in (0, 1], else a ValueError saying so."""
    if not 0 < decay <= 1:
        raise ValueError(
            f"past_decay must be in (0, 1] (1: a constant step past T; below 1 the step "
            f"fraction shrinks by it every step), got {decay}"
        )
    return float(decay)


class StepTargets:
    """The domain features of y_t = x − s(t/T)·ω, t = 0 … T, for one batch (B, C, T) x2, each
    (B, K, L) laid out as (K, B, L) (`channel_major`); `targets[t]`, t = −1 is y_T.

    A linear domain (the waveform, the complex STFT) encodes x and ω once and forms
    X − s(t/T)·W when step t asks for it: two transforms instead of T + 1, equal to encoding
    every y_t up to float rounding (tests/process), and no (T+1, B, K, L) stack (18 MB at
    the default training step) for an unroll that reads one step at a time. The magnitude
    STFT is not linear and encodes every y_t up front."""

    def __init__(self, domain, fractions: torch.Tensor, noisy: torch.Tensor, noise: torch.Tensor):
        self.values = fractions.tolist()  # s(t/T) as numbers: no device sync per step
        self.fractions = fractions.to(noisy)  # (T+1,)
        if domain.linear:
            self.observed = channel_major(domain.encode(noisy))  # (B, K, L)
            self.removed = channel_major(domain.encode(noise))
            self.encoded = None
        else:
            scaled = self.fractions[:, None, None, None] * noise[None]
            waves = noisy[None] - scaled  # (T+1, B, C, T)
            features = domain.encode(waves.flatten(0, 1))  # ((T+1)·B, K, L)
            self.encoded = channel_major(features.unflatten(0, (len(fractions), noisy.shape[0])))

    def __len__(self) -> int:
        return len(self.fractions)

    def __getitem__(self, t: int) -> torch.Tensor:
        """y_t's features (B, K, L)."""
        if self.encoded is not None:
            return self.encoded[t]
        if t % len(self) == 0:
            return self.observed  # s(0) = 0
        return torch.add(self.observed, self.removed, alpha=-self.values[t])

    def stacked(self) -> torch.Tensor:
        """Every y_t at once: (T+1, B, K, L), laid out as (T+1, K, B, L)."""
        if self.encoded is not None:
            return self.encoded
        fractions = self.fractions[:, None, None, None]  # (T+1, 1, 1, 1)
        return self.observed - fractions * self.removed


class Refiner(nn.Module):
    """Unrolls a weight-shared step network over a schedule of per-step targets.

    Args:
        step_net: f_θ, (B, K, L) [, t/T] -> (B, K, L) in the domain's features.
        steps: T, the number of refinement steps trained.
        schedule: "quadratic" (the conv-RNN question's t²/T²), "linear", "cosine" or "power".
        power: the exponent of the power schedule.
        parameterisation: "residual", "increment" or "clean_estimate".
        domain: `Waveform()` (default), `ComplexSTFT(...)` or `MagnitudeSTFT(...)`.
        final_weight: loss weight of the last step relative to the others (1 = uniform).
        loss: "domain" (squared distance of the features) or "stft_magnitude" (of the
            decoded audio's STFT magnitudes).
        conditioning: what a conditioned step network is told at every step: "progress"
            (t/T) or "noise_level" (the share of the noise left in the step's input).
        past_decay: ρ in (0, 1], the step fraction past T shrinks by it every step
            (η_{T+k} = ρ^k), in training's steps past T and at inference alike.
    """

    def __init__(
        self,
        step_net: StepNetwork,
        steps: int = 8,
        schedule: str = "quadratic",
        power: float = 2.0,
        parameterisation: str = "residual",
        domain=None,
        final_weight: float = 1.0,
        loss: str = "domain",
        conditioning: str = "progress",
        past_decay: float = 1.0,
    ):
        super().__init__()
        self.past_decay = past_decay
        if conditioning not in CONDITIONINGS:
            raise ValueError(f"conditioning must be one of {CONDITIONINGS}, got {conditioning!r}")
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
        if parameterisation not in PARAMETERISATIONS:
            raise ValueError(
                f"parameterisation must be one of {PARAMETERISATIONS}, got {parameterisation!r}"
            )
        if final_weight <= 0:
            raise ValueError(f"final_weight must be > 0, got {final_weight}")
        self.step_net, self.parameterisation = step_net, parameterisation
        self.conditioning, self.final_weight = conditioning, final_weight
        self.domain = domain if domain is not None else Waveform()
        self.loss_stft = MagnitudeSTFT(**LOSS_STFT) if loss == "stft_magnitude" else None
        self.schedule_fn = make_schedule(schedule, power)
        self._lay_schedule(steps)
        self._content = None  # (n,) content labels the step network is told (content_is)

    def _lay_schedule(self, steps: int) -> None:
        """T = `steps` and the schedule over it, in float64, outside .to()/.double(): cast
        where used, never rounded twice."""
        weights = torch.ones(steps, dtype=torch.float64)
        weights[-1] = self.final_weight
        self.steps = steps
        self.fractions = removed_fractions(self.schedule_fn, steps)  # (T+1,) s(t/T)
        self.etas = step_fractions(self.schedule_fn, steps)  # (T,) η_t
        self.weights = weights / weights.sum()  # (T,) w_t

    def respaced(self, steps: int) -> "Refiner":
        """This refiner with its schedule spread over `steps` steps instead of T (an anytime
        budget: fewer, larger steps, or more, smaller ones), sharing the step network.

        With the residual parameterisation the network estimates all the noise left in its
        input at every step, and the schedule only decides which share η_t of it a step
        removes; over N steps η_t = (s(t/N) − s((t−1)/N)) / (1 − s((t−1)/N)), so η_N = 1 and
        the N-th step removes all that is left, as step T does. N = 1 is the network applied
        once, x − f(x): the one-shot answer of the same weights. A conditioned network is
        told t/N or the noise level of the respaced schedule, both inside what it trained on.
        The increment parameterisation predicts one step's fixed share, so it cannot be
        respaced. Steps past N, the step decay and everything else are the refiner's own."""
        if self.parameterisation == "increment":
            raise ValueError(
                "an increment network predicts the trained schedule's own steps: only the "
                "residual and clean-estimate parameterisations can be respaced"
            )
        respaced = copy.copy(self)  # a shallow copy: the same step network and domain
        respaced._lay_schedule(steps)
        return respaced

    # --- targets and one step -------------------------------------------------------------

    def targets(self, noisy: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """Domain features of y_t = x − s(t/T)·ω for t = 0 … T: (B, C, T) x2 -> (T+1, B, K, L),
        laid out in memory as (T+1, K, B, L) (`channel_major`): all of `step_targets` in one
        tensor, to look at (teacher forcing stacks its `StepTargets` the same way)."""
        return self.step_targets(noisy, noise).stacked()

    def step_targets(self, noisy: torch.Tensor, noise: torch.Tensor) -> "StepTargets":
        """The per-step targets of one batch, each formed when a step asks for it."""
        return StepTargets(self.domain, self.fractions, noisy, noise)

    @property
    def past_decay(self) -> float:
        """ρ: step T + k takes the fraction ρ^k. Settable (refine-eval, a checkpoint's stored
        inference defaults); a value outside (0, 1] is refused."""
        return self._past_decay

    @past_decay.setter
    def past_decay(self, decay: float) -> None:
        self._past_decay = checked_past_decay(decay)

    def eta(self, t: int, eta: float | None = None) -> float:
        """The step fraction of step t (1-based): η_t within the schedule, ρ^(t−T) beyond it
        (`past_decay` ρ), or the constant `eta` when given; within T, 1 for the increment
        parameterisation unless `eta` is given."""
        if eta is not None:
            return eta
        if t > self.steps:
            return past_fraction(t - self.steps, self.past_decay)
        if self.parameterisation == "increment":
            return 1.0
        return self.etas[t - 1].item()

    def scheduled(self, t: int, eta: float | None = None) -> bool:
        """Whether step t follows the trained schedule; otherwise it is a step of the
        constant-η fixed-point iteration x ← x − η·f(x) (past T, or every step with `eta`)."""
        return eta is None and t <= self.steps

    def noise_level(self, t: torch.Tensor, eta: float | None = None) -> torch.Tensor:
        """The share of the noise left in the input of step t, σ = 1 − s((t−1)/T), 0 from
        step T + 1 on; with a constant `eta`, (1 − η)^(t−1). t: a tensor of steps (1-based)."""
        if eta is not None:
            return (1 - eta) ** (t.double() - 1)
        left = 1 - self.fractions.to(t.device)  # (T+1,)
        return left[(t - 1).clamp(max=self.steps)]

    def _conditioning(self, t, batch: int, like: torch.Tensor, eta: float | None = None):
        """The scalar a conditioned step network is told, per example: t/T or the noise level
        left in the step's input (None for an unconditioned network): (B,)."""
        if not self.step_net.condition:
            return None
        t = torch.as_tensor(t, device=like.device)
        if self.conditioning == "noise_level":
            value = self.noise_level(t.long(), eta).to(like.dtype)
        else:
            value = t.to(like.dtype) / self.steps
        return value.expand(batch) if value.dim() == 0 else value

    @property
    def recurrent(self) -> bool:
        """Whether the step network carries a state from step to step (the conv-RNN
        question's patch network)."""
        return getattr(self.step_net, "recurrent", False)

    @property
    def injects(self) -> bool:
        """Whether the step network needs the noisy observation: to see it beside the
        iterate, or for a gradient step's data term."""
        return getattr(self.step_net, "needs_observation", False)

    @property
    def knows_content(self) -> bool:
        """Whether the step network can be told what the clips hold (`content_is`)."""
        return getattr(self.step_net, "content", None) is not None

    def content_is(self, content):
        """A context within which every step network call is told `content`: a name of
        `refine.networks.content.CONTENTS`, or labels (n,) for a batch of k·n clips (one
        per clip, or one for all); None: unknown. The label belongs to the clip, not to a
        step, so it is set once around a loss or a refinement rather than passed through
        every step, as the unroll passes the iterate. Bad content is refused here, before
        the block starts."""
        labels = content_labels(content)
        if labels is not None and not self.knows_content:
            raise ValueError(
                "this model was not trained with content labels: it cannot be told the "
                "content (leave it unset)"
            )
        return self._told(labels)

    @property
    def told_content(self) -> torch.Tensor | None:
        """The content labels (n,) the step network is told now (None: nothing)."""
        return self._content

    @contextmanager
    def _told(self, labels: torch.Tensor | None):
        previous, self._content = self._content, labels
        try:
            yield self
        finally:
            self._content = previous

    def _network(self, x, t, eta=None, state=None, observation=None, conditioning=None):
        """f_θ at step t (an int, or a tensor of steps per example): (update, state)."""
        if conditioning is None:
            conditioning = self._conditioning(t, x.shape[0], x, eta)
        extra = {"observation": observation} if self.injects else {}
        if self._content is not None:
            extra["content"] = self._content
        if self.recurrent:
            return self.step_net(x, conditioning, state, **extra)
        return self.step_net(x, conditioning, **extra), None

    def step(
        self,
        x: torch.Tensor,
        t: int,
        eta: float | None = None,
        state: torch.Tensor | None = None,
        observation: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(x̂_t, state after step t) from x̂_{t−1}, (B, K, L), and the state after step t − 1
        (None before the first step, and always for memoryless step networks).

        `observation`: the features of the noisy input x̂_0 (B, K, L), which the
        clean-estimate parameterisation and an injecting step network need."""
        update, state = self._network(x, t, eta, state, observation)
        return self.apply(x, update, t, eta, observation), state

    def apply(self, x, update, t: int, eta: float | None = None, observation=None):
        """x̂_t from x̂_{t−1} (B, K, L) and the step network's output there (B, K, L)."""
        if self.parameterisation == "clean_estimate" and self.scheduled(t, eta):
            fraction = self.fractions[t].to(x)
            return self._clean_estimate_step(x, update, observation, fraction)
        return torch.sub(x, update, alpha=self.eta(t, eta))

    @staticmethod
    def _clean_estimate_step(x, update, observation, fraction):
        """Cold diffusion's sampler: f estimates the noise left in x̂_{t−1}, so
        ŝ = x̂_{t−1} − f is the clean estimate and ω̂ = x − ŝ the noise of the *original*
        input; x̂_t = x − s(t/T)·ω̂ = (1 − s_t)·x + s_t·ŝ. It is still x ← x − Noise_t(x),
        with Noise_t(x̂) = (1 − s_t)(x̂ − x) + s_t·f(x̂), and with the true noise it gives
        exactly y_t. Each step re-estimates the same noise instead of adding to the last
        step's removal, so one step's error is not compounded by the next; past T
        (s = 1) it is the residual step x̂ − f(x̂)."""
        if observation is None:
            raise ValueError("the clean-estimate step needs the observation (x̂_0's features)")
        return (1 - fraction) * observation + fraction * (x - update)

    # --- training -------------------------------------------------------------------------

    def _distance(self, a: torch.Tensor, b: torch.Tensor, noisy: torch.Tensor) -> torch.Tensor:
        """Squared distance per example of two iterates (B, K, L): in the features, or between
        the STFT magnitudes of their audio (decoded with the noisy input (B, C, T)). -> (B,)"""
        if self.loss_stft is not None:
            a = self.loss_stft.encode(self.domain.decode(a, noisy))  # (B, C·F, L')
            b = self.loss_stft.encode(self.domain.decode(b, noisy))
        # mse_loss's backward is one fused pass, 2x faster than square()'s (pow's) at the
        # training step's (16, 514, 63); the same sums.
        return F.mse_loss(a, b, reduction="none").sum((1, 2))

    def _normaliser(self, targets, noisy, noise_weight: float, input_weight: float):
        """a·‖ω‖² + b·‖s + ω‖² per example in the loss space, from the `StepTargets`
        (ω = y_0 − y_T) and the noisy audio (B, C, T); a term of weight 0 is not computed."""
        energy = 0.0
        if noise_weight:
            energy = noise_weight * self._distance(targets[0], targets[-1], noisy)
        if input_weight:
            silence = torch.zeros_like(targets[0])
            energy = energy + input_weight * self._distance(targets[0], silence, noisy)
        return energy  # (B,)

    def training_losses(
        self,
        noisy: torch.Tensor,
        noise: torch.Tensor,
        mode: str = "full",
        segment: int | None = None,
        checkpoint: bool = False,
        extra_steps: int = 0,
        extra_grad_steps: int = 1,
        jacobian_weight: float = 0.0,
        generator: torch.Generator | None = None,
        normalise_by: str = "noise",
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Yield the loss E in segments: (partial loss, its steps' errors ‖x̂_t − y_t‖²/‖ω‖²,
        or over the energy `normalise_by` names).

        noisy, noise (B, C, T). Call backward on each partial loss before asking for the next:
        their sum is E, and the errors of all segments together are the T per-step errors
        (batch means, detached), then those of the graded steps past T. `segment`: steps
        per segment for "truncated" (required) and "teacher_forced" (default: all T in one
        batch).

        `extra_steps` K > 0 continues the unroll K steps past T with the clean signal as
        every target (y_t = s for t > T), as a last segment: the first K − k steps run
        without gradients and the last k = min(K, `extra_grad_steps`) are trained, each
        weighted like step T, so memory does not grow with K (a phantom gradient: only the
        last steps of the way to the fixed point are differentiated). This is what teaches
        the network that a clean estimate needs no more change.

        `jacobian_weight` γ > 0 adds a last segment γ·E‖J_G v‖² (`jacobian_penalty`) at the
        iterate where the unroll ended, with its probe v drawn from `generator`; its errors
        are empty.

        `normalise_by` "noise" divides each example's errors by its noise energy ‖ω‖² (every
        clip weighs the same in dB of noise removed); "noisy" by the energy of the noisy
        input ‖s + ω‖², so a nearly clean clip, whose ‖ω‖² is tiny, no longer outweighs a
        noisy one by its SNR (errors are then shares of the input, not of the noise);
        "capped" by ‖ω‖² + 0.1·‖s + ω‖² (`NORMALISATIONS`): "noise" below 10 dB SNR, and a
        cleaner clip weighs as one at 10 dB instead of up to 10^(SNR/10) times a 0 dB one.
        """
        if normalise_by not in NORMALISATIONS:
            raise ValueError(
                f"normalise_by must be one of {tuple(NORMALISATIONS)}, got {normalise_by!r}"
            )
        if mode not in TRAINING_MODES:
            raise ValueError(f"mode must be one of {TRAINING_MODES}, got {mode!r}")
        if mode == "truncated" and not segment:
            raise ValueError("truncated training needs segment = steps between detaches")
        if extra_steps < 0 or extra_grad_steps < 1:
            raise ValueError(
                f"extra_steps must be >= 0 and extra_grad_steps >= 1, got {extra_steps} and "
                f"{extra_grad_steps}"
            )
        with torch.no_grad():
            targets = self.step_targets(noisy, noise)  # y_t (B, K, L) = targets[t]
            energy = self._normaliser(targets, noisy, *NORMALISATIONS[normalise_by])  # (B,)
            energy = energy.clamp(min=1e-8 * targets[0][0].numel())
        observation = targets[0]
        if mode == "teacher_forced":
            if self.recurrent:
                raise ValueError(
                    "teacher forcing feeds each step its target, but this step network carries "
                    "a state from step to step: train it with mode full or truncated"
                )
            if extra_steps:
                raise ValueError(
                    "steps past T run the network on its own outputs, which teacher forcing "
                    "never does: train them with mode full or truncated"
                )
            stacked = targets.stacked()  # (T+1, B, K, L)
            yield from self._teacher_forced(stacked, energy, noisy, segment or self.steps)
            return

        def run(x, t, state):
            if checkpoint:
                return recompute(self.step, x, t, None, state, observation, use_reentrant=False)
            return self.step(x, t, state=state, observation=observation)

        x, state, loss, errors = targets[0], None, 0.0, []
        for t in range(1, self.steps + 1):
            x, state = run(x, t, state)
            error = (self._distance(x, targets[t], noisy) / energy).mean()
            weight = self.weights[t - 1].to(error)
            loss, errors = loss + weight * error, errors + [error.detach()]
            if mode == "truncated" and t % segment == 0 and t < self.steps:
                yield loss, torch.stack(errors)
                x, loss, errors = x.detach(), 0.0, []
                state = None if state is None else state.detach()
        yield loss, torch.stack(errors)
        if extra_steps:
            segment_loss, segment_errors, x = self._past_t(
                x,
                state,
                targets[-1],
                energy,
                noisy,
                observation,
                run,
                extra_steps,
                min(extra_steps, extra_grad_steps),
            )
            yield segment_loss, segment_errors
        if jacobian_weight:
            penalty = self.jacobian_penalty(x, observation, generator)
            yield jacobian_weight * penalty, penalty.new_zeros(0)

    def _past_t(self, x, state, clean, energy, noisy, observation, run, extra, graded):
        """The segment past T of `training_losses`: K = `extra` steps from x̂_T (detached),
        the last `graded` of them differentiated, every one aimed at the clean features.
        Returns (loss, errors, the last iterate)."""
        x, state = x.detach(), None if state is None else state.detach()
        first = self.steps + 1
        with torch.no_grad():
            for t in range(first, first + extra - graded):
                x, state = self.step(x, t, state=state, observation=observation)
        loss, errors = 0.0, []
        for t in range(first + extra - graded, first + extra):
            x, state = run(x, t, state)
            error = (self._distance(x, clean, noisy) / energy).mean()
            loss, errors = loss + self.weights[-1].to(error) * error, errors + [error.detach()]
        return loss, torch.stack(errors), x

    def jacobian_penalty(
        self, x: torch.Tensor, observation: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """E‖J_G v‖² for a unit probe v: the mean squared singular value of the Jacobian of
        the fixed-point map G(x) = x − f(x) at x (B, K, L) (detached), one Hutchinson probe
        by a finite difference, batch mean (Bai et al. 2021, arXiv 2106.14342, regularise
        a DEQ's Jacobian so). Small means the steps past T contract, and fast: at 0 every
        step would land on the fixed point at once. A carried state is not probed."""
        x, t = x.detach(), self.steps + 1
        probe = torch.randn(x.shape, generator=generator, dtype=x.dtype).to(x.device)
        probe = probe / probe.flatten(1).norm(dim=1)[:, None, None]  # (B, K, L), ‖v‖ = 1
        epsilon = (1e-2 * x.flatten(1).norm(dim=1)).clamp(min=1e-12)[:, None, None]
        base, _ = self.step(x, t, observation=observation)
        moved, _ = self.step(x + epsilon * probe, t, observation=observation)
        return ((moved - base) / epsilon).flatten(1).square().sum(1).mean()

    def _teacher_forced(
        self, targets: torch.Tensor, energy: torch.Tensor, noisy: torch.Tensor, segment: int
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        batch = targets.shape[1]
        for start in range(1, self.steps + 1, segment):
            t = torch.arange(start, min(start + segment, self.steps + 1))  # steps in this batch
            inputs = targets[t - 1].flatten(0, 1)  # (n·B, K, L): every step from the true y_{t−1}
            steps = t.repeat_interleave(batch)  # (n·B,)
            observation = targets[0].repeat(len(t), 1, 1)  # (n·B, K, L)
            update, _ = self._network(inputs, steps, observation=observation)
            update = update.unflatten(0, (len(t), batch))
            if self.parameterisation == "clean_estimate":
                fractions = self.fractions[t].to(inputs)[:, None, None, None]  # (n, 1, 1, 1)
                estimate = self._clean_estimate_step(
                    targets[t - 1], update, targets[0][None], fractions
                )
            else:
                etas = torch.tensor([self.eta(int(i)) for i in t]).to(inputs)
                estimate = targets[t - 1] - etas[:, None, None, None] * update  # (n, B, K, L)
            repeated = noisy.repeat(len(t), 1, 1)  # (n·B, C, T)
            distance = self._distance(estimate.flatten(0, 1), targets[t].flatten(0, 1), repeated)
            errors = (distance.unflatten(0, (len(t), batch)) / energy).mean(1)  # (n,)
            yield (self.weights[t - 1].to(errors) * errors).sum(), errors.detach()

    def loss(self, noisy: torch.Tensor, noise: torch.Tensor, **mode) -> torch.Tensor:
        """E in one tensor (all segments summed): for evaluation and tests, not for training
        with truncation, whose point is to backpropagate segment by segment."""
        return sum(part for part, _ in self.training_losses(noisy, noise, **mode))

    # --- inference ------------------------------------------------------------------------

    @torch.no_grad()
    def refine(
        self,
        noisy: torch.Tensor,
        steps: int | None = None,
        tol: float | None = None,
        max_steps: int = 64,
        eta: float | None = None,
        patience: int | None = 3,
        return_trajectory: bool = False,
        anderson: int = 0,
    ) -> RefineResult:
        """Denoise audio (B, C, T): `steps` fixed steps (default T), or until ‖Δx‖/‖x‖ < tol
        with at most `max_steps`; `eta` makes every step the constant-η iteration; `patience`
        arms the divergence guard (None: off); `anderson` = m > 0 mixes the fixed-point
        steps over the last m iterates (`refine.process.anderson`).

        The tolerance, the guard and Anderson act on the fixed-point steps (past T, or every
        step with `eta`): under the trained schedule the first steps are small by design,
        which is not convergence, so an example runs its T scheduled steps and then stops
        on its own."""
        if steps is not None and tol is not None:
            raise ValueError("give either steps (a fixed count) or tol (until convergence)")
        limit = max_steps if tol is not None else (self.steps if steps is None else steps)
        if limit < 0:
            raise ValueError(f"the number of steps must be >= 0, got {limit}")
        if anderson and self.recurrent:
            raise ValueError("Anderson acceleration mixes iterates, not a carried state")
        x = self.domain.encode(noisy)  # (B, K, L)
        batch = x.shape[0]
        flags = dict(dtype=torch.bool, device=x.device)
        active, diverged = torch.ones(batch, **flags), torch.zeros(batch, **flags)
        taken = torch.zeros(batch, dtype=torch.long, device=x.device)
        rising = torch.zeros(batch, dtype=torch.long, device=x.device)
        best, best_norm = x.clone(), x.new_full((batch,), float("inf"))
        previous = x.new_full((batch,), float("inf"))
        norms, path = [], [x] if return_trajectory else None
        mixer = Anderson(anderson) if anderson else None

        state, observation = None, x
        for t in range(1, limit + 1):
            fixed_point = not self.scheduled(t, eta)
            proposal, proposed_state = self.step(x, t, eta, state, observation)
            if mixer is not None and fixed_point:
                proposal = mixer(x, proposal)
            size = (proposal - x).flatten(1).norm(dim=1)  # (B,) ‖Δx‖
            relative = size / x.flatten(1).norm(dim=1).clamp(min=1e-12)  # (B,) ‖Δx‖/‖x‖
            x = torch.where(active[:, None, None], proposal, x)
            if proposed_state is not None:  # a stopped example keeps its state too
                keep = active.reshape(-1, *[1] * (proposed_state.dim() - 1))
                state = (
                    proposed_state if state is None else torch.where(keep, proposed_state, state)
                )
            taken += active
            norms.append(torch.where(active, relative, float("nan")))
            if patience is not None and fixed_point:
                rising = torch.where(active & (size > previous), rising + 1, 0)
                improved = active & (size < best_norm)
                best[improved], best_norm[improved] = x[improved], size[improved]
                stop = active & (rising >= patience)
                x[stop], diverged, active = best[stop], diverged | stop, active & ~stop
            previous = torch.where(active, size, previous)
            if tol is not None and fixed_point:
                active &= ~(relative < tol)
            if return_trajectory:
                path.append(x.clone())
            if not active.any():
                break

        if diverged.any():
            warnings.warn(
                f"{int(diverged.sum())} of {batch} examples diverged (update norm grew for "
                f"{patience} steps): returned their best iterate",
                stacklevel=3,  # the caller of refine(), past torch.no_grad's wrapper
            )
        decode = self.domain.decode
        return RefineResult(
            output=decode(x, noisy),
            steps=taken,
            update_norms=torch.stack(norms) if norms else torch.zeros(0, batch),
            diverged=diverged,
            features=x,
            trajectory=[decode(z, noisy) for z in path] if return_trajectory else None,
        )

    @torch.no_grad()
    def spectral_radius(
        self,
        x: torch.Tensor,
        observation: torch.Tensor,
        eta: float | None = None,
        iterations: int = 10,
        seed: int = 0,
    ) -> torch.Tensor:
        """ρ(∂G/∂x), the spectral radius of the fixed-point map G(x) = x − η·f(x) at the
        iterate x (B, K, L), per example, by power iteration on finite-difference
        Jacobian-vector products. Below 1 the iteration contracts there; at 1 it is neutral
        (perturbations neither grow nor shrink: a mask left at 0 is the identity); above 1
        it expands, and an iteration there drifts away or blows up. -> (B,)"""
        generator = torch.Generator(device=x.device).manual_seed(seed)
        t = self.steps + 1  # a fixed-point step
        base, _ = self.step(x, t, eta, observation=observation)
        direction = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
        radius = x.new_zeros(x.shape[0])
        for _ in range(iterations):
            direction = direction / direction.flatten(1).norm(dim=1)[:, None, None]  # ‖v‖ = 1
            # ε: a thousandth of the iterate's norm, well above float32 rounding of G.
            epsilon = (1e-3 * x.flatten(1).norm(dim=1)).clamp(min=1e-12)[:, None, None]
            moved, _ = self.step(x + epsilon * direction, t, eta, observation=observation)
            direction = (moved - base) / epsilon  # J v
            radius = direction.flatten(1).norm(dim=1)  # ‖J v‖ with ‖v‖ = 1
        return radius
