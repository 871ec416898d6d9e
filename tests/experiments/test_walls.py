"""experiments/anytime/walls.py: a run's wall-clock from the log its records keep, and the rows
of runs whose logs are gone kept from the previous table rather than lost."""

import sys
from pathlib import Path

from tests.experiments import load_script


def write_log(folder: Path, lines: list[str]) -> None:
    folder.mkdir(parents=True)
    (folder / "train.log").write_text("\n".join(lines) + "\n")


def test_walls_reads_records_then_runs_then_keeps_previous_rows(tmp_path, monkeypatch, capsys):
    walls = load_script("anytime/walls.py")
    budget = tmp_path / "budget.csv"
    budget.write_text(
        "name,overrides,seconds,budget_seconds,steps\n"
        "A,,0.5,100,200\nB,,0.5,100,200\nC,,0.5,100,200\nD,,0.5,100,200\n"
    )
    stamp = "[2026-11-30 10:00:{:02d},000][refine.train.loop][INFO] - "
    start = stamp.format(0) + "1.00 M parameters on cpu ×1; run folder runs/x/A"
    write_log(tmp_path / "records" / "A", [start, stamp.format(50) + "step 200: validation +1 dB"])
    write_log(tmp_path / "runs" / "A", [start, stamp.format(10) + "step 200: validation +1 dB"])
    write_log(tmp_path / "runs" / "B", [start, stamp.format(20) + "step 100: validation +1 dB"])
    previous = tmp_path / "walls.md"
    previous.write_text(
        "| run | steps | budget (s) | wall-clock (s) | s per step | wall / budget |\n"
        "|---|--:|--:|--:|--:|--:|\n"
        "| C | 200 of 200 | 100 | 101 | 0.505 | 1.01 |\n"
        "| D | not run | 100 | – | – | – |\n"
    )
    argv = ["walls.py", str(budget), str(tmp_path / "records"), str(tmp_path / "runs")]
    monkeypatch.setattr(sys, "argv", argv + ["--previous", str(previous)])
    assert walls.main() == 0
    rows = capsys.readouterr().out.splitlines()[2:]
    assert rows == [
        "| A | 200 of 200 | 100 | 50 | 0.250 | 0.50 |",  # the records' log, not runs/ one
        "| B | 100 of 200 | 100 | 20 | 0.200 | 0.20 |",
        "| C | 200 of 200 | 100 | 101 | 0.505 | 1.01 |",  # kept: its log is gone
        "| D | not run | 100 | – | – | – |",
    ]
