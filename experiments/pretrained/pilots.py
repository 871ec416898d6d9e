"""The pilots side by side: each one's share of the oracle IRM's SI-SDR gain at step 4 on
the real recordings, one column per pilot (pilot.sh writes their ceiling tables).

    python experiments/pretrained/pilots.py experiments/pretrained/pilots

writes PILOTS/summary.md and PILOTS/summary.csv; the baseline `recipe` comes first.
"""

import argparse
from pathlib import Path

from refine.study.records import read_csv
from refine.tables import write_tables

BASELINE = "recipe"  # pilot.sh with no overrides: the shipped recipe at 2000 steps
SHARE = "model / IRM"  # the ceiling table's column


def shares(table: Path) -> dict[tuple[str, str], int]:
    """{(test set, input): percent} of one pilot's ceiling.csv."""
    return {
        (row["test set"], row["input"]): int(row[SHARE].rstrip("%"))
        for row in read_csv(table, ("test set", "input", SHARE))
    }


def summary_rows(pilots: Path) -> list[dict]:
    tables = {
        folder.name: shares(folder / "ceiling.csv")
        for folder in pilots.iterdir()
        if (folder / "ceiling.csv").is_file()
    }
    if BASELINE not in tables:
        raise SystemExit(f"{pilots}: no {BASELINE}/ceiling.csv (run pilot.sh {BASELINE} first)")
    names = [BASELINE] + sorted(name for name in tables if name != BASELINE)
    rows = [
        {"test set": test_set, "input": level}
        | {name: f"{tables[name][test_set, level]}%" for name in names}
        for test_set, level in tables[BASELINE]
    ]
    means = {name: sum(tables[name].values()) / len(tables[name]) for name in names}
    rows.append({"test set": "mean", "input": ""} | {n: f"{means[n]:.1f}%" for n in names})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pilots", type=Path, help="folder of pilot.sh results")
    pilots = parser.parse_args().pilots
    print(write_tables(summary_rows(pilots), pilots / "summary"), end="")


if __name__ == "__main__":
    main()
