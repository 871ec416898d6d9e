"""Do easy clips stop earlier? Goal 2's per-clip question asked of test sets whose clips
differ far more than the synthetic set's 0/5/10 dB white and pink noise: the held-out real
noise (eleven kinds, some removed well and some barely touched).

    python experiments/convergence/stop_by_kind.py \
        experiments/pretrained/decay/real_noise/real_noise --tol 1e-2 1e-3

Reads an eval_real.sh destination (<set>/model/per_clip.csv and summary.json) evaluated at a
fixed count, and derives where the tolerance run would have stopped each clip: refine()'s
rule, the first fixed-point step (past T, or past the respaced count) whose relative update
‖Δx‖/‖x‖ is below tol, is a function of the same trajectory, so a fixed-count record of
the update norms answers it without another pass over the files (a clip that never falls
below tol runs to the last recorded step and counts as not converged). The divergence
guard is not modelled: a clip it stops ends earlier in the tolerance run. Where the records
hold real tolerance runs as well (summary.json's convergence), their mean steps and guard
stops are printed beside the derived steps: the check that the two agree.

Writes to stdout a table per set and input SNR (mean steps per tolerance, SI-SDR at the
stop against at T, paired per clip), then how much the steps vary between sets and input
SNRs and how they follow the clip's difficulty (Spearman's ρ between a clip's steps and its
SI-SDR gain at T).
"""

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import torch

from refine.study.metrics import mean_with_interval
from refine.study.records import EvalFolderError, read_csv


class Clip:
    """One clip's per-step SI-SDR and relative update norm (index = step)."""

    def __init__(self, snr: float):
        self.snr, self.si_sdr, self.update = snr, {}, {}

    def stop(self, tol: float, first_fixed: int) -> tuple[int, bool]:
        """(steps taken, converged) under refine()'s tolerance rule."""
        last = max(self.si_sdr)
        for t in range(first_fixed, last + 1):
            if self.update.get(t) is not None and self.update[t] < tol:
                return t, True
        return last, False


def load_set(folder: Path) -> tuple[dict, dict[str, Clip]]:
    """A set's summary and its clips, from <set>/model/."""
    summary = json.loads((folder / "summary.json").read_text())
    clips: dict[str, Clip] = {}
    columns = ("clip", "input_snr_db", "step", "si_sdr", "update_norm")
    for row in read_csv(folder / "per_clip.csv", columns):
        clip = clips.setdefault(row["clip"], Clip(float(row["input_snr_db"])))
        step = int(row["step"])
        clip.si_sdr[step] = float(row["si_sdr"])
        clip.update[step] = float(row["update_norm"]) if row["update_norm"] else None
    return summary, clips


def fixed_point_start(summary: dict) -> int:
    """The first step the tolerance watches: past the (respaced) schedule."""
    return summary["trained_steps"] + 1


def spearman(a: list[float], b: list[float]) -> float:
    """Rank correlation of two equal-length lists (ties ranked by order: the steps tie
    often, so this understates a monotone relation a little)."""
    ranks = [torch.tensor(v, dtype=torch.float64).argsort().argsort().double() for v in (a, b)]
    return float(torch.corrcoef(torch.stack(ranks))[0, 1])


def cell(interval: tuple[float, float, float]) -> str:
    mean, low, high = interval
    return f"{mean:+.2f} [{low:+.2f}, {high:+.2f}]"


def table(root: Path, tolerances: list[float]) -> str:
    sets = sorted(p.parent for p in root.glob("*/model/summary.json"))
    if not sets:
        raise SystemExit(f"{root}: no eval_real.sh records (<set>/model/summary.json) under it")
    header = ["test set", "input", "clips"]
    for tol in tolerances:
        header += [f"tol {tol:g}: steps (converged)", "at the stop − at T (dB)"]
    lines = ["| " + " | ".join(header) + " |", "|---|---|--:|" + "--:|--:|" * len(tolerances)]
    steps_by = {tol: defaultdict(list) for tol in tolerances}  # tol -> (set, SNR) -> steps
    difficulty: dict[float, tuple[list, list]] = {tol: ([], []) for tol in tolerances}
    checks = []
    for folder in sets:
        summary, clips = load_set(folder)
        first, trained = fixed_point_start(summary), summary["trained_steps"]
        name = folder.parent.name
        recorded = {run["tol"]: run for run in summary.get("convergence", [])}
        for snr in sorted({c.snr for c in clips.values()}):
            group = [c for c in clips.values() if c.snr == snr]
            cells = [name, f"{snr:g} dB", str(len(group))]
            for tol in tolerances:
                stops = [c.stop(tol, first) for c in group]
                steps = [s for s, _ in stops]
                converged = sum(ok for _, ok in stops) / len(stops)
                gained = torch.tensor(
                    [c.si_sdr[s] - c.si_sdr[trained] for c, s in zip(group, steps, strict=True)]
                )
                cells += [
                    f"{sum(steps) / len(steps):.2f} ({converged:.0%})",
                    cell(mean_with_interval(gained)),
                ]
                steps_by[tol][(name, snr)] += steps
                difficulty[tol][0].extend(steps)
                difficulty[tol][1].extend(c.si_sdr[trained] - c.si_sdr[0] for c in group)
            lines.append("| " + " | ".join(cells) + " |")
        for tol in tolerances:
            if tol in recorded:
                derived = [c.stop(tol, first)[0] for c in clips.values()]
                checks.append(
                    f"{name}, tol {tol:g}: derived {sum(derived) / len(derived):.3f} steps, "
                    f"the tolerance run's {recorded[tol]['mean_steps']:.3f} (the guard stopped "
                    f"{recorded[tol]['diverged']} of {len(derived)} clips)"
                )
    lines.append("")
    for tol in tolerances:
        means = {key: sum(v) / len(v) for key, v in steps_by[tol].items()}
        by_snr = defaultdict(list)
        for (_, snr), steps in steps_by[tol].items():
            by_snr[snr] += steps
        snr_text = ", ".join(f"{s:g} dB {sum(v) / len(v):.2f}" for s, v in sorted(by_snr.items()))
        lines.append(
            f"- tol {tol:g}: mean steps per set and SNR from {min(means.values()):.2f} to "
            f"{max(means.values()):.2f}; by input SNR {snr_text}; Spearman's ρ between a "
            f"clip's steps and its SI-SDR gain at T {spearman(*difficulty[tol]):+.2f} "
            f"({len(difficulty[tol][0])} clips)."
        )
    if checks:
        lines += ["", "Derived against recorded tolerance runs:", ""]
        lines += [f"- {c}" for c in checks]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("records", type=Path, help="an eval_real.sh destination")
    parser.add_argument("--tol", type=float, nargs="+", default=[1e-2, 1e-3])
    args = parser.parse_args()
    if any(not 0 < tol < 1 for tol in args.tol):
        print(f"--tol takes relative updates in (0, 1), got {args.tol}", file=sys.stderr)
        return 2
    try:
        print(table(args.records, args.tol), end="")
    except EvalFolderError as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
