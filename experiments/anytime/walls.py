"""The wall-clock each equal-time run really trained for, from its train.log, against the
budget its step count was calibrated to spend (budget.csv).

    python experiments/anytime/walls.py experiments/anytime/budget_4x/budget.csv runs/budget_4x

The step counts of an equal-time experiment are fixed once from a calibration; when the code
gets faster or slower afterwards, or one width's step changes more than another's, the runs
no longer spend the same time. This says by how much. A run stopped and resumed is counted
segment by segment: from each start ("… parameters on …") to the last validation or the
end of training in that segment, so work lost at an interruption is not counted.
Writes a markdown table to stdout: steps, wall-clock, seconds per step (validation included)
and the ratio to the budget.
"""

import argparse
import csv
import re
import sys
from datetime import datetime
from pathlib import Path

STAMP = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})\]")
START = re.compile(r"parameters on .*; run folder")
RESUME = re.compile(r"resuming .* at step (\d+)")
MARK = re.compile(r"step (\d+): validation|per-step validation after (\d+) steps")


def segments(log: Path) -> list[tuple[int, int, float]]:
    """[(first step, last step reached, seconds)] per uninterrupted stretch of training."""
    spans, start_time, resumed_at, reached = [], None, 0, None
    for line in log.read_text().splitlines():
        stamp = STAMP.match(line)
        if stamp is None:
            continue
        when = datetime.strptime(stamp.group(1), "%Y-%m-%d %H:%M:%S,%f")
        if resume := RESUME.search(line):  # logged just before the segment's start
            resumed_at = int(resume.group(1))
        elif START.search(line):
            if reached is not None:
                spans.append(reached)
            start_time, first, resumed_at, reached = when, resumed_at, 0, None
        elif (mark := MARK.search(line)) and start_time is not None:
            step = int(mark.group(1) or mark.group(2))
            reached = (first, step, (when - start_time).total_seconds())
    if reached is not None:
        spans.append(reached)
    return spans


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("budget", type=Path, help="the experiment's budget.csv")
    parser.add_argument("runs", type=Path, help="the folder of its run folders (runs/<name>)")
    args = parser.parse_args()
    if not args.budget.is_file():
        print(f"{args.budget}: no such calibration file", file=sys.stderr)
        return 2
    lines = [
        "| run | steps | budget (s) | wall-clock (s) | s per step | wall / budget |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    with open(args.budget, newline="") as handle:
        for row in csv.DictReader(handle):
            log = args.runs / row["name"] / "train.log"
            if not log.is_file():
                lines.append(f"| {row['name']} | not run | {row['budget_seconds']} | – | – | – |")
                continue
            spans = segments(log)
            steps = sum(last - first for first, last, _ in spans)
            seconds = sum(s for _, _, s in spans)
            budget = float(row["budget_seconds"])
            lines.append(
                f"| {row['name']} | {steps} of {row['steps']} | {budget:.0f} | {seconds:.0f} | "
                f"{seconds / max(steps, 1):.3f} | {seconds / budget:.2f} |"
            )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
