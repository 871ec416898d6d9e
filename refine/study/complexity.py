"""What a model costs: parameters and multiply-accumulates per second of audio.

MACs are counted by torch's FlopCounterMode over one refinement step on one second of audio
(matrix multiplications and convolutions; the LRU's recurrence, one complex multiply-add per
state and step, the FFTs of the STFT domains and elementwise operations are not counted: a
few percent). One FLOP count is two MACs. Time per step is measured separately (refine-eval's
RTF). Counts made before the LRU's scan became elementwise (field/field.md of
experiments/anytime) included the chunked scan's Toeplitz matmuls, 16 complex multiply-adds
per state and step.
"""

import torch
from torch.utils.flop_counter import FlopCounterMode

from refine.device import device_of


def parameter_count(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


@torch.no_grad()
def macs_per_second(refiner, sample_rate: int, channels: int = 1) -> int:
    """Multiply-accumulates of one refinement step per second of audio (mono by default)."""
    device = device_of(refiner)
    audio = torch.zeros(1, channels, sample_rate, device=device)
    audio[..., ::7] = 1.0  # not silence: every path of the network runs
    with FlopCounterMode(display=False) as counter:
        refiner.refine(audio, steps=1, patience=None)
    return counter.get_total_flops() // 2
