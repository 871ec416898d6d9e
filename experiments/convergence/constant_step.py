"""Goal 2 at a constant step, from the records of `constant_step.sh`: does each network hold
when respaced to one step and run on at η = 1, and does its tolerance stop easy clips earlier?

    python experiments/convergence/constant_step.py experiments/convergence/constant_step \
        main main/wide_decay wide_snr wide_snr20 past_t both past_t_inject wide_noisy noisy \
        wide_noisy_seed1 wide_noisy_seed2 wide_capped \
        --figure-skip wide_noisy_seed1 wide_noisy_seed2

Reads OUT/NAME/wide/, or OUT/NAME/ where it holds the records itself (main/wide_decay):
refine-eval on the wide test set (−5 to 30 dB, per-step records to 32 and the tolerance
runs). Writes OUT/holds.md (.csv): per network, the mean SI-SDR after the
jump (step 1), its best fixed count, where it stands at 32 and the largest drop below the
best step before it, how far its relative update has fallen, the share of clips each
tolerance run converges on, and the convergence issue's goal 2 on these clips (a tolerance
within 0.1 dB of the best mean, converging on 99 % of clips, at least 30 % below the first
fixed count within 0.1 dB of the best); and OUT/stops.md (.csv):
per network and input SNR, the tolerance runs' mean steps and SI-SDR against the best fixed
count on the same clips. Under each, Spearman's ρ between a clip's input SNR and its steps
(positive: easier clips take more steps); OUT/stops_tol_1e-2.md, the tolerance 10⁻² by
input SNR in one row per network. OUT/by_snr.png: per network, the mean SI-SDR
against the step and the median relative update on a log axis, one curve per input SNR.
"""

import argparse
import sys
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

import matplotlib
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

from refine.study.records import EvalFolderError, read_csv
from refine.tables import write_tables

sys.path.insert(0, str(Path(__file__).parent))
from stop_by_kind import spearman  # noqa: E402


class WideSet(NamedTuple):
    """One network's records on the wide set, read once: per clip its SI-SDR and relative
    update per step and its input SNR, and the tolerance runs (convergence.csv's rows)."""

    si_sdr: dict
    update: dict
    snr: dict
    stops: list[dict]

    def levels(self) -> list[float]:
        return sorted(set(self.snr.values()))

    def clips_at(self, level: float) -> list[str]:
        return sorted(c for c in self.si_sdr if self.snr[c] == level)


def load(folder: Path) -> WideSet:
    columns = ("clip", "input_snr_db", "step", "si_sdr", "update_norm")
    si_sdr, update, snr = defaultdict(dict), defaultdict(dict), {}
    for row in read_csv(folder / "per_clip.csv", columns):
        clip, step = row["clip"], int(row["step"])
        si_sdr[clip][step] = float(row["si_sdr"])
        update[clip][step] = float(row["update_norm"]) if row["update_norm"] else float("nan")
        snr[clip] = float(row["input_snr_db"])
    stops = read_csv(folder / "convergence.csv", ("clip", "tol", "steps", "converged", "si_sdr"))
    return WideSet(si_sdr, update, snr, stops)


def tolerances(stops: list[dict]) -> list[float]:
    """The tolerances of the runs, loosest first."""
    return sorted({float(r["tol"]) for r in stops}, reverse=True)


def stop_means(stops: list[dict], tol: float, clips: list[str] | None = None) -> dict:
    """One tolerance run over the clips (all when None): converged share, mean steps and
    mean SI-SDR where it stopped."""
    rows = [r for r in stops if float(r["tol"]) == tol and (clips is None or r["clip"] in clips)]
    return {
        "tol": tol,
        "converged": sum(int(r["converged"]) for r in rows) / len(rows),
        "steps": sum(int(r["steps"]) for r in rows) / len(rows),
        "si_sdr": sum(float(r["si_sdr"]) for r in rows) / len(rows),
    }


def rank_correlation(wide: WideSet, tol: float) -> float:
    """Spearman's ρ between a clip's input SNR and its steps under one tolerance."""
    rows = [r for r in wide.stops if float(r["tol"]) == tol]
    return spearman([wide.snr[r["clip"]] for r in rows], [float(r["steps"]) for r in rows])


def curve(values: dict, clips: list[str]) -> torch.Tensor:
    """The mean over clips per step: (steps + 1,)."""
    last = max(values[clips[0]])
    return torch.tensor([[values[c][t] for t in range(last + 1)] for c in clips]).mean(0)


def goal_2(mean: torch.Tensor, runs: list[dict]) -> str:
    """The convergence issue's goal 2 on these clips: the tolerance with the largest saving
    against the first fixed count within 0.1 dB of the best, among those within 0.1 dB of
    the best and converging on at least 99 % of clips; or why none is."""
    best = mean[1:].max()
    count = int((mean[1:] >= best - 0.1).nonzero()[0]) + 1
    good = [r for r in runs if r["si_sdr"] >= best - 0.1 and r["converged"] >= 0.99]
    if not good:
        return f"none within 0.1 dB of the best with 99 % converged (fixed count {count})"
    run = min(good, key=lambda r: r["steps"])
    saving = 1 - run["steps"] / count
    verdict = "met" if saving >= 0.3 else "not met"
    return (
        f"{verdict}: tol {run['tol']:g}, {run['steps']:.2f} steps vs {count} fixed "
        f"({saving:+.0%}), {best - run['si_sdr']:.2f} dB below the best"
    )


def holds_row(name: str, wide: WideSet) -> dict:
    clips = sorted(wide.si_sdr)
    mean = curve(wide.si_sdr, clips)
    best_so_far = mean.cummax(0).values
    best = int(mean[1:].argmax()) + 1
    last = len(mean) - 1
    updates = torch.tensor([[wide.update[c][t] for t in (8, last)] for c in clips])
    runs = [stop_means(wide.stops, tol) for tol in tolerances(wide.stops)]
    return {
        "network": name,
        "after the jump (dB)": f"{mean[1]:.2f}",
        "best: step, dB": f"{best}, {mean[best]:.2f}",
        f"at {last} (dB)": f"{mean[last]:.2f}",
        "worst drop below the best before it (dB)": f"{(best_so_far - mean)[1:].max():.2f}",
        "median update at 8 → 32": f"{updates[:, 0].median():.1e} → {updates[:, 1].median():.1e}",
        "settled at 32 (< 1e-3)": f"{(updates[:, 1] < 1e-3).float().mean():.0%}",
        "converged per tolerance": ", ".join(f"{r['converged']:.0%}" for r in runs),
        "goal 2": goal_2(mean, runs),
    }


def stop_rows(name: str, wide: WideSet) -> tuple[list[dict], str]:
    """One row per input SNR: the best fixed count's SI-SDR on those clips and each tolerance
    run's steps and SI-SDR; and a line of Spearman's ρ per tolerance."""
    rows = []
    for level in wide.levels():
        clips = wide.clips_at(level)
        mean = curve(wide.si_sdr, clips)
        best = int(mean[1:].argmax()) + 1
        row = {
            "network": name,
            "input": f"{level:g} dB",
            "clips": len(clips),
            "noisy (dB)": f"{mean[0]:.2f}",
            "best fixed: steps, dB": f"{best}, {mean[best]:.2f}",
        }
        for tol in tolerances(wide.stops):
            run = stop_means(wide.stops, tol, clips)
            row[f"tol {tol:g}: steps, dB"] = f"{run['steps']:.2f}, {run['si_sdr']:.2f}"
        rows.append(row)
    notes = [
        f"{name}, tol {tol:g}: ρ(input SNR, steps) = {rank_correlation(wide, tol):+.2f}"
        for tol in tolerances(wide.stops)
    ]
    return rows, "; ".join(notes)


def figure(out: Path, sets: dict[str, WideSet]) -> None:
    """One column per network: SI-SDR relative to the jump (step 1) and the median relative
    update, against the step, one curve per input SNR."""
    fig, axes = plt.subplots(2, len(sets), figsize=(3.2 * len(sets), 6), sharex=True)
    axes = axes.reshape(2, -1)
    for column, (name, wide) in enumerate(sets.items()):
        levels = wide.levels()
        colours = plt.cm.viridis(torch.linspace(0, 0.9, len(levels)).tolist())
        for level, colour in zip(levels, colours, strict=True):
            clips = wide.clips_at(level)
            mean = curve(wide.si_sdr, clips)
            steps = range(1, len(mean))
            axes[0, column].plot(
                steps, (mean[1:] - mean[1]).tolist(), color=colour, label=f"{level:g} dB"
            )
            medians = [
                torch.tensor([wide.update[c][t] for c in clips]).median().item() for t in steps
            ]
            axes[1, column].semilogy(steps, medians, color=colour)
        axes[0, column].set_title(name)
        axes[0, column].axhline(0, color="grey", lw=0.5)
        axes[1, column].set_xlabel("step (1: the respaced jump)")
    axes[0, 0].set_ylabel("SI-SDR − after the jump (dB)")
    axes[1, 0].set_ylabel("median ‖Δx‖/‖x‖")
    axes[0, -1].legend(title="input SNR", fontsize=8)
    fig.suptitle("after the respaced jump, η = 1 (main/wide_decay: its decay, η = 0.5^k)")
    fig.tight_layout()
    fig.savefig(out / "by_snr.png", dpi=120)
    plt.close(fig)


def pivot_row(name: str, wide: WideSet, tol: float) -> dict:
    """One tolerance's stops by input SNR in one row: mean steps, and in brackets the
    SI-SDR at the stop minus the best fixed count's on the same clips; then Spearman's ρ."""
    row = {"network": name}
    for level in wide.levels():
        clips = wide.clips_at(level)
        best = curve(wide.si_sdr, clips)[1:].max()
        run = stop_means(wide.stops, tol, clips)
        row[f"{level:g} dB"] = f"{run['steps']:.2f} ({run['si_sdr'] - best:+.2f})"
    row["ρ(SNR, steps)"] = f"{rank_correlation(wide, tol):+.2f}"
    return row


def records(out: Path, name: str) -> Path:
    """NAME's wide-set records: OUT/NAME/wide/, or OUT/NAME/ itself (main/wide_decay)."""
    return out / name / "wide" if (out / name / "wide").is_dir() else out / name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="constant_step.sh's records (OUT/NAME/wide/)")
    parser.add_argument("names", nargs="+", help="the networks, as OUT's folders")
    parser.add_argument(
        "--figure-skip", nargs="*", default=[], help="networks left out of by_snr.png (seeds)"
    )
    args = parser.parse_args()
    try:
        sets = {name: load(records(args.out, name)) for name in args.names}
    except (EvalFolderError, FileNotFoundError) as error:
        print(f"{error}: run experiments/convergence/constant_step.sh first", file=sys.stderr)
        return 2
    holds = [holds_row(name, wide) for name, wide in sets.items()]
    stops, notes = [], []
    for name, wide in sets.items():
        rows, note = stop_rows(name, wide)
        stops, notes = stops + rows, notes + [note]
    print(write_tables(holds, args.out / "holds"))
    print(write_tables(stops, args.out / "stops"))
    pivot = [pivot_row(name, wide, 1e-2) for name, wide in sets.items()]
    print(write_tables(pivot, args.out / "stops_tol_1e-2"))
    notes_text = "\n".join(f"- {note}" for note in notes) + "\n"
    (args.out / "stops_spearman.md").write_text(notes_text)
    figure(args.out, {name: wide for name, wide in sets.items() if name not in args.figure_skip})
    print(notes_text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
