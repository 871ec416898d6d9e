"""Rows of dicts as a CSV file and a Markdown table: the results tables of the experiment
scripts, the corpus manifest and the budget calibration. Both are written atomically."""

import csv
from pathlib import Path

from refine.files import atomic_path, write_text_atomic


def write_csv(path: Path, rows: list[dict], columns: list[str] | None = None) -> None:
    """Write rows to a CSV file; the header is `columns`, or else the first row's keys (give
    `columns` when there may be no rows)."""
    with atomic_path(path) as temporary, open(temporary, "w", newline="") as file:
        writer = csv.DictWriter(file, columns or list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def markdown(rows: list[dict]) -> str:
    """A Markdown table: the first row's keys are the header."""
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(str(value) for value in row.values()) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def write_tables(rows: list[dict], stem: Path) -> str:
    """Write stem.csv and stem.md; returns the Markdown."""
    write_csv(stem.with_suffix(".csv"), rows)
    table = markdown(rows)
    write_text_atomic(stem.with_suffix(".md"), table)
    return table
