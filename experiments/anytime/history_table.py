"""A run's validation log beside another's, step by step, from their history.json: how a
run that failed (a collapse, a stall) parted from a reference that did not.

    python experiments/anytime/history_table.py runs/budget_4x/S2_seed0_collapsed runs/anytime/S2

Prints a markdown table: per validation step, the run's mean SI-SDR over the input at its
last step, the median spectral radius of its map past T (1.000: the identity, a mask frozen
at its ends), the share of its mask's sigmoids that are flat (refine.study.saturation; runs
from before validation recorded it show –), and the reference's SI-SDR over the input at the
same step where it has one.
"""

import argparse
import json
import sys
from pathlib import Path

from refine.train.loop import validation_gain


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path, help="the run folder to list")
    parser.add_argument("reference", type=Path, nargs="?", help="a run folder to list beside it")
    args = parser.parse_args()
    histories = []
    for folder in filter(None, (args.run, args.reference)):
        path = folder / "history.json"
        if not path.is_file():
            print(f"{path}: no such file (a run folder of refine-train)", file=sys.stderr)
            return 2
        histories.append(json.loads(path.read_text()))
    others = histories[1] if len(histories) > 1 else []
    reference = {r["train_step"]: validation_gain(r) for r in others}
    lines = [
        "| step | validation SI-SDR over the input (dB) | spectral radius past T (median) "
        "| mask sigmoids flat | reference (dB) |",
        "|--:|--:|--:|--:|--:|",
    ]
    for record in histories[0]:
        step = record["train_step"]
        radius = (record.get("spectral_radius") or {}).get("median")
        flat = record.get("mask_saturation")
        other = reference.get(step)
        lines.append(
            f"| {step} | {validation_gain(record):+.2f} | "
            f"{'–' if radius is None else f'{radius:.3f}'} | "
            f"{'–' if flat is None else f'{flat:.1%}'} | "
            f"{'–' if other is None else f'{other:+.2f}'} |"
        )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
