"""The shipped model against the oracle ideal ratio mask on the real recordings: a table and a
figure from the refine-eval records, so both are redrawn without running anything.

    python experiments/pretrained/ceiling.py experiments/pretrained/real --steps 8

reads REAL/<content>_<colour>/{model,irm}/per_step.json and writes REAL/ceiling.md,
REAL/ceiling.csv and REAL/ceiling.png. The improvement is SI-SDR at a step minus SI-SDR of
the noisy input (step 0), per input-SNR bin; the IRM's is its one step. The ratio is the
model's improvement over the IRM's, the issue's target being 80 %; per clip, the same ratio
clip by clip (per_clip.csv), its median and lowest.
"""

import argparse
import json
import re
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from refine.study.choose import best_step  # noqa: E402
from refine.study.records import read_csv  # noqa: E402
from refine.tables import write_tables  # noqa: E402

TARGET = 0.8  # of the IRM's improvement


def bin_snr(bucket: str) -> float:
    """The input SNR (dB) of an SNR bin's name: "5dB" -> 5.0."""
    return float(bucket.removesuffix("dB"))


def snr_bins(records: list[dict]) -> list[str]:
    """The input-SNR bins of refine-eval records ("0dB", "5dB", ...), lowest first."""
    bins = [b for b in records[0]["buckets"] if re.fullmatch(r"-?[0-9.]+dB", b)]
    return sorted(bins, key=bin_snr)


def curve(records: list[dict], bucket: str) -> list[float | None]:
    """SI-SDR improvement (dB) per step of one input-SNR bin."""
    noisy = records[0]["buckets"][bucket]["si_sdr"]
    return [
        None if r["buckets"][bucket]["si_sdr"] is None else r["buckets"][bucket]["si_sdr"] - noisy
        for r in records
    ]


def clip_gains(per_clip: Path, snr_db: float, step: int) -> dict[str, float]:
    """{clip: SI-SDR improvement at `step`} of the clips mixed at `snr_db`."""
    rows = read_csv(per_clip, ("clip", "input_snr_db", "step", "si_sdr"))
    rows = [r for r in rows if float(r["input_snr_db"]) == snr_db]
    noisy = {r["clip"]: float(r["si_sdr"]) for r in rows if int(r["step"]) == 0}
    return {
        r["clip"]: float(r["si_sdr"]) - noisy[r["clip"]] for r in rows if int(r["step"]) == step
    }


def clip_shares(folder: Path, bucket: str, steps: int) -> str:
    """Each clip's improvement over its own oracle's, as "median [lowest]": whether a
    shortfall is spread over the clips or comes from a few."""
    snr_db = bin_snr(bucket)
    model = clip_gains(folder / "model" / "per_clip.csv", snr_db, steps)
    irm = clip_gains(folder / "irm" / "per_clip.csv", snr_db, 1)
    shares = np.array([model[clip] / irm[clip] for clip in model])
    return f"{np.median(shares):.0%} [{shares.min():.0%}]"


def rows_and_curves(real: Path, steps: int) -> tuple[list[dict], dict]:
    rows, curves = [], {}
    for folder in sorted(p for p in real.iterdir() if (p / "model" / "per_step.json").is_file()):
        model = json.loads((folder / "model" / "per_step.json").read_text())
        irm = json.loads((folder / "irm" / "per_step.json").read_text())
        for bucket in snr_bins(model):
            gains, ceiling = curve(model, bucket), curve(irm, bucket)[1]
            curves[folder.name, bucket] = (gains, ceiling)
            best = best_step(gains)
            rows.append(
                {
                    "test set": folder.name,
                    "input": bucket.replace("dB", " dB"),
                    "clips": model[0]["buckets"][bucket]["n"],
                    "noisy SI-SDR": round(model[0]["buckets"][bucket]["si_sdr"], 2),
                    f"model gain (step {steps})": round(gains[steps], 2),
                    "oracle IRM gain": round(ceiling, 2),
                    "model / IRM": f"{gains[steps] / ceiling:.0%}",
                    "per clip: median [lowest]": clip_shares(folder, bucket, steps),
                    "best step": best,
                    "gain at best": round(gains[best], 2),
                }
            )
    return rows, curves


def draw(curves: dict, steps: int, real: Path) -> None:
    sets = sorted({name for name, _ in curves})
    columns = min(4, len(sets))
    rows = -(-len(sets) // columns)
    figure, axes = plt.subplots(
        rows, columns, figsize=(3.6 * columns, 3.4 * rows), sharey=True, squeeze=False
    )
    panels = list(axes.flat)
    for axis in panels[len(sets) :]:
        axis.set_visible(False)
    buckets = sorted({b for _, b in curves}, key=bin_snr)
    colours = dict(zip(buckets, plt.rcParams["axes.prop_cycle"].by_key()["color"], strict=False))
    for axis, name in zip(panels[: len(sets)], sets, strict=True):
        for bucket in (b for b in buckets if (name, b) in curves):
            gains, ceiling = curves[name, bucket]
            colour = colours[bucket]
            axis.plot(range(len(gains)), gains, "o-", ms=3, color=colour, label=f"model, {bucket}")
            axis.axhline(ceiling, color=colour, ls="--", lw=1, label=f"oracle IRM, {bucket}")
            axis.axhline(TARGET * ceiling, color=colour, ls=":", lw=1)
        axis.axvline(steps, color="grey", lw=0.8)
        axis.set_title(name.replace("_", ", "))
        axis.set_xlabel("refinement step t")
        axis.grid(alpha=0.3)
    for axis in panels[::columns]:
        axis.set_ylabel("SI-SDR improvement (dB)")
    panels[len(sets) - 1].legend(fontsize=7, loc="lower right")
    figure.suptitle(
        "Shipped model on real recordings: dashed = oracle IRM, dotted = 80 % of it, "
        f"grey = default {steps} steps",
        fontsize=9,
    )
    figure.tight_layout()
    figure.savefig(real / "ceiling.png", dpi=130)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("real", type=Path, help="folder of <content>_<colour>/{model,irm} evals")
    parser.add_argument("--steps", type=int, required=True, help="the model's default steps")
    args = parser.parse_args()
    rows, curves = rows_and_curves(args.real, args.steps)
    print(write_tables(rows, args.real / "ceiling"))
    draw(curves, args.steps, args.real)


if __name__ == "__main__":
    main()
