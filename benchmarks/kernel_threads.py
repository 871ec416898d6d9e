"""Does splitting a compiled kernel over threads pay where it runs: inside a training step,
right after torch's own parallel operators?

    python benchmarks/kernel_threads.py
    bash benchmarks/alternate.sh BEFORE . 3 '^split' python "$PWD/benchmarks/kernel_threads.py"

The gated mask (`refine/networks/mask_kernel.c`) at the default training step's shape, each
call right after a torch matmul as in a step, its rows split over torch's threads or kept on
one (`PARALLEL_WORK` raised past the work). Medians of --calls calls, not the best: what a
split costs here is the calls where the second thread starts late, on a core that one of
torch's OpenMP threads is still spinning on after the matmul (`refine/networks/
parallel_rows.h`). The script uses only what older checkouts have too, so that
`alternate.sh` can run it, by its absolute path, against one (e.g. Python threads, before
the kernels split on OpenMP).
"""

import argparse
import statistics
import time

import torch

from refine.networks import gated_mask as fused_mask
from refine.networks.gated_mask import gated_mask
from refine.process.refiner import channel_major
from refine.runtime import tune_allocator


def medians(x, scale, parts, grad, calls: int) -> tuple[float, float]:
    """Median seconds of the mask's forward and of its backward, each after a matmul."""
    between = torch.randn(256, 256)
    forward, backward = [], []
    for _ in range(calls):
        leaves = [t.detach().requires_grad_() for t in (x, scale, parts)]
        between @ between
        started = time.perf_counter()
        y = gated_mask(*leaves, 1.0)
        forward.append(time.perf_counter() - started)
        between @ between
        started = time.perf_counter()
        y.backward(grad)
        backward.append(time.perf_counter() - started)
    return statistics.median(forward), statistics.median(backward)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    tune_allocator()
    torch.manual_seed(0)
    x = channel_major(torch.randn(16, 514, 63))  # the default step's (B, K, L)
    scale = x.square().mean((1, 2), keepdim=True).sqrt()
    parts = channel_major(3 * torch.randn(16, 4 * 514, 63))
    grad = channel_major(torch.randn_like(x))
    if not fused_mask.KERNELS.available():
        raise SystemExit("no C compiler builds the mask kernel here: nothing to split")
    split = medians(x, scale, parts, grad, args.calls)
    threshold = fused_mask.PARALLEL_WORK
    fused_mask.PARALLEL_WORK = x.numel() + 1  # on one thread
    one = medians(x, scale, parts, grad, args.calls)
    fused_mask.PARALLEL_WORK = threshold
    print(
        f"split over {torch.get_num_threads()} threads: forward {split[0] * 1e3:.2f} ms, "
        f"backward {split[1] * 1e3:.2f} ms; on one thread: forward {one[0] * 1e3:.2f} ms, "
        f"backward {one[1] * 1e3:.2f} ms (medians of {args.calls} calls after a matmul)"
    )


if __name__ == "__main__":
    main()
