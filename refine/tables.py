"""Rows of dicts as a CSV file and a Markdown table: the experiment scripts' results tables."""

import csv
from pathlib import Path


def markdown(rows: list[dict]) -> str:
    """A Markdown table: the first row's keys are the header."""
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(str(value) for value in row.values()) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def write_tables(rows: list[dict], stem: Path) -> str:
    """Write stem.csv and stem.md; returns the Markdown."""
    with open(stem.with_suffix(".csv"), "w", newline="") as file:
        writer = csv.DictWriter(file, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    table = markdown(rows)
    stem.with_suffix(".md").write_text(table)
    return table
