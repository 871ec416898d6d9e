"""experiments/pretrained/trace_commands.sh: the commands a script runs, listed without running
them, at a commit or with the working tree's changes, every evaluation listed."""

import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[2] / "experiments" / "pretrained" / "trace_commands.sh"
STUDY = """set -euo pipefail
BIN=${BIN:-.venv/bin}
$BIN/refine-train train.seed=19 hydra.run.dir=runs/arm
[ -f records/summary.json ] || $BIN/refine-eval checkpoint=runs/arm/refine.pt hydra.run.dir=out
cp out/summary.json records/summary.json
$BIN/python paired.py "control, seed 19" "arm, seed 19" > records/paired.md
"""


def git(repo: Path, *args: str) -> None:
    identity = ["-c", "user.name=test", "-c", "user.email=test@example.org"]
    subprocess.run(["git", *identity, *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with a study script and a committed record it would skip."""
    (tmp_path / "records").mkdir()
    (tmp_path / "records" / "summary.json").write_text("{}")
    (tmp_path / "study.sh").write_text(STUDY)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "study")
    return tmp_path


def trace(repo: Path, commit: str) -> subprocess.CompletedProcess:
    command = ["bash", str(SCRIPT), commit, "study.sh"]
    return subprocess.run(command, cwd=repo, capture_output=True, text=True)


def test_lists_every_command_with_its_arguments_in_order(repo):
    done = trace(repo, "HEAD")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "refine-train train.seed=19 hydra.run.dir=runs/arm",
        "refine-eval checkpoint=runs/arm/refine.pt hydra.run.dir=out",
        "python paired.py control, seed 19 arm, seed 19",
    ]
    assert (repo / "records" / "summary.json").read_text() == "{}"  # the repository untouched
    assert not (repo / "runs").exists()


def test_work_lists_the_working_tree_and_a_commit_its_own(repo):
    (repo / "study.sh").write_text(STUDY.replace("seed=19", "seed=20"))
    assert "train.seed=20" in trace(repo, "work").stdout
    assert "train.seed=19" in trace(repo, "HEAD").stdout


def test_a_failing_script_says_so_and_fails(repo):
    (repo / "study.sh").write_text("echo 'no data here' >&2; exit 3\n")
    done = trace(repo, "work")
    assert done.returncode == 3
    assert "study.sh exited 3" in done.stderr and "no data here" in done.stderr
