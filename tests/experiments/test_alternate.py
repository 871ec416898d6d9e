"""benchmarks/alternate.sh: a command run alternately in two checkouts, each with its own code
on PYTHONPATH, and SECOND_ARGS given to the second only (two settings alternated)."""

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "alternate.sh"
REPORT = "import os, sys; print('seen', os.environ['PYTHONPATH'], *sys.argv[1:])"


def alternate(first: Path, second: Path, runs: int, second_args: str = "") -> list[str]:
    env = dict(os.environ, SECOND_ARGS=second_args)
    command = ["bash", str(SCRIPT), str(first), str(second), str(runs), "^seen"]
    command += [sys.executable, "-c", REPORT, "shared"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


def test_runs_alternate_each_in_its_checkout(tmp_path):
    before, after = tmp_path / "before", tmp_path / "after"
    before.mkdir(), after.mkdir()
    lines = alternate(before, after, 2)
    assert lines == [
        f"{before} run 1: seen {before} shared",
        f"{after} run 1: seen {after} shared",
        f"{before} run 2: seen {before} shared",
        f"{after} run 2: seen {after} shared",
    ]


def test_second_args_reach_the_second_run_only(tmp_path):
    lines = alternate(tmp_path, tmp_path, 1, "train.precision=bfloat16 --steps 5")
    assert lines == [
        f"{tmp_path} run 1: seen {tmp_path} shared",
        f"{tmp_path} train.precision=bfloat16 --steps 5 run 1: seen {tmp_path} shared "
        "train.precision=bfloat16 --steps 5",
    ]
