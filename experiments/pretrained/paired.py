"""Two models on the same real-recording test sets, clip by clip: each one's share of the
oracle IRM's SI-SDR gain per condition, and the paired difference of their gains with a
bootstrap interval, so that a change between two models is read against the spread of
the clips it is measured on.

    python experiments/pretrained/paired.py A B --steps 4 [--names a b]
    python experiments/pretrained/paired.py A B --steps 4 1   # A at step 4, B at step 1
    python experiments/pretrained/paired.py A B --steps 4 --plot differences.png

A and B are eval_real.sh destinations (DEST/<set>/{model,irm}/per_clip.csv) over the same
clips; the IRM is A's. Prints a markdown table: per test set and input SNR, A's and B's
shares, B − A in dB (mean over the clips [95 % bootstrap interval]), then the same over
every clip of every condition, and the mean shares over conditions. `--plot` also draws the
differences with their intervals, one row per condition (a forest plot). `--share-gain` also
prints B's mean share minus A's with its bootstrap interval, for a rule written in shares.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from ceiling import clip_gains  # noqa: E402

from refine.study.records import read_csv  # noqa: E402

RESAMPLES = 2000


def interval(differences: np.ndarray, seed: int = 0) -> tuple[float, float]:
    """The 95 % bootstrap interval of the mean of `differences` (seeded)."""
    rng = np.random.default_rng(seed)
    picks = rng.integers(len(differences), size=(RESAMPLES, len(differences)))
    means = differences[picks].mean(1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def paired_rows(
    a: Path, b: Path, steps: int, steps_b: int | None = None
) -> tuple[list, np.ndarray]:
    """[(set, SNR bin, A's share, B's share, the oracle's mean gain, differences (clips,))]
    and every difference; A at `steps`, B at `steps_b` (default the same)."""
    rows, every = [], []
    sets = sorted(p.name for p in a.iterdir() if (b / p.name / "model" / "per_clip.csv").is_file())
    for name in sets:
        irm_clips = read_csv(a / name / "irm" / "per_clip.csv", ("input_snr_db",))
        for snr_db in sorted({float(r["input_snr_db"]) for r in irm_clips}):
            bucket = f"{snr_db:g}dB"
            gains = [
                clip_gains(d / name / "model" / "per_clip.csv", snr_db, step)
                for d, step in ((a, steps), (b, steps if steps_b is None else steps_b))
            ]
            irm = clip_gains(a / name / "irm" / "per_clip.csv", snr_db, 1)
            clips = sorted(irm)
            if set(gains[0]) != set(clips) or set(gains[1]) != set(clips):
                raise SystemExit(f"{name} {bucket}: A and B were not measured on the same clips")
            model_a, model_b = (np.array([g[c] for c in clips]) for g in gains)
            ceiling = np.mean([irm[c] for c in clips])
            difference = model_b - model_a
            shares = model_a.mean() / ceiling, model_b.mean() / ceiling
            rows.append((name, bucket, *shares, ceiling, difference))
            every.append(difference)
    return rows, np.concatenate(every)


def mean_share(rows: list, column: int) -> float:
    """The mean over conditions of A's (column 2) or B's (column 3) share of the oracle."""
    return float(np.mean([row[column] for row in rows]))


def share_gain(rows: list, seed: int = 0) -> tuple[float, float, float]:
    """B's mean share of the oracle's gain over the conditions minus A's, with its 95 %
    bootstrap interval (seeded): each condition's clip differences resampled, its oracle's
    mean gain kept. (gain, low, high), as fractions."""
    rng = np.random.default_rng(seed)
    resampled = np.zeros(RESAMPLES)
    for *_, ceiling, difference in rows:
        picks = rng.integers(len(difference), size=(RESAMPLES, len(difference)))
        resampled += difference[picks].mean(1) / ceiling
    resampled /= len(rows)
    gain = np.mean([difference.mean() / ceiling for *_, ceiling, difference in rows])
    return float(gain), float(np.percentile(resampled, 2.5)), float(np.percentile(resampled, 97.5))


def plot_differences(rows: list, every: np.ndarray, names: tuple[str, str], path: Path) -> None:
    """B − A per condition and over every clip, each a point on its 95 % interval, zero marked:
    which conditions moved, and which moved more than their clips' spread."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{name} {bucket.replace('dB', ' dB')}" for name, bucket, *_ in rows]
    differences = [row[-1] for row in rows] + [every]
    labels.append(f"all {len(rows)} conditions")
    means = np.array([d.mean() for d in differences])
    low, high = np.array([interval(d) for d in differences]).T
    y = np.arange(len(differences))[::-1]
    figure, axes = plt.subplots(figsize=(6.4, 0.9 + 0.24 * len(differences)))
    axes.axvline(0.0, color="0.6", linewidth=0.8)
    colours = [
        "C3" if h < 0 else "C2" if lo > 0 else "0.4" for lo, h in zip(low, high, strict=True)
    ]
    axes.errorbar(means, y, xerr=[means - low, high - means], fmt="none", ecolor=colours)
    axes.scatter(means, y, c=colours, s=[14] * len(rows) + [40], zorder=3)
    axes.set_yticks(y, labels, fontsize=8)
    axes.set_xlabel(f"{names[1]} − {names[0]}: SI-SDR gain per clip (dB), 95 % interval")
    axes.grid(axis="x", linewidth=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=150)
    plt.close(figure)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument(
        "--steps", type=int, nargs="+", required=True, help="the models' step count (A's, B's)"
    )
    parser.add_argument("--names", nargs=2, default=("A", "B"), help="column names")
    parser.add_argument("--plot", type=Path, help="also draw the differences to this image file")
    parser.add_argument(
        "--share-gain", action="store_true", help="also print B's mean share minus A's"
    )
    args = parser.parse_args()
    if len(args.steps) > 2:
        parser.error("--steps takes one count for both models, or A's and B's")
    rows, every = paired_rows(args.a, args.b, *args.steps)
    if not rows:
        print(f"no test set measured in both {args.a} and {args.b}", file=sys.stderr)
        return 2
    name_a, name_b = args.names
    difference_name = f"{name_b} − {name_a} (dB) [95 %]"
    print(f"| test set | input | {name_a} / IRM | {name_b} / IRM | {difference_name} |")
    print("|---|---|--:|--:|--:|")
    for name, bucket, share_a, share_b, _, difference in rows:
        low, high = interval(difference)
        print(f"| {name} | {bucket.replace('dB', ' dB')} | {share_a:.0%} | {share_b:.0%} | "
              f"{difference.mean():+.2f} [{low:+.2f}, {high:+.2f}] |")  # fmt: skip
    low, high = interval(every)
    mean_a, mean_b = mean_share(rows, 2), mean_share(rows, 3)
    print(f"| **all {len(rows)} conditions** ({len(every)} clips) | | {mean_a:.1%} | "
          f"{mean_b:.1%} | {every.mean():+.2f} [{low:+.2f}, {high:+.2f}] |")  # fmt: skip
    if args.share_gain:
        gain, low, high = (100 * value for value in share_gain(rows))
        print(f"\n{name_b} − {name_a}, share of the oracle's gain, mean over conditions: "
              f"{gain:+.1f} points [{low:+.1f}, {high:+.1f}] (95 %, each condition's clips "
              "resampled)")  # fmt: skip
    if args.plot:
        plot_differences(rows, every, args.names, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
