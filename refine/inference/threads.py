"""How many threads to denoise with: all of them, or one when another program keeps a core busy.

torch's OpenMP threads wait for each other at every parallel operator, so a thread that
shares its core with another program holds every step up. On 2 cores with one kept busy
(`benchmarks/denoise_speed.py --busy 1`, README, Speed), 2 threads ran the `real_noise`
model's 4 steps on 3 s at RTF 0.043–0.068 against 0.015–0.016 on 1 thread, where with both
cores free 2 threads were the quicker (0.012–0.014 against 0.017). Which holds is a property
of the moment, not of the machine, so `quicker_threads` times a short probe both ways and
keeps the quicker (`refine-denoise --threads auto`). One thread must be clearly quicker
(`MARGIN`): the probe is shorter than the chunks that follow, and longer work gains more
from threads, so a near tie on the probe still favours all of them.
"""

import math
import time
from collections.abc import Callable

import torch

from refine.inference.enhance import Model, enhance

MARGIN = 1.1  # one thread is kept only when the probe runs this many times quicker on it


def quicker_threads(
    probe: Callable[[], object],
    most: int,
    repeats: int = 3,
    clock: Callable[[], float] = time.perf_counter,
) -> tuple[int, dict[int, float]]:
    """Time `probe()` with `most` threads and with one (a warm-up, then the best of
    `repeats`), set torch to the quicker count and return it with each count's seconds;
    `most` itself, untimed, when it is 1 or less. One thread must be `MARGIN` times quicker."""
    if most <= 1:
        torch.set_num_threads(max(most, 1))
        return max(most, 1), {}
    seconds = {}
    for threads in (most, 1):
        torch.set_num_threads(threads)
        probe()
        best = math.inf
        for _ in range(repeats):
            started = clock()
            probe()
            best = min(best, clock() - started)
        seconds[threads] = best
    chosen = 1 if seconds[1] * MARGIN < seconds[most] else most
    torch.set_num_threads(chosen)
    return chosen, seconds


def denoising_probe(model: Model, seconds: float = 5.0) -> Callable[[], object]:
    """One refinement step of `model` on `seconds` of quiet noise at its own rate: as long
    as a step on a short file, short enough to time a few times before the real work."""
    generator = torch.Generator().manual_seed(0)
    audio = 0.01 * torch.randn(1, round(seconds * model.sample_rate), generator=generator)
    return lambda: enhance(audio, model.sample_rate, model, steps=1)
