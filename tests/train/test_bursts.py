"""Batches made in bursts (`BurstLoader`) are the DataLoader's batches, in its order, epoch
after epoch, and a run trained with them is the run trained without."""

import signal

import pytest
import torch
from torch.utils.data import DataLoader

from refine.cli.settings import training_problems
from refine.cli.train import train_from_config
from refine.data import SyntheticDataset
from refine.data.order import ShardedBatches
from refine.process.checkpoint import load_checkpoint
from refine.train.bursts import BurstLoader
from tests.train.test_train import tiny_config


def test_bursts_give_the_data_loaders_batches_in_its_order_every_epoch():
    dataset = SyntheticDataset(14, segment_seconds=0.05)

    def order():  # 4 batches an epoch, resumed after 1; a sampler walks on from epoch to epoch
        return ShardedBatches(len(dataset), 3, seed=4, start=1)

    batches = DataLoader(dataset, batch_sampler=order())
    expected = [batch for _ in range(2) for batch in batches]
    loader = BurstLoader(dataset, order(), workers=2, burst=3)  # a whole and a partial burst
    try:
        got = [batch for _ in range(2) for batch in loader]
    finally:
        loader.close()
    assert len(got) == len(expected) == 7  # the resumed epoch's 3, then a whole one
    for a, b in zip(got, expected, strict=True):
        assert a["noise_kind"] == b["noise_kind"]
        for key in ("noisy", "clean", "noise", "snr_db"):
            torch.testing.assert_close(a[key], b[key], rtol=0, atol=0)


def test_a_run_trained_on_bursts_is_the_run_trained_on_the_data_loader(tmp_path):
    weights = {}
    for name, loading in (("loader", []), ("bursts", ["train.bursts=2"])):  # 3 steps: 2 bursts
        train_from_config(tiny_config("train.steps=3", *loading), tmp_path / name)
        weights[name] = load_checkpoint(tmp_path / name / "checkpoint.pt")["model"]
    assert weights["bursts"].keys() == weights["loader"].keys()
    for key, value in weights["bursts"].items():
        torch.testing.assert_close(value, weights["loader"][key], rtol=1e-6, atol=1e-7)


def _interrupt_handler(_):
    return signal.getsignal(signal.SIGINT)


def test_ctrl_c_is_left_to_the_training_process():
    # The trainer's handler, set here: a test run started in the background (nohup, `&`)
    # inherits SIGINT ignored, which would make both checks below pass without the loader.
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        loader = BurstLoader(
            SyntheticDataset(4, segment_seconds=0.05), [[0, 1]], workers=1, burst=1
        )
        try:
            assert loader.pool.submit(_interrupt_handler, None).result() == signal.SIG_IGN
        finally:
            loader.close()
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the trainer's kept
    finally:
        signal.signal(signal.SIGINT, inherited)


def test_bursts_must_be_a_whole_number():
    assert any("train.bursts" in line for line in training_problems(tiny_config("train.bursts=-1")))
    with pytest.raises(ValueError, match="workers >= 1 and burst >= 1"):
        BurstLoader(SyntheticDataset(4, segment_seconds=0.05), [[0, 1]], workers=1, burst=0)
