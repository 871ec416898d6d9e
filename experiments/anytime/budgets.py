"""What four times the training buys: each model of the front at the 4× budget against
itself at the default budget, and whether the gap between the iterative weights and the
one-shot networks closes, all paired on the same clips.

    python experiments/anytime/budgets.py experiments/anytime experiments/anytime/budget_4x
    python experiments/anytime/budgets.py experiments/anytime/real \\
        experiments/anytime/budget_4x/real

Each folder has front.py's layout (T8/, respaced/N<n>/, iterated/, S<k>/). At each compute
point k (the MACs of k iterative steps) the iterative weights are taken in their better way
at that budget in each folder (front.py's `best_use`: respaced to k, or one respaced step and
fixed-point steps) and the one-shot network is S<k>. The gap is iterative − one-shot, and its
change is the per-clip difference of the two gaps, (it₄ − os₄) − (it₁ − os₁), with its 95 %
t-interval: above zero, the longer training closed some of the gap. A compute point whose
one-shot network is not evaluated in both folders is left out. Writes the table to stdout
and budgets.png/pdf into the 4× folder: both budgets' fronts on one pair of axes.
"""

import argparse
import sys
from pathlib import Path

import matplotlib
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from front import (  # noqa: E402
    POINTS,
    Records,
    best_use,
    cell,
    iterated_records,
    iterative_at,
    paired,
    plot,
)

from refine.study.figures import save_figure  # noqa: E402
from refine.study.metrics import mean_with_interval  # noqa: E402


def same_clips(*scores: dict) -> list:
    """The clips every record holds, or an exit when they differ."""
    if any(s.keys() != scores[0].keys() for s in scores):
        raise SystemExit("the two budgets' records cover different clips: they cannot be paired")
    return sorted(scores[0])


def rows(default: Path, longer: Path) -> list[str]:
    lines = [
        "| compute | iterative weights (way at 1× / 4×) | iterative, 1× → 4× | one-shot, 1× → 4× "
        "| gap at 1× | gap at 4× | change of the gap (4× − 1×) |",
        "|---|---|--:|--:|--:|--:|--:|",
    ]
    for k in POINTS:
        if not all(Records.present(root / f"S{k}") for root in (default, longer)):
            continue
        ways, iterative, one_shot = [], [], []
        for root in (default, longer):
            way, records = best_use(iterative_at(root, k), iterated_records(root), k)
            ways.append(way)
            iterative.append(records.scores(k))
            one_shot.append(Records(root / f"S{k}").scores(1))
        clips = same_clips(*iterative, *one_shot)
        gaps = [
            {c: it[c] - os[c] for c in clips} for it, os in zip(iterative, one_shot, strict=True)
        ]
        mean = [sum(s.values()) / len(s) for s in iterative + one_shot]
        lines.append(
            f"| {k} step{'s' if k > 1 else ''} | {ways[0]} / {ways[1]} | "
            f"{mean[0]:.2f} → {mean[1]:.2f} | {mean[2]:.2f} → {mean[3]:.2f} | "
            f"{cell(mean_with_interval(torch.tensor(list(gaps[0].values()))))} | "
            f"{cell(mean_with_interval(torch.tensor(list(gaps[1].values()))))} | "
            f"{cell(paired(gaps[0], gaps[1]))} |"
        )
    t8 = [Records(root / "T8") for root in (default, longer)]
    at_t = [records.scores(8) for records in t8]
    lines.append(
        f"\nThe T = 8 weights on their trained schedule at T: {t8[0].mean(8):.2f} → "
        f"{t8[1].mean(8):.2f} dB, {cell(paired(at_t[0], at_t[1]))} per clip "
        f"({len(at_t[0])} clips)."
    )
    return lines


def draw(default: Path, longer: Path) -> None:
    """SI-SDR against inference compute at both budgets: the iterative weights' better way
    at each compute point and the one-shot networks, 1× dashed and 4× solid."""
    figure, axis = plt.subplots(figsize=(7.5, 4.8))
    macs = Records(longer / "T8").macs
    for root, budget, style in ((default, "1×", "--"), (longer, "4×", "-")):
        iterated = iterated_records(root)
        points = [
            (k * macs, best_use(iterative_at(root, k), iterated, k)[1].mean(k)) for k in POINTS
        ]
        plot(axis, points, style, marker="o", color="C0", label=f"iterative T = 8, {budget}")
        one_shot = [k for k in POINTS if Records.present(root / f"S{k}")]
        points = [Records(root / f"S{k}").curve([1])[0] for k in one_shot]
        plot(axis, points, style, marker="s", color="C1", label=f"one-shot family, {budget}")
    axis.set_xscale("log", base=2)
    ticks = [k * macs for k in POINTS]
    axis.set_xticks(ticks, [f"{tick / 1e6:.0f} M" for tick in ticks])
    axis.minorticks_off()
    axis.set_xlabel("inference compute (MACs per second of audio)")
    test_set = Records(longer / "T8").test_set
    axis.set_ylabel(f"SI-SDR on {test_set} (dB)")
    axis.set_title("Quality against compute at two training budgets (equal time within each)")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    save_figure(figure, longer, "budgets", ["png", "pdf"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("default", type=Path, help="the default budget's records")
    parser.add_argument("longer", type=Path, help="the 4× budget's records")
    args = parser.parse_args()
    for root in (args.default, args.longer):
        if not Records.present(root / "T8"):
            print(f"{root}/T8 has no records: run the experiment first", file=sys.stderr)
            return 2
    print("\n".join(rows(args.default, args.longer)))
    draw(args.default, args.longer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
