"""Where training runs and in which precision: the same commands on a CPU or a GPU.

`train.device=auto` picks CUDA when torch sees a GPU and the CPU otherwise, so a config
written on a laptop runs unchanged on a cluster node. `train.precision=bfloat16` runs the
step network's forward under autocast (matmuls and convolutions in bf16: about twice the
throughput on recent GPUs and CPUs with AMX, and the default recipe trained 1.23x faster at
no cost on a 2-core CPU with AVX512_BF16, `experiments/precision/`; where bf16 is emulated,
several times slower); the LRU recurrence itself stays in float32
(`refine.networks.lru.LRU.forward`), because λ^k over thousands of steps loses bf16's 8-bit mantissa
quickly, and backward runs outside autocast as torch recommends.
"""

from contextlib import AbstractContextManager

import torch

DEVICES = ("auto", "cpu", "cuda")
PRECISIONS = ("float32", "bfloat16")


def pick_device(name: str) -> torch.device:
    """'auto' → CUDA if available, else the CPU; 'cpu'; 'cuda' (refused without a GPU)."""
    if name not in DEVICES:
        raise ValueError(f"train.device must be one of {DEVICES}, got {name!r}")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("train.device=cuda but torch sees no GPU: use train.device=auto or cpu")
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(name)


def autocast(device: torch.device, precision: str) -> AbstractContextManager:
    """The forward's precision context: bf16 autocast, or a disabled one for float32."""
    if precision not in PRECISIONS:
        raise ValueError(f"train.precision must be one of {PRECISIONS}, got {precision!r}")
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=precision == "bfloat16")


def device_of(module: torch.nn.Module) -> torch.device:
    """Where a module's parameters live (the CPU for one without parameters)."""
    return next(iter(module.parameters()), torch.empty(0)).device


def synchronize(device: torch.device) -> None:
    """Wait for the work queued on `device` (a no-op on the CPU), so that a wall clock read
    next times what ran, not what was launched: GPU operators return before they finish."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
