"""The refinement process: per-step targets, the weight-shared unroll, its loss, and inference.

Clean signal s, noise ω, noisy input x = s + ω. With a schedule s(·) (`refine.schedules`) and
T steps the targets are y_t = x − s(t/T)·ω, and one step network f_θ is unrolled:

    x̂_0 = x,   x̂_t = x̂_{t−1} − η_t · f_θ(x̂_{t−1}[, t/T])

- increment parameterisation: f predicts y_{t−1} − y_t, η_t = 1.
- residual parameterisation: f predicts the remaining noise x̂_{t−1} − s and the schedule
  gives the share η_t = (s_t − s_{t−1}) / (1 − s_{t−1}) to remove (η_T = 1).

Loss: E = Σ_t w_t ‖x̂_t − y_t‖² / ‖ω‖², per example (loud and quiet clips weigh the same),
averaged over the batch, with Σ_t w_t = 1 (uniform, or the last step weighted up). The
distance is in the domain's features, or with `loss="stft_magnitude"` (seed 001's spectral
loss) between STFT magnitudes of the decoded audio: ‖|STFT x̂_t| − |STFT y_t|‖² over
‖|STFT y_0| − |STFT y_T|‖², whatever domain the refinement runs in.

Training modes, all yielding the loss in segments that the trainer backpropagates one at a
time, which is what keeps memory flat:
- "full": backprop through the whole unroll (one segment); with `checkpoint=True` each
  step's activations are recomputed in the backward pass, so only the T iterates are kept.
- "truncated": the iterate is detached every `segment` steps (truncated BPTT).
- "teacher_forced": every step starts from the true y_{t−1}, so steps are independent and
  run as one batch (or `segment` steps per batch).

Inference (`refine`): a fixed number of steps, which may exceed the trained T, or until the
relative update ‖Δx‖/‖x‖ falls below `tol`. Steps t ≤ T follow the trained schedule; beyond T,
or throughout when `eta` is given, a constant η makes it the fixed-point iteration
x ← x − η·f(x). Under the schedule updates grow by design, so the divergence guard (update
norm ‖Δx‖ rising for `patience` steps: stop, keep the iterate after the smallest update,
warn) watches constant-η steps.

Everything runs in a domain (`refine.domains`): targets are the domain's transforms of the
waveform targets y_t, and `refine` returns audio.

A step network may carry a state from step to step (`recurrent = True`, called as
f(x, progress, state) -> (update, state); seed 003's patch conv-RNN): the unroll, truncation
(which detaches the state with the iterate) and inference pass it along; teacher forcing,
which runs steps independently, is refused for it.
"""

import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import torch
from torch import nn
from torch.utils.checkpoint import checkpoint as recompute

from refine.domains import MagnitudeSTFT, Waveform
from refine.schedules import make_schedule, removed_fractions, step_fractions
from refine.step_net import StepNetwork

PARAMETERISATIONS = ("increment", "residual")
LOSSES = ("domain", "stft_magnitude")
LOSS_STFT = {"n_fft": 512, "hop_length": 128}  # the spectral loss's STFT: seed 001's n_fft
TRAINING_MODES = ("full", "truncated", "teacher_forced")


@dataclass
class RefineResult:
    """What `Refiner.refine` returns. N is the number of steps run (≤ the requested maximum)."""

    output: torch.Tensor  # (B, C, T) audio after each example's last step
    steps: torch.Tensor  # (B,) steps each example took
    update_norms: torch.Tensor  # (N, B) ‖x̂_t − x̂_{t−1}‖ / ‖x̂_{t−1}‖, NaN once stopped
    diverged: torch.Tensor  # (B,) bool: stopped by the divergence guard
    trajectory: list[torch.Tensor] | None = None  # x̂_0 … x̂_N as audio (B, C, T)


class Refiner(nn.Module):
    """Unrolls a weight-shared step network over a schedule of per-step targets.

    Args:
        step_net: f_θ, (B, K, L) [, t/T] -> (B, K, L) in the domain's features.
        steps: T, the number of refinement steps trained.
        schedule: "quadratic" (the seed's t²/T²), "linear", "cosine" or "power".
        power: the exponent of the power schedule.
        parameterisation: "residual" or "increment".
        domain: `Waveform()` (default), `ComplexSTFT(...)` or `MagnitudeSTFT(...)`.
        final_weight: loss weight of the last step relative to the others (1 = uniform).
        loss: "domain" (squared distance of the features) or "stft_magnitude" (of the
            decoded audio's STFT magnitudes).
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
    ):
        super().__init__()
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
        if parameterisation not in PARAMETERISATIONS:
            raise ValueError(
                f"parameterisation must be one of {PARAMETERISATIONS}, got {parameterisation!r}"
            )
        if final_weight <= 0:
            raise ValueError(f"final_weight must be > 0, got {final_weight}")
        self.step_net, self.steps, self.parameterisation = step_net, steps, parameterisation
        self.domain = domain if domain is not None else Waveform()
        self.loss_stft = MagnitudeSTFT(**LOSS_STFT) if loss == "stft_magnitude" else None
        # The schedule in float64, outside .to()/.double(): cast where used, never rounded twice.
        fn = make_schedule(schedule, power)
        weights = torch.ones(steps, dtype=torch.float64)
        weights[-1] = final_weight
        self.fractions = removed_fractions(fn, steps)  # (T+1,) s(t/T)
        self.etas = step_fractions(fn, steps)  # (T,) η_t
        self.weights = weights / weights.sum()  # (T,) w_t

    # --- targets and one step -------------------------------------------------------------

    def targets(self, noisy: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """Domain features of y_t = x − s(t/T)·ω for t = 0 … T: (B, C, T) x2 -> (T+1, B, K, L)."""
        fractions = self.fractions.to(noisy)[:, None, None, None]  # (T+1, 1, 1, 1)
        waves = noisy[None] - fractions * noise[None]  # (T+1, B, C, T)
        features = self.domain.encode(waves.flatten(0, 1))  # ((T+1)·B, K, L)
        return features.unflatten(0, (self.steps + 1, noisy.shape[0]))

    def eta(self, t: int, eta: float | None = None) -> float:
        """The step fraction of step t (1-based): η_t within the schedule, 1 beyond it, or the
        constant `eta` when given; for the increment parameterisation 1 unless `eta` is given."""
        if eta is not None:
            return eta
        if self.parameterisation == "increment" or t > self.steps:
            return 1.0
        return self.etas[t - 1].item()

    def _progress(self, t: torch.Tensor | int, batch: int, like: torch.Tensor):
        """t/T per example when the step network is conditioned on it, else None: (B,)."""
        if not self.step_net.condition:
            return None
        t = torch.as_tensor(t, dtype=like.dtype, device=like.device)
        return (t / self.steps).expand(batch) if t.dim() == 0 else t / self.steps

    @property
    def recurrent(self) -> bool:
        """Whether the step network carries a state from step to step (seed 003's patch RNN)."""
        return getattr(self.step_net, "recurrent", False)

    def step(
        self, x: torch.Tensor, t: int, eta: float | None = None, state: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(x̂_t, state after step t) from x̂_{t−1}, (B, K, L), and the state after step t − 1
        (None before the first step, and always for memoryless step networks)."""
        progress = self._progress(t, x.shape[0], x)
        if self.recurrent:
            update, state = self.step_net(x, progress, state)
        else:
            update = self.step_net(x, progress)
        return x - self.eta(t, eta) * update, state

    # --- training -------------------------------------------------------------------------

    def _distance(self, a: torch.Tensor, b: torch.Tensor, noisy: torch.Tensor) -> torch.Tensor:
        """Squared distance per example of two iterates (B, K, L): in the features, or between
        the STFT magnitudes of their audio (decoded with the noisy input (B, C, T)). -> (B,)"""
        if self.loss_stft is not None:
            a = self.loss_stft.encode(self.domain.decode(a, noisy))  # (B, C·F, L')
            b = self.loss_stft.encode(self.domain.decode(b, noisy))
        return (a - b).square().sum((1, 2))

    def training_losses(
        self,
        noisy: torch.Tensor,
        noise: torch.Tensor,
        mode: str = "full",
        segment: int | None = None,
        checkpoint: bool = False,
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Yield the loss E in segments: (partial loss, its steps' errors ‖x̂_t − y_t‖²/‖ω‖²).

        noisy, noise (B, C, T). Call backward on each partial loss before asking for the next:
        their sum is E, and the errors of all segments together are the T per-step errors
        (batch means, detached). `segment`: steps per segment for "truncated" (required) and
        "teacher_forced" (default: all T in one batch).
        """
        if mode not in TRAINING_MODES:
            raise ValueError(f"mode must be one of {TRAINING_MODES}, got {mode!r}")
        if mode == "truncated" and not segment:
            raise ValueError("truncated training needs segment = steps between detaches")
        with torch.no_grad():
            targets = self.targets(noisy, noise)  # (T+1, B, K, L)
            energy = self._distance(targets[0], targets[-1], noisy)  # (B,) ‖ω‖² in the loss space
            energy = energy.clamp(min=1e-8 * targets[0, 0].numel())
        if mode == "teacher_forced":
            if self.recurrent:
                raise ValueError(
                    "teacher forcing feeds each step its target, but this step network carries "
                    "a state from step to step: train it with mode full or truncated"
                )
            yield from self._teacher_forced(targets, energy, noisy, segment or self.steps)
            return

        x, state, loss, errors = targets[0], None, 0.0, []
        for t in range(1, self.steps + 1):
            if checkpoint:
                x, state = recompute(self.step, x, t, None, state, use_reentrant=False)
            else:
                x, state = self.step(x, t, state=state)
            error = (self._distance(x, targets[t], noisy) / energy).mean()
            weight = self.weights[t - 1].to(error)
            loss, errors = loss + weight * error, errors + [error.detach()]
            if mode == "truncated" and t % segment == 0 and t < self.steps:
                yield loss, torch.stack(errors)
                x, loss, errors = x.detach(), 0.0, []
                state = None if state is None else state.detach()
        yield loss, torch.stack(errors)

    def _teacher_forced(
        self, targets: torch.Tensor, energy: torch.Tensor, noisy: torch.Tensor, segment: int
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        batch = targets.shape[1]
        for start in range(1, self.steps + 1, segment):
            t = torch.arange(start, min(start + segment, self.steps + 1))  # steps in this batch
            inputs = targets[t - 1].flatten(0, 1)  # (n·B, K, L): every step from the true y_{t−1}
            progress = self._progress(t.repeat_interleave(batch), inputs.shape[0], inputs)
            update = self.step_net(inputs, progress).unflatten(0, (len(t), batch))
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
    ) -> RefineResult:
        """Denoise audio (B, C, T): `steps` fixed steps (default T), or until ‖Δx‖/‖x‖ < tol
        with at most `max_steps`; `eta` makes every step the constant-η iteration; `patience`
        arms the divergence guard (None: off)."""
        if steps is not None and tol is not None:
            raise ValueError("give either steps (a fixed count) or tol (until convergence)")
        limit = max_steps if tol is not None else (self.steps if steps is None else steps)
        if limit < 0:
            raise ValueError(f"the number of steps must be >= 0, got {limit}")
        x = self.domain.encode(noisy)  # (B, K, L)
        batch = x.shape[0]
        flags = dict(dtype=torch.bool, device=x.device)
        active, diverged = torch.ones(batch, **flags), torch.zeros(batch, **flags)
        taken = torch.zeros(batch, dtype=torch.long, device=x.device)
        rising = torch.zeros(batch, dtype=torch.long, device=x.device)
        best, best_norm = x.clone(), x.new_full((batch,), float("inf"))
        previous = x.new_full((batch,), float("inf"))
        norms, path = [], [x] if return_trajectory else None

        state = None
        for t in range(1, limit + 1):
            proposal, proposed_state = self.step(x, t, eta, state)
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
            if patience is not None and (eta is not None or t > self.steps):  # constant-η step
                rising = torch.where(active & (size > previous), rising + 1, 0)
                improved = active & (size < best_norm)
                best[improved], best_norm[improved] = x[improved], size[improved]
                stop = active & (rising >= patience)
                x[stop], diverged, active = best[stop], diverged | stop, active & ~stop
            previous = torch.where(active, size, previous)
            if tol is not None:
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
            trajectory=[decode(z, noisy) for z in path] if return_trajectory else None,
        )
