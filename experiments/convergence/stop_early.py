"""Goal 2 revisited: one set of weights run its trained way (the schedule's T steps, then the
fixed-point steps past T) against the same weights respaced to one step and run on past it
(`refine-eval schedule_steps=1`): where the tolerance stops, how many steps it takes, and
what that saves against the fixed counts a user would otherwise choose.

    python experiments/convergence/stop_early.py \
        "default recipe, synthetic" experiments/anytime/T8 experiments/anytime/iterated \
        "real_noise fifth restart, real" experiments/pretrained/real2_model/real \
            experiments/pretrained/iterated/real2/real

Each evaluation is a refine-eval folder (per_step.json, summary.json) or an eval_real.sh
destination (one <set>/model/ folder per test set, pooled clip-weighted). For each model:
the best mean SI-SDR over both ways of running it, the smallest fixed count within 0.1 dB of
that best in each way, and per tolerance of the respaced run: the share of clips that
converged, mean steps, SI-SDR, the loss against the best and the saving against each fixed
count; then the chosen tolerance's steps by input SNR and by test set or noise kind.
"""

import argparse
import json
import sys
from pathlib import Path

DELTA_DB = 0.1  # the "within 0.1 dB of the best"


class Evaluation:
    """A model's per-step mean SI-SDR and tolerance runs, pooled over its test sets."""

    def __init__(self, folder: Path):
        if (folder / "summary.json").is_file():
            folders = {"all": folder}
        else:
            folders = {
                p.parent.parent.name: p.parent for p in sorted(folder.glob("*/model/summary.json"))
            }
        if not folders:
            raise SystemExit(f"{folder}: no refine-eval records (summary.json) under it")
        self.summaries = {
            k: json.loads((f / "summary.json").read_text()) for k, f in folders.items()
        }
        steps = [json.loads((f / "per_step.json").read_text()) for f in folders.values()]
        clips = [s["clips"] for s in self.summaries.values()]
        length = min(len(s) for s in steps)
        self.curve = [
            sum(n * s[t]["si_sdr"] for n, s in zip(clips, steps, strict=True)) / sum(clips)
            for t in range(length)
        ]
        self.trained = next(iter(self.summaries.values()))["trained_steps"]

    def first_within(self, best: float) -> int:
        """The smallest fixed step count whose mean is within DELTA_DB of `best`."""
        return next((t for t, v in enumerate(self.curve) if v >= best - DELTA_DB), None)

    def tolerance_runs(self) -> dict[float, dict]:
        """Per tolerance: converged share, mean steps, SI-SDR (clip-weighted over the sets),
        and mean steps per input SNR (rounded to a dB) and per set or noise kind."""
        runs = {}
        for name, summary in self.summaries.items():
            n = summary["clips"]
            for run in summary["convergence"]:
                row = runs.setdefault(
                    run["tol"], {"n": 0, "conv": 0, "steps": 0, "si_sdr": 0, "by": {}}
                )
                row["n"] += n
                row["conv"] += n * run["converged"]
                row["steps"] += n * run["mean_steps"]
                row["si_sdr"] += n * run["si_sdr"]
                # A refine-eval folder's groups are its buckets (input SNR, noise kind); an
                # eval_real.sh set's group is the set itself (its SNR buckets were written
                # before refine-eval binned measured SNRs, and kept one clip per value).
                if name == "all":
                    groups = [(self._snr_or_kind(key), b) for key, b in run["buckets"].items()]
                else:
                    groups = [(name, {"n": n, "mean_steps": run["mean_steps"]})]
                for group, bucket in groups:
                    total = row["by"].setdefault(group, [0, 0.0])
                    total[0] += bucket["n"]
                    total[1] += bucket["n"] * bucket["mean_steps"]
        return runs

    @staticmethod
    def _snr_or_kind(key: str) -> str:
        """A bucket's name: "5dB" as "5 dB", a noise kind as it is."""
        return f"{round(float(key[:-2])):g} dB" if key.endswith("dB") else key


def table(label: str, trained: Evaluation, respaced: Evaluation) -> str:
    best = max(max(trained.curve), max(respaced.curve))
    fixed_trained, fixed_respaced = trained.first_within(best), respaced.first_within(best)
    lines = [
        f"### {label}",
        "",
        f"- best mean SI-SDR of either way: {best:.2f} dB; trained way (T = {trained.trained}): "
        f"{trained.curve[trained.trained]:.2f} at T, first within {DELTA_DB} dB of the best at "
        f"{fixed_trained} steps; respaced to one step: {respaced.curve[1]:.2f} after it, first "
        f"within {DELTA_DB} dB at {fixed_respaced} steps",
        "",
        "| tol (respaced run) | converged | mean steps | SI-SDR | loss vs best (dB) | saving vs "
        f"trained way's {fixed_trained} | saving vs respaced way's {fixed_respaced} |",
        "|--:|--:|--:|--:|--:|--:|--:|",
    ]
    runs = respaced.tolerance_runs()
    for tol, r in sorted(runs.items(), reverse=True):
        steps, si_sdr = r["steps"] / r["n"], r["si_sdr"] / r["n"]
        savings = [
            "–" if fixed is None else f"{1 - steps / fixed:+.0%}"
            for fixed in (fixed_trained, fixed_respaced)
        ]
        lines.append(
            f"| {tol:g} | {r['conv'] / r['n']:.0%} | {steps:.2f} | {si_sdr:.2f} | "
            f"{best - si_sdr:.2f} | {savings[0]} | {savings[1]} |"
        )
    loosest = runs[max(runs)]
    groups = loosest["by"]
    lines += [
        "",
        f"Mean steps at tol {max(runs):g}, by input SNR and by test set or noise kind: "
        + ", ".join(f"{k} {steps / n:.2f} ({n})" for k, (n, steps) in groups.items()),
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "triples", nargs="+", help="LABEL TRAINED RESPACED, repeated: eval folders of one model"
    )
    args = parser.parse_args()
    if len(args.triples) % 3:
        print("give LABEL TRAINED_FOLDER RESPACED_FOLDER triples", file=sys.stderr)
        return 2
    triples = [args.triples[i : i + 3] for i in range(0, len(args.triples), 3)]
    for label, trained, respaced in triples:
        print(table(label, Evaluation(Path(trained)), Evaluation(Path(respaced))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
