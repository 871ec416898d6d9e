"""Quality against inference compute: one set of iterative weights at every step budget
against one-shot networks as costly as 1, 2, 4 and 8 of its steps, on the same clips.

    python experiments/anytime/front.py experiments/anytime
    python experiments/anytime/front.py experiments/anytime/real

Reads the records that run.sh copies into the experiment folder (each refine-eval's
per_clip.csv and summary.json; in real/, real.sh's eval_real.sh folders, one per test set):
    T8/                the iterative model (T = 8) evaluated to 8T
    respaced/N<n>/     the same weights with the schedule spread over n < T steps
    iterated/          the same weights respaced to one step, then run on as the
                       fixed-point iteration past it (refine-eval schedule_steps=1)
    S<k>/              one-shot networks costing k steps, trained for the default run's time
    equal_steps/S<k>/  the same, trained for the default run's 1200 optimiser steps
    warm/T8_warm/      T = 8 trained from a one-shot network (half the time each)
and writes front.md (the table, with paired differences on the same clips and their 95 %
t-intervals), front.csv, front.png/pdf (SI-SDR against MACs per second of audio) and
iterating_one_shot.md (inside the one-shot family: a wider network once against a narrower
one run for more steps at the same compute).
"""

import argparse
import csv
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

from refine.study.figures import save_figure  # noqa: E402
from refine.study.metrics import mean_with_interval  # noqa: E402
from refine.study.records import load_clip_scores  # noqa: E402

POINTS = (1, 2, 4, 8)  # compute points: this many steps of the iterative model
PAST_T = (16, 32, 64)  # iterative budgets past T that the table lists


class Records:
    """One model's evaluation: its per-clip SI-SDR at any step and its MACs per step. The
    folder holds one refine-eval's records, or (the real recordings) one eval_real.sh
    folder per test set, <set>/model/, whose clips are told apart by their set."""

    def __init__(self, folder: Path):
        self.folder = folder
        if (folder / "per_clip.csv").is_file():
            self.sets = {(): folder}
        else:
            self.sets = {(p.parent.parent.name,): p.parent for p in Records.by_set(folder)}
        self.summary = json.loads((next(iter(self.sets.values())) / "summary.json").read_text())
        self.macs = self.summary["macs_per_second_per_step"]
        self._scores = {}  # step -> {clip: SI-SDR}, read once

    @staticmethod
    def by_set(folder: Path) -> list[Path]:
        return sorted(folder.glob("*/model/per_clip.csv"))

    @staticmethod
    def present(folder: Path) -> bool:
        return (folder / "per_clip.csv").is_file() or bool(Records.by_set(folder))

    @property
    def test_set(self) -> str:
        return "the synthetic test set" if () in self.sets else "the real recordings"

    def scores(self, step: int) -> dict:
        if step not in self._scores:
            self._scores[step] = {
                prefix + clip: score
                for prefix, records in self.sets.items()
                for clip, score in load_clip_scores(records / "per_clip.csv", step).items()
            }
        if not self._scores[step]:
            raise SystemExit(f"{self.folder}: no clip was evaluated at step {step}")
        return self._scores[step]

    def mean(self, step: int) -> float:
        scores = self.scores(step)
        return sum(scores.values()) / len(scores)

    def curve(self, steps) -> list[tuple[float, float]]:
        """[(MACs per second of audio, mean SI-SDR)] after each of `steps`."""
        return [(step * self.macs, self.mean(step)) for step in steps]


def paired(a: dict, b: dict) -> tuple[float, float, float]:
    """b − a clip by clip: (mean, low, high) of the 95 % t-interval."""
    if a.keys() != b.keys():
        raise SystemExit("two records cover different clips: they cannot be paired")
    clips = sorted(a)
    return mean_with_interval(torch.tensor([b[c] - a[c] for c in clips]))


def iterative_at(root: Path, steps: int) -> Records:
    """The iterative weights' records for a budget of `steps`: respaced below T, else T8."""
    if steps < 8:
        return Records(root / "respaced" / f"N{steps}")
    return Records(root / "T8")


def iterated_records(root: Path) -> Records | None:
    """The weights respaced to one step and iterated (iterated/), when evaluated."""
    return Records(root / "iterated") if Records.present(root / "iterated") else None


def best_use(respaced: Records, iterated: Records | None, steps: int) -> tuple[str, Records]:
    """The iterative weights' better way to spend `steps` steps of the two evaluated, by
    mean SI-SDR: the schedule respaced to `steps` (T: the trained one), or one respaced
    step and fixed-point steps after it. Which one wins differs between the synthetic test
    set and the real recordings, and the table says which it took."""
    if iterated is not None and iterated.mean(steps) > respaced.mean(steps):
        return "iterated", iterated
    return "respaced", respaced


def table_rows(root: Path) -> list[dict]:
    rows, macs, iterated = [], Records(root / "T8").macs, iterated_records(root)
    for k in POINTS:
        respaced = iterative_at(root, k)
        how, iterative = best_use(respaced, iterated, k)
        row = {"steps": k, "macs_m": k * macs / 1e6, "respaced": respaced.mean(k)}
        row["iterative"], row["how"] = iterative.mean(k), how
        if iterated is not None:
            row["iterated"] = iterated.mean(k)
        for name, folder in (
            ("equal_time", root / f"S{k}"),
            ("equal_steps", root / "equal_steps" / f"S{k}"),
        ):
            if not Records.present(folder):
                continue
            one_shot = Records(folder)
            row[name] = one_shot.mean(1)
            row[f"{name}_difference"] = paired(one_shot.scores(1), iterative.scores(k))
        rows.append(row)
    return rows


def cell(value, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, tuple):
        mean, low, high = value
        return f"{mean:+.{digits}f} [{low:+.{digits}f}, {high:+.{digits}f}]"
    return f"{value:.{digits}f}"


def write_table(root: Path, rows: list[dict]) -> str:
    t8 = Records(root / "T8")
    iterated = "iterated" in rows[0]
    columns = (
        "compute",
        "MACs/s (M)",
        "T = 8 weights, schedule respaced to N (T at 8)",
        "T = 8 weights, 1 respaced step + fixed-point steps" if iterated else None,
        "one-shot, equal time",
        "difference",
        "one-shot, equal steps",
        "difference",
    )
    columns = [c for c in columns if c is not None]
    lines = [
        "| " + " | ".join(columns) + " |",
        "|---|" + "--:|" * (len(columns) - 1),
    ]
    for r in rows:
        iterated_cell = f"{cell(r['iterated'])} | " if iterated else ""
        lines.append(
            f"| {r['steps']} step{'s' if r['steps'] > 1 else ''} | {r['macs_m']:.0f} | "
            f"{cell(r['respaced'])} | {iterated_cell}{cell(r.get('equal_time'))} | "
            f"{cell(r.get('equal_time_difference'))} | {cell(r.get('equal_steps'))} | "
            f"{cell(r.get('equal_steps_difference'))} |"
        )
    at_t = t8.scores(8)
    for steps in PAST_T:
        if steps > t8.summary["max_steps"]:
            continue
        past = t8.scores(steps)
        blank = "– | " if iterated else ""
        lines.append(
            f"| {steps} steps (past T) | {steps * t8.macs / 1e6:.0f} | {cell(t8.mean(steps))} | "
            f"{blank}– | {cell(paired(at_t, past))} against T | – | – |"
        )
    warm = root / "warm" / "T8_warm"
    if Records.present(warm):
        start = Records(warm)
        blank = "– | " if iterated else ""
        lines.append(
            f"| warm start: T = 8 from S1, 8 steps | {8 * start.macs / 1e6:.0f} | "
            f"{cell(start.mean(8))} | {blank}– | {cell(paired(at_t, start.scores(8)))} "
            "against T8 | – | – |"
        )
    ways = {"iterated": "1 respaced step + fixed-point steps", "respaced": "respaced"}
    used = ", ".join(f"{r['steps']}: {ways[r['how']]}" for r in rows)
    lines.append(
        f"\nDifferences: the iterative weights' better way at each budget ({used}) − the "
        "one-shot network."
    )
    text = "\n".join(lines) + "\n"
    (root / "front.md").write_text(text)
    with open(root / "front.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        header = ["steps", "macs_m", "respaced", "iterative", "equal_time", "equal_steps"]
        writer.writerow(header)
        for r in rows:
            writer.writerow(
                [r["steps"], round(r["macs_m"], 1), round(r["respaced"], 3)]
                + [round(r["iterated"], 3) if iterated else ""]
                + [round(r[k], 3) if k in r else "" for k in ("equal_time", "equal_steps")]
            )
    return text


def plot(axis, points: list[tuple[float, float]], *style, **options) -> None:
    """A curve through [(MACs, SI-SDR)] points."""
    axis.plot([x for x, _ in points], [y for _, y in points], *style, **options)


def draw(root: Path) -> None:
    t8 = Records(root / "T8")
    below = [
        iterative_at(root, n).curve([n])[0]
        for n in range(1, 8)
        if Records.present(root / "respaced" / f"N{n}")
    ]
    past = t8.curve(range(8, t8.summary["max_steps"] + 1))
    figure, axis = plt.subplots(figsize=(7.5, 4.8))
    label = "iterative T = 8 weights, N steps (N < 8: respaced)"
    plot(axis, below + past, "-", color="C0", lw=2, label=label)
    plot(
        axis, [iterative_at(root, k).curve([k])[0] for k in (1, 2, 4)] + [past[0]], "o", color="C0"
    )
    iterated = iterated_records(root)
    if iterated is not None:
        plot(
            axis,
            iterated.curve(range(1, iterated.summary["max_steps"] + 1)),
            "-",
            color="C4",
            lw=2,
            label="the same weights, 1 respaced step + fixed-point steps",
        )
    for name, folder, style in (
        ("one-shot, equal time", root, dict(color="C1", marker="s", ls="--")),
        ("one-shot, equal steps", root / "equal_steps", dict(color="C2", marker="D", ls=":")),
    ):
        points = [
            Records(folder / f"S{k}").curve([1])[0]
            for k in POINTS
            if Records.present(folder / f"S{k}")
        ]
        if points:
            plot(axis, points, label=name, **style)
    label = "one-shot networks iterated past their step"
    for k in POINTS:
        if Records.present(root / f"S{k}"):
            one_shot = Records(root / f"S{k}")
            last = min(16 // k, one_shot.summary["max_steps"])
            if last < 2:  # evaluated at its one step only (the real recordings)
                continue
            plot(
                axis, one_shot.curve(range(1, last + 1)), color="C1", lw=0.8, alpha=0.6, label=label
            )
            label = None
    warm = root / "warm" / "T8_warm"
    if Records.present(warm):
        start = Records(warm)
        plot(
            axis,
            start.curve(range(8, start.summary["max_steps"] + 1)),
            color="C3",
            label="T = 8 warm-started from a one-shot network",
        )
    axis.set_xscale("log", base=2)
    ticks = [k * t8.macs for k in (1, 2, 4, 8, 16, 32, 64) if k <= t8.summary["max_steps"]]
    axis.set_xticks(ticks, [f"{tick / 1e6:.0f} M" for tick in ticks])
    axis.minorticks_off()
    axis.set_xlabel("inference compute (MACs per second of audio)")
    axis.set_ylabel(f"SI-SDR on {t8.test_set} (dB)")
    axis.set_title(
        f"Quality against inference compute, one training budget ({len(t8.scores(8))} clips)"
    )
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8, loc="center right")
    figure.tight_layout()
    save_figure(figure, root, "front", ["png", "pdf"])


def iterating_one_shot(root: Path) -> str:
    """Width against iteration inside the one-shot family: at each compute point k, the
    network costing k steps applied once against each narrower network S_j run k/j steps
    (its fixed-point steps past its one trained step), paired on the same clips."""
    present = [k for k in POINTS if Records.present(root / f"S{k}")]
    if not present:
        return ""
    records = {k: Records(root / f"S{k}") for k in present}
    lines = [
        "| compute | one-shot, once | narrower networks iterated | iterated − once |",
        "|---|--:|---|---|",
    ]
    for k in present:
        once = records[k].scores(1)
        iterated, differences = [], []
        for j in present:
            if j >= k or k // j > records[j].summary["max_steps"]:
                continue
            steps = k // j
            iterated.append(f"S{j} × {steps}: {cell(records[j].mean(steps))}")
            differences.append(f"S{j}: {cell(paired(once, records[j].scores(steps)))}")
        lines.append(
            f"| {k} step{'s' if k > 1 else ''} | S{k}: {cell(records[k].mean(1))} | "
            f"{'; '.join(iterated) or '–'} | {'; '.join(differences) or '–'} |"
        )
    text = "\n".join(lines) + "\n"
    (root / "iterating_one_shot.md").write_text(text)
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path, help="the experiment folder (experiments/anytime)")
    args = parser.parse_args()
    if not Records.present(args.root / "T8"):
        print(
            f"{args.root}/T8 has no records: run experiments/anytime/run.sh (real.sh)",
            file=sys.stderr,
        )
        return 2
    print(write_table(args.root, table_rows(args.root)), end="")
    print("\n" + iterating_one_shot(args.root), end="")
    draw(args.root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
