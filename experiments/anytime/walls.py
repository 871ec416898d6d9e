"""The wall-clock each equal-time run really trained for, from its train.log, against the
budget its step count was calibrated to spend (budget.csv).

    python experiments/anytime/walls.py experiments/anytime/budget_4x/budget.csv \
        experiments/anytime/budget_4x runs/budget_4x \
        --previous experiments/anytime/budget_4x/walls.md

The step counts of an equal-time experiment are fixed once from a calibration; when the code
gets faster or slower afterwards, or one width's step changes more than another's, the runs
no longer spend the same time. This says by how much. A run stopped and resumed is counted
segment by segment: from each start ("… parameters on …") to the last validation or the
end of training in that segment, so work lost at an interruption is not counted.
Each run's log is looked for as <folder>/<name>/train.log in the folders given, first found
first (the experiment's records keep it; runs/ has it while the run is there). A run whose log
is in none of them keeps its row of the --previous table, if that has one (a run trained
before its records kept the log), and is otherwise "not run".
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


def previous_rows(table: Path | None) -> dict[str, str]:
    """{run: its row} of an earlier walls.md, for runs whose logs are gone."""
    if table is None or not table.is_file():
        return {}
    rows = [line for line in table.read_text().splitlines() if line.startswith("| ")]
    return {row.split("|")[1].strip(): row for row in rows[1:] if "not run" not in row}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("budget", type=Path, help="the experiment's budget.csv")
    parser.add_argument(
        "folders", type=Path, nargs="+", help="folders of <name>/train.log, searched in order"
    )
    parser.add_argument("--previous", type=Path, help="an earlier table whose rows are kept")
    args = parser.parse_args()
    if not args.budget.is_file():
        print(f"{args.budget}: no such calibration file", file=sys.stderr)
        return 2
    kept = previous_rows(args.previous)
    lines = [
        "| run | steps | budget (s) | wall-clock (s) | s per step | wall / budget |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    with open(args.budget, newline="") as handle:
        for row in csv.DictReader(handle):
            logs = [folder / row["name"] / "train.log" for folder in args.folders]
            log = next((log for log in logs if log.is_file()), None)
            if log is None:
                lines.append(
                    kept.get(row["name"])
                    or f"| {row['name']} | not run | {row['budget_seconds']} | – | – | – |"
                )
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
