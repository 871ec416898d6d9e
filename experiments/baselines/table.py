"""The baselines comparison's table and figure, from the refine-eval records alone.

    python experiments/baselines/table.py experiments/baselines

reads OUT/<system>/{summary.json,per_step.json} and writes OUT/comparison.md,
OUT/comparison.csv and OUT/comparison.png. Each system is read at its own trained number of
steps (1 for one-shot networks and classical methods). Costs are for all those steps:
MACs per second of audio (networks only), and the real-time factor measured by refine-eval
on this CPU (2 threads; the time of the whole test set over its audio duration).
"""

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from refine.tables import write_tables  # noqa: E402

SNRS = (0, 5, 10)
COLOURS = ("white", "pink", "brown")
ORACLES = ("oracle_irm", "oracle_psm")


def system_row(folder: Path) -> dict:
    summary = json.loads((folder / "summary.json").read_text())
    records = json.loads((folder / "per_step.json").read_text())
    steps = summary["trained_steps"]
    macs = summary["macs_per_second_per_step"]  # None for classical methods: not counted
    row = {
        "system": folder.name,
        "kind": "oracle (uses the clean signal)"
        if folder.name in ORACLES
        else ("classical" if summary["method"] else "trained"),
        "parameters": summary["parameters"],
        "steps": steps,
        "MMACs per s of audio": "–" if macs is None else round(macs * steps / 1e6, 1),
        "RTF": round(summary["rtf_per_step"] * steps, 4),
    }
    for snr in SNRS:
        for colour in COLOURS:
            bucket = f"{snr}dB_{colour}"
            gain = (
                records[steps]["buckets"][bucket]["si_sdr"]
                - records[0]["buckets"][bucket]["si_sdr"]
            )
            row[f"{snr} dB {colour}"] = round(gain, 2)
    gains = [row[f"{snr} dB {colour}"] for snr in SNRS for colour in COLOURS]
    row["mean"] = round(sum(gains) / len(gains), 2)
    return row


def draw(rows: list[dict], out: Path) -> None:
    figure, axes = plt.subplots(1, len(COLOURS), figsize=(12, 3.8), sharey=True)
    for axis, colour in zip(axes, COLOURS, strict=True):
        for row in rows:
            style = "--" if row["kind"].startswith("oracle") else "-"
            marker = "o" if row["kind"] == "trained" else "s"
            gains = [row[f"{snr} dB {colour}"] for snr in SNRS]
            axis.plot(SNRS, gains, style, marker=marker, ms=4, label=row["system"])
        axis.set_title(f"{colour} noise" + (" (unseen in training)" if colour == "brown" else ""))
        axis.set_xlabel("input SNR (dB)")
        axis.set_xticks(SNRS)
        axis.axhline(0, color="grey", lw=0.8)
        axis.grid(alpha=0.3)
    axes[0].set_ylabel("SI-SDR improvement (dB)")
    axes[-1].legend(fontsize=7, loc="upper right")
    figure.suptitle("Seed systems and baselines at equal training time (dashed: oracles)")
    figure.tight_layout()
    figure.savefig(out / "comparison.png", dpi=130)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the experiment folder")
    args = parser.parse_args()
    folders = sorted(p.parent for p in args.out.glob("*/summary.json"))
    kinds = ["trained", "classical", "oracle (uses the clean signal)"]
    rows = sorted(map(system_row, folders), key=lambda r: (kinds.index(r["kind"]), -r["mean"]))
    print(write_tables(rows, args.out / "comparison"))
    draw(rows, args.out)


if __name__ == "__main__":
    main()
