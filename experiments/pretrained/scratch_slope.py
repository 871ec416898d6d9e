"""Where training from scratch goes with more steps: each run of `scratch_length.sh` (and the
3000-step run it doubles) as its share of the oracle IRM's gain on the held-out real noise,
each doubling's gain with its interval, and two projections from the last doubling, so that
issue 19's choice (close with the gap documented, or fund a long run from scratch) is read
off one figure: the gain of the last doubling held for ever (an upper bound while the gains
shrink), and the gains shrinking at the ratio of the last two doublings (their sum is where
the series ends). The shipped lineage's share and the issue's 50 % are marked.

    python experiments/pretrained/scratch_slope.py --out experiments/pretrained/scratch_length/slope

Writes OUT.md (per run its share, per doubling its gain in points of the share and per clip
in dB, each [95 % bootstrap interval]; then the projections) and OUT.png.
"""

import argparse
import math
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from paired import interval, mean_share, paired_rows, share_gain  # noqa: E402

HERE = Path(__file__).parent
FIRST = (3000, HERE / "levels/scratch/plain/real_noise")  # levels_scratch.sh's plain run
LONGER = HERE / "scratch_length"  # scratch_length.sh's runs: STEPS/real_noise/
SHIPPED = HERE / "layers/recorded/soup_three/real_noise"
STEP = 4  # every record read at the trained T
TARGET = 0.50  # issue 19's share of the oracle's gain
FAR = 12  # doublings past the last run that the figure draws at most


def runs(first: tuple[int, Path], longer: Path) -> list[tuple[int, Path]]:
    """[(steps, records)], the first run and every STEPS/real_noise/ below `longer`, by steps."""
    found = [
        (int(p.parent.name), p)
        for p in longer.glob("*/real_noise")
        if p.parent.name.isdigit() and p.is_dir()
    ]
    return [first, *sorted(found)]


def doublings(series: list[tuple[int, Path]]) -> list[dict]:
    """Per run its share; per run after the first, the gain over the run before it, in
    points of the share and per clip in dB, each (mean, low, high)."""
    table = []
    for (steps_a, a), (steps_b, b) in zip(series, series[1:], strict=False):
        rows, every = paired_rows(a, b, STEP)
        if not table:
            table.append(dict(steps=steps_a, share=mean_share(rows, 2)))
        per_clip = (float(every.mean()), *interval(every))
        table.append(
            dict(steps=steps_b, share=mean_share(rows, 3), points=share_gain(rows), db=per_clip)
        )
    return table


def projections(table: list[dict], limit: int = FAR) -> dict:
    """From the last run on: the last doubling's gain held ("held"), and the gains shrinking
    by the ratio of the last two ("shrinking", with its sum "limit" where the ratio is below
    one). Each a list of (steps, share) for up to `limit` more doublings."""
    last = table[-1]
    gain = last["points"][0]
    before = table[-2]["points"][0] if len(table) > 2 else 0.0
    ratio = gain / before if before > 0 else 1.0
    held, shrinking = [(last["steps"], last["share"])], [(last["steps"], last["share"])]
    step_gain = gain
    for k in range(1, limit + 1):
        steps = last["steps"] * 2**k
        held.append((steps, last["share"] + k * gain))
        step_gain *= ratio
        shrinking.append((steps, shrinking[-1][1] + step_gain))
    total = last["share"] + gain * ratio / (1 - ratio) if 0 < ratio < 1 else math.inf
    return dict(gain=gain, ratio=ratio, held=held, shrinking=shrinking, limit=total)


def steps_to_reach(share: float, last: dict, gain: float) -> float:
    """Steps from scratch at which a constant `gain` per doubling reaches `share`."""
    if share <= last["share"]:
        return float(last["steps"])
    return last["steps"] * 2 ** ((share - last["share"]) / gain) if gain > 0 else math.inf


def markdown(table: list[dict], ahead: dict, shipped: float) -> str:
    lines = [
        "| steps from scratch | held out, share of the oracle's gain | this doubling, "
        "share (points) [95 %] | this doubling, per clip (dB) [95 %] |",
        "|--:|--:|--:|--:|",
    ]
    for row in table:
        points = db = ""
        if "points" in row:
            points = "{:+.1f} [{:+.1f}, {:+.1f}]".format(*(100 * v for v in row["points"]))
            db = "{:+.2f} [{:+.2f}, {:+.2f}]".format(*row["db"])
        lines.append(f"| {row['steps']} | {100 * row['share']:.1f} % | {points} | {db} |")
    last, gain = table[-1], ahead["gain"]
    lines += [
        "",
        f"The shipped lineage: {100 * shipped:.1f} %; issue 19's target: {100 * TARGET:.0f} %.",
        f"- The last doubling's {100 * gain:+.1f} points held for every doubling after it: the "
        f"lineage at {steps_to_reach(shipped, last, gain):,.0f} steps, the target at "
        f"{steps_to_reach(TARGET, last, gain):,.0f}.",
    ]
    if len(table) > 2:
        limit = "no limit" if math.isinf(ahead["limit"]) else f"{100 * ahead['limit']:.1f} %"
        lines.append(
            f"- Each doubling buying {ahead['ratio']:.2f}× the one before, as the last two did: "
            f"the series ends at {limit}."
        )
    return "\n".join(lines) + "\n"


def plot(table: list[dict], ahead: dict, shipped: float, path: Path) -> None:
    """Share against steps (log 2), the measured runs on their doublings' intervals, the two
    projections dashed and dotted, the lineage and the target as lines."""
    fig, ax = plt.subplots(figsize=(8, 4.8))
    last = table[-1]
    reach = max(steps_to_reach(TARGET, last, ahead["gain"]), last["steps"] * 4)
    count = next((k for k, (s, _) in enumerate(ahead["held"]) if s >= reach), FAR) + 1
    far = ahead["held"][:count]
    ax.plot(*zip(*far, strict=True), "--", color="tab:blue", label="last doubling's gain held")
    if len(table) > 2:
        shrink = ahead["shrinking"][: len(far)]
        label = f"gains shrinking ×{ahead['ratio']:.2f} a doubling"
        ax.plot(*zip(*shrink, strict=True), ":", color="tab:blue", label=label)
    steps, shares = zip(*((row["steps"], row["share"]) for row in table), strict=True)
    ax.plot(steps, shares, "o-", color="black", label="measured (bars: each doubling's 95 %)")
    for before, row in zip(table, table[1:], strict=False):
        low, high = (before["share"] + v for v in row["points"][1:])
        ax.vlines(row["steps"], low, high, color="black", linewidth=3, alpha=0.4)
        gain = f"{100 * row['points'][0]:+.1f}"
        offset = dict(textcoords="offset points", xytext=(6, -12), fontsize=9)
        ax.annotate(gain, (row["steps"], row["share"]), **offset)
    ax.axhline(shipped, color="tab:green", label=f"shipped lineage ({100 * shipped:.1f} %)")
    ax.axhline(TARGET, color="tab:red", label=f"issue 19's target ({100 * TARGET:.0f} %)")
    ax.set_xscale("log", base=2)
    ticks = [table[0]["steps"] * 2**k for k in range(len(table) + len(far) - 1)]
    ax.set_xticks(ticks, [f"{t / 1000:g}k" for t in ticks], fontsize=8)
    ax.minorticks_off()
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel("training steps from scratch (log 2)")
    ax.set_ylabel("share of the oracle IRM's gain, held out")
    ax.set_title("Training from scratch: each doubling buys less (held-out real noise)")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="OUT.md and OUT.png")
    parser.add_argument("--first", type=Path, default=FIRST[1], help="the first run's records")
    parser.add_argument("--first-steps", type=int, default=FIRST[0])
    parser.add_argument("--longer", type=Path, default=LONGER, help="scratch_length.sh's records")
    parser.add_argument("--shipped", type=Path, default=SHIPPED, help="the shipped model's")
    args = parser.parse_args(argv)
    series = runs((args.first_steps, args.first), args.longer)
    if len(series) < 2:
        raise SystemExit(f"no runs of scratch_length.sh under {args.longer}: run it first")
    table = doublings(series)
    ahead = projections(table)
    shipped = mean_share(paired_rows(series[0][1], args.shipped, STEP)[0], 3)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text(markdown(table, ahead, shipped))
    plot(table, ahead, shipped, args.out.with_suffix(".png"))
    print(args.out.with_suffix(".md").read_text(), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
