"""What layered scenes buy and what they cost, variant by variant and seed by seed: each arm of
layers.sh paired clip by clip at step 4 with its control (vehicles.sh's arm of the same seed,
the same clips, SNRs and first noises) on the few measures its readings name, in one table
and one figure, so that the variants (how often a second kind goes under, of which kinds,
over which first kinds) can be read side by side.

    python experiments/pretrained/layers_cost.py --out experiments/pretrained/layers/cost

Writes OUT.md (the differences in dB [95 % bootstrap interval over the measure's clips]) and
OUT.png (one panel per measure, the variants along it, a point per seed on its interval).
Variants whose records are missing are left out.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from paired import interval, paired_rows  # noqa: E402

HERE = Path(__file__).parent
CONTROLS = HERE / "vehicles"  # arm_seed<seed>/: the arms without layers
VARIANTS = (  # (name, records, what it lays)
    ("mixed", HERE / "layers", "half the clips, the clip's kinds"),
    ("beds", HERE / "layers" / "beds", "half the clips, steady beds"),
    ("low", HERE / "layers" / "low", "a tenth of the clips, the clip's kinds"),
    ("over", HERE / "layers" / "over", "half the recorded-noise clips, none over colours"),
    ("recorded", HERE / "layers" / "recorded", "as over, of recorded kinds only"),
)
SEEDS = (19, 20)
MEASURES = (  # (name, test, which of its sets)
    ("speech under held-out babble", "real_noise", lambda name: name == "speech_babble"),
    ("held-out real noise, all 22", "real_noise", lambda name: True),
    ("white and pink, real recordings", "real", lambda name: True),
    ("of which music", "real", lambda name: name.startswith("music")),
    ("held-in music (white/pink)", "held_in_music", lambda name: True),
)


def difference(control: Path, arm: Path, keep, steps: int) -> np.ndarray:
    """(clips,) the arm's gain over the control's at `steps`, on the sets `keep` accepts."""
    rows, _ = paired_rows(control, arm, steps)
    return np.concatenate([row[-1] for row in rows if keep(row[0])])


def measured(variants=VARIANTS, controls: Path = CONTROLS, steps: int = 4) -> list:
    """[(variant, what, seed, measure, differences)] for every variant's seed with records."""
    found = []
    for variant, records, what in variants:
        for seed in SEEDS:
            arm = records / f"arm_seed{seed}"
            if not (arm / "real_noise").is_dir():
                continue
            control = controls / f"arm_seed{seed}"
            for measure, test, keep in MEASURES:
                values = difference(control / test, arm / test, keep, steps)
                found.append((variant, what, seed, measure, values))
    return found


def table(found: list) -> str:
    lines = ["| variant | a second kind under | seed | " + " | ".join(m[0] for m in MEASURES)]
    lines[0] += " |"
    lines.append("|---|---|--:|" + "--:|" * len(MEASURES))
    for start in range(0, len(found), len(MEASURES)):
        variant, what, seed, *_ = found[start]
        cells = []
        for *_, values in found[start : start + len(MEASURES)]:
            low, high = interval(values)
            cells.append(f"{values.mean():+.2f} [{low:+.2f}, {high:+.2f}]")
        lines.append(f"| {variant} | {what} | {seed} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plot(found: list, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    variants = list(dict.fromkeys(row[0] for row in found))
    figure, axes = plt.subplots(1, len(MEASURES), figsize=(2.6 * len(MEASURES), 3.2), sharey=False)
    for axis, (measure, *_) in zip(axes, MEASURES, strict=True):
        axis.axhline(0.0, color="0.6", linewidth=0.8)
        for offset, seed in zip((-0.12, 0.12), SEEDS, strict=True):
            for x, variant in enumerate(variants):
                values = [r[4] for r in found if r[:1] == (variant,) and r[2:4] == (seed, measure)]
                if not values:
                    continue
                mean, (low, high) = values[0].mean(), interval(values[0])
                colour = "C3" if high < 0 else "C2" if low > 0 else "0.4"
                axis.errorbar(x + offset, mean, yerr=[[mean - low], [high - mean]], color=colour,
                              fmt="o" if seed == SEEDS[0] else "s", markersize=4)  # fmt: skip
        axis.set_xticks(range(len(variants)), variants)
        axis.set_title(measure, fontsize=9)
        axis.grid(axis="y", linewidth=0.3)
    axes[0].set_ylabel("arm − control, SI-SDR gain per clip (dB)")
    figure.suptitle(
        "Layered scenes against the same arm without them, step 4 (o seed 19, □ seed 20)",
        fontsize=10,
    )
    figure.tight_layout()
    figure.savefig(path, dpi=150)
    plt.close(figure)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="OUT.md and OUT.png")
    args = parser.parse_args()
    found = measured()
    if not found:
        print("layers_cost.py: no arm of layers.sh has records yet", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text(table(found))
    plot(found, args.out.with_suffix(".png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
