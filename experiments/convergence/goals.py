"""The convergence issue's three goals, one row per variant, from the refine-eval summaries
(summary.json's "settling" section), so the table is redrawn without running anything.

    python experiments/convergence/goals.py experiments/convergence as_is mask_extra ...

writes OUT/goals.md and OUT/goals.csv (without variants: every OUT/<set>/model). Goals (the
issue's):
1. holds: from T to 8T no step more than 0.1 dB below the best step before it; the relative
   update below 1e-3 by t = 4T on at least 95 % of clips, and still falling at 8T (or at
   float32's rounding floor, where a fixed point ends); the divergence guard never fires;
2. stops by itself: a tolerance whose iteration converges on at least 99 % of clips, with
   mean steps at least 30 % below the first fixed count within 0.1 dB of the best, losing at
   most 0.1 dB of mean SI-SDR (the row shows the tolerance that saves most within that loss);
3. loses nothing at T: SI-SDR at T at least the main job's before this work (12.19 dB).
"""

import argparse
import json
from pathlib import Path

from refine.tables import write_tables

REFERENCE_AT_T = 12.19  # dB: the main job's SI-SDR at T before the convergence work
# A relative update this small is float32 rounding: an iterate at its fixed point moves by an
# ulp or two per step and cannot fall further (a contraction at a constant step ends there).
FLOAT32_FLOOR = 1e-6


def best_tolerance(tolerances: list[dict], max_loss_db: float = 0.1) -> dict | None:
    """The tolerance with the largest saving among those within max_loss_db of the best
    fixed count; None when none is."""
    good = [r for r in tolerances if r["loss_db"] is not None and r["loss_db"] <= max_loss_db]
    return max(good, key=lambda r: r["saving"]) if good else None


def row(label: str, folder: Path) -> dict:
    summary = json.loads((folder / "summary.json").read_text())
    records = json.loads((folder / "per_step.json").read_text())
    settling, trained = summary["settling"], summary["trained_steps"]
    updates = settling["updates"]
    at_t = records[trained]["si_sdr"]
    best = max(r["si_sdr"] for r in records if r["si_sdr"] is not None)
    drop = settling["worst_drop_past_T_db"]
    chosen = best_tolerance(settling["tolerances"])
    holds = (
        drop is not None
        and drop <= 0.1
        and updates["share_settled"] >= 0.95
        and updates["median_update_at_last_step"] is not None
        and (  # still falling at 8T, or already a fixed point (exact, or to float32)
            updates["median_update_at_last_step"] < updates["median_update"]
            or updates["median_update_at_last_step"] <= FLOAT32_FLOOR
        )
        and settling["guard_fired"] == 0
    )
    stops = chosen is not None and chosen["converged"] >= 0.99 and chosen["saving"] >= 0.3
    return {
        "variant": label,
        "SI-SDR at T": f"{at_t:.2f}",
        "best (dB)": f"{best:.2f}",
        "worst drop past T (dB)": "collapse" if drop is None else f"{drop:.2f}",
        f"settled at {updates['step']} (share < 1e-3)": f"{updates['share_settled']:.0%}",
        f"median update at {updates['step']} → {updates['last_step']}": " → ".join(
            "–" if u is None else f"{u:.1e}"
            for u in (updates["median_update"], updates["median_update_at_last_step"])
        ),
        "guard fired": settling["guard_fired"],
        "1 holds": "yes" if holds else "no",
        "tol": "–" if chosen is None else f"{chosen['tol']:g}",
        "converged": "–" if chosen is None else f"{chosen['converged']:.0%}",
        "steps vs fixed": "–"
        if chosen is None
        else f"{chosen['mean_steps']:.1f} vs {chosen['fixed_steps']} ({chosen['saving']:+.0%})",
        "loss (dB)": "–" if chosen is None else f"{chosen['loss_db']:.2f}",
        "2 stops": "yes" if stops else "no",
        "3 at T": "yes" if round(at_t, 2) >= REFERENCE_AT_T else "no",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the experiment folder: OUT/<variant>/summary.json")
    parser.add_argument(
        "variants", nargs="*",
        help="variant folders under OUT, in table order (default: every OUT/<set>/model, as "
        "eval_real.sh writes them, sorted)",
    )  # fmt: skip
    args = parser.parse_args()
    variants = args.variants or sorted(p.relative_to(args.out).as_posix()
                                       for p in args.out.glob("*/model"))  # fmt: skip
    rows = [row(name, args.out / name) for name in variants]
    print(write_tables(rows, args.out / "goals"), end="")


if __name__ == "__main__":
    main()
