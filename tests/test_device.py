"""Device choice and mixed precision: CUDA when present, the CPU otherwise; bf16 autocast
leaves the LRU recurrence in float32."""

import pytest
import torch

from refine.device import autocast, pick_device
from refine.lru import LRU
from refine.train import train
from tests.test_train import tiny_config


def test_auto_picks_cuda_only_when_torch_sees_a_gpu():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert pick_device("auto").type == expected
    assert pick_device("cpu").type == "cpu"
    with pytest.raises(ValueError, match="train.device must be one of"):
        pick_device("tpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is present")
def test_asking_for_cuda_without_a_gpu_is_refused():
    with pytest.raises(ValueError, match="torch sees no GPU"):
        pick_device("cuda")


def test_the_lru_recurrence_runs_in_float32_under_bf16_autocast():
    torch.manual_seed(0)
    lru, u = LRU(8, 4), torch.randn(2, 50, 8)
    expected, _ = lru(u)
    with autocast(torch.device("cpu"), "bfloat16"):
        assert torch.nn.functional.linear(u, torch.eye(8)).dtype == torch.bfloat16  # it is on
        y, h_n = lru(u)
    assert y.dtype == torch.float32 and h_n.dtype == torch.complex64
    assert torch.equal(y, expected)
    with pytest.raises(ValueError, match="train.precision must be one of"):
        autocast(torch.device("cpu"), "float16")


def test_a_bf16_run_trains_on_the_cpu(tmp_path):
    history = train(tiny_config("train.steps=2", "train.precision=bfloat16"), tmp_path)
    assert all(torch.isfinite(torch.tensor(e["si_sdr"])) for e in history[-1]["per_step"])
