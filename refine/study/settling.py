"""Does the refinement settle? The three measures of a convergent iteration, from one
evaluation's per-step curve, per-clip update norms and until-convergence runs:

- holds: past the trained T, no step falls far below the best step before it (the worst
  drop below the running best, in dB), and the relative update ‖Δx‖/‖x‖ keeps falling:
  the share of clips below 1e-3 by t = 4T, the median update at 4T and at the last step;
- stops by itself: for each tolerance, the share of clips whose `tol` iteration converged
  (not stopped by the step bound or the divergence guard), its mean steps against the
  smallest fixed count within δ of the best step, and its SI-SDR loss against that best;
- the divergence guard never fires.

`refine-eval` writes these into summary.json ("settling"); experiments/convergence tabulates
them over variants.
"""

import math

import numpy as np

from refine.study.choose import best_step, knee_step

SETTLED = 1e-3  # a relative update below this counts as settled


def worst_drop(curve: list[float | None], trained_steps: int) -> float | None:
    """max over t > T of (best of steps ≤ t − 1) − value at t, in dB (0: never below the
    best so far; None when no step past T is recorded). A missing value (a diverged mean)
    counts as an infinite drop."""
    if len(curve) <= trained_steps + 1:
        return None
    running, worst = -math.inf, 0.0
    for t, value in enumerate(curve):
        if t > trained_steps:
            worst = max(worst, math.inf if value is None else running - value)
        if value is not None:
            running = max(running, value)
    return worst


def update_statistics(update_norms: np.ndarray, trained_steps: int) -> dict:
    """From per-clip relative updates (N+1, E) (NaN at t = 0): the share of clips below
    SETTLED at t = 4T (or the last step, if fewer were run), the median update there and at
    the last step, and the step they refer to."""
    last = update_norms.shape[0] - 1
    at = min(4 * trained_steps, last)
    early, final = update_norms[at], update_norms[last]
    return {
        "step": at,
        "share_settled": float(np.mean(early < SETTLED)),
        "median_update": _finite(np.median(early)),  # None once any clip has blown up
        "median_update_at_last_step": _finite(np.median(final)),
        "last_step": last,
    }


def _finite(value) -> float | None:
    """JSON has no NaN or infinity: an unbounded or undefined value is null."""
    return float(value) if np.isfinite(value) else None


def stopping(runs: list[dict], curve: list[float | None], delta_db: float) -> list[dict]:
    """Per tolerance run {"tol", "mean_steps", "converged", "si_sdr", "diverged"}: its loss
    against the best fixed step count and its saving against the smallest fixed count within
    delta_db of the best (the count a user would fix)."""
    best = best_step(curve)
    fixed = knee_step(curve, delta_db)
    rows = []
    for run in runs:
        loss = None if run["si_sdr"] is None else curve[best] - run["si_sdr"]
        rows.append(
            {
                "tol": run["tol"],
                "converged": run["converged"],
                "mean_steps": run["mean_steps"],
                "fixed_steps": fixed,
                "saving": 1 - run["mean_steps"] / fixed if fixed else None,
                "loss_db": None if loss is None else round(loss, 4),
                "diverged": run["diverged"],
            }
        )
    return rows


def settling(
    curve: list[float | None],
    update_norms: np.ndarray,
    runs: list[dict],
    trained_steps: int,
    delta_db: float = 0.1,
) -> dict:
    """The summary: holds, stops by itself, and whether the guard fired anywhere."""
    drop = worst_drop(curve, trained_steps)
    return {
        "worst_drop_past_T_db": None if drop is None or math.isinf(drop) else round(drop, 4),
        "collapsed_past_T": drop is not None and math.isinf(drop),
        "updates": update_statistics(update_norms, trained_steps),
        "delta_db": delta_db,
        "tolerances": stopping(runs, curve, delta_db),
        "guard_fired": sum(run["diverged"] for run in runs),
    }
