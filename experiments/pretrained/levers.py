"""Does a lever's gain on the training kinds foretell its gain on the held-out ones? Every arm
of issue 19's paired studies (a lever added to a run, against the same run without it on the
same batches) measured twice: on held-in recorded noise (the corpus's speech under the
training kinds, and its music under them where the study measured it) and on the held-out
real noise; beside them, two seeds of one recipe against each other, the spread a lever has
to clear. One table and one figure (held-in against held-out, a point per arm on both
intervals), so that the plateau of the held-out share (38.2-38.8 % since the soups began)
can be read against what the same runs learnt of their own kinds.

    python experiments/pretrained/levers.py --out experiments/pretrained/levers

Writes OUT.md (the mean difference per clip at step 4 in dB [95 % bootstrap interval], and
the correlation of the two over the levers) and OUT.png. Arms whose records are missing are
left out.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from paired import interval, paired_rows  # noqa: E402

HERE = Path(__file__).parent
HELD_IN = ("held_in_synthetic", "music_noise")  # speech and music under the training kinds
HELD_OUT = "real_noise"
SEEDS = "two seeds, no lever"
ORDINARY = 0.5  # dB: arms within it on both measures, the size of every lever but two
ZOOM = 0.4  # dB: the second panel's half-width


def _arms(name: str, kind: str, arm: str, control: str, seeds=(19, 20)) -> list:
    """(lever, kind, arm records, control records) for each seed of a two-seed study."""
    return [
        (f"{name}, {seed}", kind, HERE / arm.format(seed), HERE / control.format(seed))
        for seed in seeds
    ]


LEVERS = (  # (lever, what it changes, arm's records, control's records)
    ("perturbed noise", "data", HERE / "perturb/perturbed", HERE / "perturb/control"),
    *_arms(
        "babble over music",
        "data",
        "babble_music/arm_seed{}",
        "babble_music/control_seed{}",
        seeds=(17, 18),
    ),
    *_arms("content label", "network", "content/arm_seed{}", "content/control_seed{}"),
    (
        "content label, 10x rate",
        "network",
        HERE / "content/rate10_seed19",
        HERE / "content/arm_seed19",
    ),
    ("babble only", "data", HERE / "babble_only", HERE / "content/control_seed19"),
    ("soundtracks", "data", HERE / "soundtracks", HERE / "content/control_seed19"),
    *_arms("vehicles", "data", "vehicles/arm_seed{}", "content/control_seed{}"),
    *_arms("layers, mixed", "data", "layers/arm_seed{}", "vehicles/arm_seed{}"),
    *_arms("layers, beds", "data", "layers/beds/arm_seed{}", "vehicles/arm_seed{}"),
    *_arms("layers, low", "data", "layers/low/arm_seed{}", "vehicles/arm_seed{}"),
    *_arms("layers, over", "data", "layers/over/arm_seed{}", "vehicles/arm_seed{}"),
    *_arms("layers, recorded", "data", "layers/recorded/arm_seed{}", "vehicles/arm_seed{}"),
    *_arms("levels", "network", "levels/arm_seed{}", "layers/recorded/arm_seed{}"),
    *_arms("shouts", "data", "shouts/arm_seed{}", "layers/recorded/arm_seed{}"),
    (
        "shouts, first kinds only, 20",
        "data",
        HERE / "shouts/first/arm_seed20",
        HERE / "layers/recorded/arm_seed20",
    ),
    (
        "levels from scratch",
        "network",
        HERE / "levels/scratch/levels",
        HERE / "levels/scratch/plain",
    ),
    ("seeds 16 − 15", SEEDS, HERE / "perturb/control_seed16", HERE / "perturb/control"),
    (
        "seeds 18 − 17",
        SEEDS,
        HERE / "babble_music/control_seed18",
        HERE / "babble_music/control_seed17",
    ),
    ("seeds 20 − 19", SEEDS, HERE / "content/control_seed20", HERE / "content/control_seed19"),
)


def differences(control: Path, arm: Path, tests, steps: int) -> np.ndarray:
    """(clips,) the arm's gain over the control's at `steps` on every clip of the `tests` both
    measured."""
    found = [
        paired_rows(control / test, arm / test, steps)[1]
        for test in tests
        if (arm / test).is_dir() and (control / test).is_dir()
    ]
    return np.concatenate(found) if found else np.empty(0)


def measured(levers=LEVERS, steps: int = 4) -> list:
    """[(lever, kind, held-in differences, held-out differences)] for every arm with records."""
    found = []
    for lever, kind, arm, control in levers:
        if not (arm / HELD_OUT).is_dir():
            continue
        held_in = differences(control, arm, HELD_IN, steps)
        held_out = differences(control, arm, (HELD_OUT,), steps)
        found.append((lever, kind, held_in, held_out))
    return found


def summary(values: np.ndarray) -> str:
    low, high = interval(values)
    return f"{values.mean():+.2f} [{low:+.2f}, {high:+.2f}]"


def ranks(values: np.ndarray) -> np.ndarray:
    return values.argsort().argsort().astype(float)


def correlations(found: list) -> dict:
    """Over the levers (seed pairs left out), of the held-in and held-out means: Pearson's r,
    Spearman's (r of their ranks), and r over the arms within ORDINARY dB on both, which the
    few arms that broke the recipe cannot dominate."""
    means = np.array([(i.mean(), o.mean()) for _, kind, i, o in found if kind != SEEDS])
    small = means[(np.abs(means) < ORDINARY).all(1)]
    return {
        "r": float(np.corrcoef(means.T)[0, 1]),
        "rank": float(np.corrcoef(ranks(means[:, 0]), ranks(means[:, 1]))[0, 1]),
        "r_small": float(np.corrcoef(small.T)[0, 1]),
        "small": len(small),
    }


def table(found: list) -> str:
    lines = [
        "| arm | changes | held-in recorded noise (clips) | held-out real noise (clips) |",
        "|---|---|--:|--:|",
    ]
    for lever, kind, held_in, held_out in found:
        lines.append(
            f"| {lever} | {kind} | {summary(held_in)} ({len(held_in)}) | "
            f"{summary(held_out)} ({len(held_out)}) |"
        )
    levers = [row for row in found if row[1] != SEEDS]
    up_in = sum(interval(i)[0] > 0 for _, _, i, _ in levers)
    up_out = sum(interval(o)[0] > 0 for _, _, _, o in levers)
    c = correlations(found)
    lines += [
        "",
        f"Over the {len(levers)} arms: held in, {up_in} with the interval above zero; held out, "
        f"{up_out}. Of the two means, Pearson's r {c['r']:+.2f}, Spearman's {c['rank']:+.2f}; "
        f"over the {c['small']} arms within {ORDINARY} dB on both, r {c['r_small']:+.2f}.",
    ]
    return "\n".join(lines) + "\n"


def plot(found: list, path: Path) -> None:
    """Held in against held out, a point per arm on both intervals: every arm on the left; on
    the right those within ZOOM, numbered in the table's order, with the key beside them
    (their names overlap where the arms crowd)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = {"data": "tab:blue", "network": "tab:orange", SEEDS: "0.5"}
    c = correlations(found)
    fig, axes = plt.subplots(1, 3, figsize=(17, 6.5), width_ratios=(1, 1, 0.42))
    bounds = [(interval(held_in), interval(held_out)) for *_, held_in, held_out in found]
    whole = max(abs(v) for pair in bounds for bound in pair for v in bound) * 1.1
    for ax, span in zip(axes[:2], (whole, ZOOM), strict=True):
        arms = enumerate(zip(found, bounds, strict=True), 1)
        for number, ((lever, kind, held_in, held_out), bound) in arms:
            x, y = held_in.mean(), held_out.mean()
            if max(abs(x), abs(y)) > span:
                continue
            (x_low, x_high), (y_low, y_high) = bound
            ax.errorbar(
                x,
                y,
                xerr=[[x - x_low], [x_high - x]],
                yerr=[[y - y_low], [y_high - y]],
                fmt="o",
                color=colours[kind],
                ms=5,
                capsize=2,
                lw=1,
            )
            if span < whole:
                ax.annotate(
                    str(number), (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points"
                )
            elif max(abs(x), abs(y)) > ZOOM:  # the rest are numbered in the second panel
                ax.annotate(lever, (x, y), fontsize=7, xytext=(4, 3), textcoords="offset points")
        ax.plot([-span, span], [-span, span], ls=":", color="0.6", lw=1)
        ax.axhline(0, color="0.3", lw=0.8)
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set(xlim=(-span, span), ylim=(-span, span))
        ax.set_xlabel("held-in recorded noise: arm − control (dB per clip, step 4)")
        ax.set_ylabel("held-out real noise: arm − control (dB per clip, step 4)")
    for kind, colour in colours.items():
        axes[0].plot([], [], "o", color=colour, label=kind)
    axes[0].legend(title="what the arm changes", loc="upper left", fontsize=8)
    axes[0].set_title(f"every arm: Pearson's r {c['r']:+.2f}, Spearman's {c['rank']:+.2f}")
    axes[1].set_title(f"within ±{ZOOM} dB (r {c['r_small']:+.2f} over the arms within {ORDINARY})")
    key = axes[2]
    key.axis("off")
    for number, (lever, kind, *_) in enumerate(found, 1):
        key.text(0, 1 - number / (len(found) + 1), f"{number:2d}  {lever}", fontsize=8,
                 color=colours[kind], family="monospace", transform=key.transAxes)  # fmt: skip
    fig.suptitle(
        "Issue 19's levers: what an arm gains on the training kinds and on the held-out ones "
        "(dotted: as much held out as held in)"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="OUT.md and OUT.png")
    args = parser.parse_args(argv)
    found = measured()
    if not found:
        raise SystemExit("levers.py: no arm's records found under experiments/pretrained")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text(table(found))
    plot(found, args.out.with_suffix(".png"))
    print(table(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
