"""Data-parallel training under torchrun: two processes train like one on the same global
batch, and only rank 0 logs and checkpoints."""

import subprocess
import sys

import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from refine.checkpoint import load_checkpoint
from refine.train import train
from tests.test_train import TINY, tiny_config


def loss_curve(run_dir) -> list[float]:
    (events,) = run_dir.glob("events.out.tfevents.*")  # one writer: rank 0's
    accumulator = EventAccumulator(str(events))
    accumulator.Reload()
    return [event.value for event in accumulator.Scalars("train/loss")]


def test_two_processes_give_the_loss_curve_and_weights_of_one(tmp_path):
    overrides = ["train.steps=4", "train.batch_size=4", "train.mode=truncated", "train.segment=1"]
    train(tiny_config(*overrides), tmp_path / "one")
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2"]
    command += ["-m", "refine.train", *TINY, *overrides, f"hydra.run.dir={tmp_path / 'two'}"]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]

    one, two = loss_curve(tmp_path / "one"), loss_curve(tmp_path / "two")
    assert len(one) == len(two) == 4
    assert torch.allclose(torch.tensor(two), torch.tensor(one), rtol=1e-5)
    weights = load_checkpoint(tmp_path / "one" / "checkpoint.pt")["model"]
    shared = load_checkpoint(tmp_path / "two" / "checkpoint.pt")["model"]
    for name, weight in weights.items():
        assert torch.allclose(shared[name], weight, rtol=1e-4, atol=1e-6), name
    log = (tmp_path / "two" / "train.log").read_text()
    assert log.count("validation SI-SDR") == 2  # steps 2 and 4, logged by rank 0 only
    assert "on cpu ×2" in log
