"""Sweeps on Hydra's launchers: every combination in a folder named from its overrides,
run in parallel by joblib or as jobs by submitit, and overlaid by refine-plot."""

import csv
import subprocess
import sys

import pytest
from hydra import compose, initialize_config_dir

from refine.cli import CONFIG_DIR
from refine.cli.plot import main as plot_main
from tests.train.test_train import TINY


def sweep(sweep_dir, *overrides: str) -> None:
    """A multirun of the tiny model; run folders named from the swept keys only."""
    swept = {setting.split("=")[0] for setting in overrides}
    fixed = [s for s in [*TINY, "train.steps=2", "train.threads=1"] if s.split("=")[0] not in swept]
    unnamed = ",".join(setting.split("=")[0] for setting in fixed)
    command = [
        sys.executable,
        "-m",
        "refine.cli.train",
        "-m",
        *fixed,
        f"hydra.sweep.dir={sweep_dir}",
    ]
    command += [f"hydra.job.config.override_dirname.exclude_keys=[{unnamed}]", *overrides]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]


def test_a_parallel_sweep_trains_every_combination_and_plots_as_one_overlay(tmp_path, capsys):
    sweep(tmp_path, "hydra/launcher=parallel", "model.steps=1,2", "schedule=quadratic,linear")
    runs = sorted(p.parent.name for p in tmp_path.glob("*/checkpoint.pt"))
    assert len(runs) == 4
    assert runs == [
        f"model.steps={t},schedule={s}" for t in (1, 2) for s in ("linear", "quadratic")
    ]

    plot_main([str(tmp_path), "--formats", "png"])
    with open(tmp_path / "overlay_summary.csv") as file:
        rows = {row["label"]: row for row in csv.DictReader(file)}
    assert sorted(rows) == runs
    assert {row["trained_steps"] for row in rows.values()} == {"1", "2"}
    assert all(row["best_step"] and row["knee_step"] for row in rows.values())
    assert (tmp_path / "overlay_per_step.png").stat().st_size > 0
    with pytest.raises(SystemExit) as exit_:  # its runs name themselves
        plot_main([str(tmp_path), "--labels", "a"])
    assert exit_.value.code == 2 and "is a sweep, labelled by its runs" in capsys.readouterr().err


def test_the_slurm_config_composes_and_submitit_runs_a_sweep_as_jobs(tmp_path):
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        cfg = compose("config", ["hydra/launcher=slurm"], return_hydra_config=True)
    launcher = cfg.hydra.launcher
    assert launcher._target_.endswith("submitit_launcher.SlurmLauncher")
    assert (launcher.gpus_per_node, launcher.max_num_timeout) == (1, 3)

    sweep(tmp_path, "hydra/launcher=submitit_local", "model.steps=1,2")
    assert len(list(tmp_path.glob("*/checkpoint.pt"))) == 2
    assert list(tmp_path.glob(".submitit/*"))  # the jobs' submitit folders
