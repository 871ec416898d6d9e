"""Data-parallel training under torchrun: two processes average their shares' gradients into
the one-process gradient of the global batch, and only rank 0 logs and checkpoints.

What data parallelism promises is the gradient, to float32 summation order. The weights
after several AdamW steps are not compared: two processes sum in another order than one,
BLAS kernels differ between CPUs, and Adam turns a 1e-9 difference in a near-zero gradient
into a whole learning-rate step."""

import subprocess
import sys
from pathlib import Path

import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from refine.cli.train import train_from_config
from tests.train.distributed_gradients import first_batch_gradients
from tests.train.test_train import TINY, tiny_config

OVERRIDES = ["train.batch_size=4", "train.mode=truncated", "train.segment=1"]
TORCHRUN = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2"]
REPOSITORY = Path(__file__).parents[2]  # where `-m tests.…` resolves, from any working folder


def loss_curve(run_dir) -> list[float]:
    (events,) = run_dir.glob("events.out.tfevents.*")  # one writer: rank 0's
    accumulator = EventAccumulator(str(events))
    accumulator.Reload()
    return [event.value for event in accumulator.Scalars("train/loss")]


def test_two_processes_average_their_gradients_into_the_gradient_of_one(tmp_path):
    command = [
        *TORCHRUN,
        "-m",
        "tests.train.distributed_gradients",
        str(tmp_path / "g.pt"),
        *OVERRIDES,
    ]
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPOSITORY)
    assert result.returncode == 0, result.stderr[-2000:]

    two = torch.load(tmp_path / "g.pt")
    one = first_batch_gradients(OVERRIDES)
    assert two.keys() == one.keys()
    for name, gradient in one.items():
        assert gradient.norm() > 0, name  # every parameter is tested, not only the last map
        error = (two[name] - gradient).norm()
        assert error <= 1e-4 * gradient.norm(), f"{name}: {error:.2e} of {gradient.norm():.2e}"


def test_two_processes_train_on_one_global_batch_and_only_rank_zero_logs(tmp_path):
    overrides = ["train.steps=4", *OVERRIDES]
    train_from_config(tiny_config(*overrides), tmp_path / "one")
    command = [*TORCHRUN, "-m", "refine.train", *TINY, *overrides]
    result = subprocess.run(command + [f"hydra.run.dir={tmp_path / 'two'}"], capture_output=True)
    assert result.returncode == 0, result.stderr[-2000:]

    one, two = loss_curve(tmp_path / "one"), loss_curve(tmp_path / "two")
    assert len(one) == len(two) == 4
    # The first loss is of the same weights on the same global batch, so it agrees to float32
    # summation order; the later ones only as far as the optimiser's steps do.
    assert abs(two[0] - one[0]) <= 1e-5 * abs(one[0])
    assert torch.allclose(torch.tensor(two), torch.tensor(one), rtol=0.05)
    log = (tmp_path / "two" / "train.log").read_text()
    assert log.count("validation SI-SDR") == 2  # steps 2 and 4, logged by rank 0 only
    assert "on cpu ×2" in log
