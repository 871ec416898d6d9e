"""Choosing the number of refinement steps from a per-step evaluation.

All choices read mean per-step curves (index t = 0 … N, t = 0 being the noisy input):
- the best step of a metric;
- the knee: the smallest t within δ dB of the best, where extra steps stop paying;
- the best step within a real-time-factor limit, from the measured real-time factor per step;
- the until-convergence tolerance that stays within δ of the best fixed count with the fewest
  average steps.
"""


def best_step(curve: list[float | None]) -> int:
    """argmax_t of a per-step curve (the earliest on ties); steps without a value (None: a
    diverged refinement whose mean is not finite) are never chosen."""
    steps = [t for t, value in enumerate(curve) if value is not None]
    return max(steps, key=lambda t: (curve[t], -t))


def knee_step(curve: list[float | None], delta_db: float) -> int:
    """The smallest t whose value is within delta_db of the best."""
    target = curve[best_step(curve)] - delta_db
    return next(t for t, value in enumerate(curve) if value is not None and value >= target)


def step_within_rtf(curve: list[float | None], rtf_per_step: float, rtf_limit: float) -> int:
    """The best step among those whose real-time factor t · rtf_per_step fits rtf_limit
    (0, the input itself, when not even one step fits)."""
    affordable = int(rtf_limit // rtf_per_step) if rtf_per_step > 0 else len(curve) - 1
    return best_step(curve[: min(affordable, len(curve) - 1) + 1])


def calibrate_tolerance(
    runs: list[dict], best_fixed_quality: float, best_fixed_steps: int, delta_db: float
) -> dict:
    """The tolerance run with the fewest mean steps whose quality is within delta_db of the
    best fixed step count. `runs`: [{"tol", "mean_steps", "si_sdr"}, …]. Returns
    {"tol", "mean_steps", "si_sdr", "steps_saved"} (tol None when no run qualifies)."""
    good = [
        run
        for run in runs
        if run["si_sdr"] is not None and run["si_sdr"] >= best_fixed_quality - delta_db
    ]
    if not good:
        return {"tol": None, "mean_steps": None, "si_sdr": None, "steps_saved": None}
    chosen = min(good, key=lambda run: (run["mean_steps"], -run["si_sdr"]))
    return {
        "tol": chosen["tol"],
        "mean_steps": chosen["mean_steps"],
        "si_sdr": chosen["si_sdr"],
        "steps_saved": best_fixed_steps - chosen["mean_steps"],
    }
