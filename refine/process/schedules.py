"""Noise-removal schedules: how much of the noise ω the per-step targets have removed.

A schedule is a function s: [0, 1] -> [0, 1] with s(0) = 0 and s(1) = 1. For T refinement
steps the targets are

    y_t = x − s(t/T)·ω,   t = 0 … T      (y_0 = x, y_T = the clean signal)

The seed question's targets are the quadratic schedule, s(u) = u² (y_t = x − (t²/T²)·ω):
early steps remove little, late steps a lot. Each schedule is one function; everything else
(targets, increments, residual step fractions) is derived from it in `refine.process.refiner`.
"""

import math
from collections.abc import Callable
from functools import partial

import torch

Schedule = Callable[[torch.Tensor], torch.Tensor]


def quadratic(u: torch.Tensor) -> torch.Tensor:
    """s(u) = u², the conv-RNN question's targets y_t = x − (t²/T²)·ω."""
    return u**2


def linear(u: torch.Tensor) -> torch.Tensor:
    """s(u) = u: every step removes the same amount of noise."""
    return u


def cosine(u: torch.Tensor) -> torch.Tensor:
    """s(u) = (1 − cos πu)/2: gentle first and last steps, fast in the middle."""
    return (1 - torch.cos(math.pi * u)) / 2


def power(u: torch.Tensor, p: float) -> torch.Tensor:
    """s(u) = u^p: p = 1 is linear, p = 2 quadratic, larger p backloads the removal."""
    return u**p


def make_schedule(name: str, p: float = 2.0) -> Schedule:
    """The schedule called `name` ("quadratic", "linear", "cosine" or "power" with exponent p)."""
    schedules: dict[str, Schedule] = {
        "quadratic": quadratic,
        "linear": linear,
        "cosine": cosine,
        "power": partial(power, p=p),
    }
    if name not in schedules:
        raise ValueError(f"unknown schedule {name!r}: choose one of {sorted(schedules)}")
    if name == "power" and p <= 0:
        raise ValueError(f"the power schedule needs p > 0, got {p}")
    return schedules[name]


def removed_fractions(schedule: Schedule, steps: int) -> torch.Tensor:
    """s(t/T) for t = 0 … T in float64: (T+1,), from exactly 0 to exactly 1."""
    if steps < 1:
        raise ValueError(f"the number of refinement steps must be >= 1, got {steps}")
    fractions = schedule(torch.arange(steps + 1, dtype=torch.float64) / steps)
    fractions[0], fractions[-1] = 0.0, 1.0
    if (fractions.diff() < 0).any():
        raise ValueError("a schedule must never put noise back: s(t/T) must not decrease")
    return fractions


def step_fractions(schedule: Schedule, steps: int) -> torch.Tensor:
    """η_t for the residual parameterisation: the share of the remaining noise step t removes,
    η_t = (s(t/T) − s((t−1)/T)) / (1 − s((t−1)/T)), t = 1 … T: (T,), with η_T = 1.

    For the quadratic schedule this is (2t − 1)/(T² − (t − 1)²).
    """
    fractions = removed_fractions(schedule, steps)
    return fractions.diff() / (1 - fractions[:-1])


def past_fraction(k: int, decay: float) -> float:
    """η_{T+k}, the step fraction of the k-th step past T (k >= 1): decay^k.

    With decay = 1 every step past T is the plain fixed-point step x ← x − f(x); as decay
    goes to 0 the iteration stops at T. In between the fractions ρ, ρ², … sum to
    ρ/(1 − ρ), so the steps past T together move the iterate by a bounded amount whatever
    the step network does there: with the bounded mask (x ⊙ (1 − η·m), m in [0, 1])
    x̂_{T+k} = x̂_T ⊙ Π_j (1 − ρ^j·m_j) is an absolutely convergent product, so the iteration
    converges, and the relative update falls at least as fast as ρ^k. What the network
    learned to do past T still acts, weighted down step by step. An update that can grow
    the iterate (the affine one) has no such bound: its update relative to the iterate can
    grow faster than ρ^k shrinks.
    """
    if k < 1:
        raise ValueError(f"steps past T count from 1, got {k}")
    return decay**k
