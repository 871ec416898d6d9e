"""Peak memory of one training step as the unroll grows, per training mode.

    python benchmarks/unroll_memory.py                 # T = 1, 4, 16, 64
    python benchmarks/unroll_memory.py --steps 1 4 16

Each (mode, T) runs in a fresh process; the number is the growth of its peak resident memory
during one forward+backward of the unrolled loss, above the memory it held before. Full
backprop keeps every step's activations (grows with T); gradient checkpointing keeps only the
T iterates and one step's activations; truncation and segmented teacher forcing
backpropagate `segment` steps at a time.

Children run with glibc's mmap threshold fixed at 64 KiB (MALLOC_MMAP_THRESHOLD_), so every
tensor above that is its own mapping, returned when freed, and peak resident memory follows
the live tensors. With glibc's default dynamic threshold, freed blocks stay in the heap and
the high-water mark showed 5 MiB per step of growth under checkpointing that no tensor held.
"""

import argparse
import json
import os
import resource
import subprocess
import sys

import torch

from refine.process.build import build_refiner

MODES = {
    "full": dict(mode="full"),
    "full + checkpointing": dict(mode="full", checkpoint=True),
    "truncated, k=4": dict(mode="truncated", segment=4),
    "teacher-forced, 4 per batch": dict(mode="teacher_forced", segment=4),
}


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def one_step(mode: str, steps: int, batch: int, seconds: float) -> float:
    """MiB of peak memory added by one training step of `mode` with T = steps."""
    torch.manual_seed(0)
    spec = {
        "model": {"steps": steps, "d_model": 32, "d_state": 32, "n_layers": 2},
        "domain": {"name": "waveform"},
        "schedule": {"name": "quadratic"},
    }
    refiner = build_refiner(spec)
    torch.nn.init.normal_(refiner.step_net.lower.weight, std=0.01)
    noisy = torch.randn(batch, 1, int(16000 * seconds))
    noise = torch.randn_like(noisy)
    before = peak_mib()
    for part, _ in refiner.training_losses(noisy, noise, **MODES[mode]):
        part.backward()
    return peak_mib() - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[1, 4, 16, 64])
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=0.25)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "T"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_step(args.child[0], int(args.child[1]), args.batch, args.seconds)))
        return

    print(
        f"peak memory of one training step (MiB), LRU_UNet d_model=32, waveform, "
        f"batch {args.batch} x {args.seconds:g} s"
    )
    print(f"{'mode':30s}" + "".join(f"{'T=' + str(t):>9s}" for t in args.steps))
    for mode in MODES:
        row = []
        for steps in args.steps:
            command = [sys.executable, __file__, "--child", mode, str(steps)]
            command += ["--batch", str(args.batch), "--seconds", str(args.seconds)]
            env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="65536")
            result = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
            row.append(json.loads(result.stdout.strip().splitlines()[-1]))
        print(f"{mode:30s}" + "".join(f"{mib:9.0f}" for mib in row), flush=True)


if __name__ == "__main__":
    main()
