"""Device choice and mixed precision: CUDA when present, the CPU otherwise; bf16 autocast
leaves the LRU recurrence in float32."""

import pytest
import torch

from refine.cli.train import refiner_spec, train_from_config
from refine.device import autocast, device_of, pick_device
from refine.networks.lru import LRU
from refine.process.build import build_refiner
from tests.train.test_train import tiny_config


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
    history = train_from_config(tiny_config("train.steps=2", "train.precision=bfloat16"), tmp_path)
    assert all(torch.isfinite(torch.tensor(e["si_sdr"])) for e in history[-1]["per_step"])


@pytest.mark.parametrize("domain", ["waveform", "stft_complex", "stft_magnitude"])
@pytest.mark.parametrize("mode", ["full", "teacher_forced"])
def test_training_creates_every_tensor_on_the_model_device(domain, mode):
    """The meta device stands in for a GPU: a tensor made on the CPU inside the forward or
    backward (an arange without device=) meets the model's tensors and raises."""
    cfg = tiny_config(f"domain={domain}", "model.condition=true")
    refiner = build_refiner(refiner_spec(cfg)).to("meta")
    noisy, noise = torch.randn(2, 1, 4000, device="meta"), torch.randn(2, 1, 4000, device="meta")
    for part, errors in refiner.training_losses(noisy, noise, mode):
        part.backward()
        assert errors.device.type == "meta"
    assert all(p.grad.device.type == "meta" for p in refiner.parameters())


def errors_and_gradients(refiner, noisy, noise, mode):
    """One batch's per-step errors (on the CPU) and the gradient of every parameter (a list,
    on the CPU), from a fresh backward through `refiner` on noisy and noise's device."""
    device = device_of(refiner)
    losses = refiner.training_losses(noisy.to(device), noise.to(device), mode)
    errors = []
    for part, part_errors in losses:
        part.backward()
        errors.append(part_errors.cpu())
    return torch.cat(errors), [p.grad.cpu() for p in refiner.parameters()]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
@pytest.mark.parametrize("domain", ["waveform", "stft_complex", "stft_magnitude"])
@pytest.mark.parametrize("mode", ["full", "teacher_forced"])
def test_a_gpu_computes_the_cpus_losses_and_gradients(domain, mode, monkeypatch):
    """The CUDA path (the chunked scan, the mask's torch operators, cuFFT) against the CPU's
    (the compiled scan and mask kernels): one batch's per-step errors and every gradient to
    float32 tolerance. TF32 is off, or the GPU's matmuls would round to 10-bit mantissas."""
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)
    monkeypatch.setattr(torch.backends.cuda.matmul, "allow_tf32", False)
    cfg = tiny_config(f"domain={domain}", "model.d_model=32", "model.d_state=16")
    cpu = build_refiner(refiner_spec(cfg))
    gpu = build_refiner(refiner_spec(cfg)).cuda()
    gpu.load_state_dict(cpu.state_dict())
    noise = 0.3 * torch.randn(2, 1, 4000)
    noisy = torch.sin(torch.arange(4000) / 9.0).expand(2, 1, -1) + noise
    cpu_errors, cpu_grads = errors_and_gradients(cpu, noisy, noise, mode)
    gpu_errors, gpu_grads = errors_and_gradients(gpu, noisy, noise, mode)
    torch.testing.assert_close(gpu_errors, cpu_errors, rtol=1e-4, atol=1e-6)
    names = [name for name, _ in cpu.named_parameters()]
    for name, on_cpu, on_gpu in zip(names, cpu_grads, gpu_grads, strict=True):
        scale, gap = on_cpu.norm().item(), (on_gpu - on_cpu).norm().item()
        assert gap <= 1e-3 * scale + 1e-7, f"{name}: gradient off by {gap:.2e} of {scale:.2e}"
