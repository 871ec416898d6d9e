"""Speed of the recipe's output map, the bounded mask with the bin gate: the compiled kernels
(`refine/networks/mask_kernel.c`), the same written out in torch operators (what runs without
a compiler) and the autograd path both replace (`StepNetwork.gain`, `bounded_mask`).

    python benchmarks/mask_speed.py                       # the default training step's shape
    python benchmarks/mask_speed.py --batch 1 --frames 1251   # one 10 s clip at inference
    python benchmarks/mask_speed.py --parts bfloat16      # the output map under bf16 autocast

The step network's input x is laid out (K, B, L) in memory as the refiner's training
iterates are (`channel_major`), the output map's parts (4K, B, L) as `pointwise` writes them.
Forward alone is what inference runs; forward and backward what a training step runs at
every one of its T steps. Best of --repeats, float32, torch's threads. With --parts bfloat16
the parts arrive in bf16, as the output map writes them under `train.precision=bfloat16`, and
a fourth line times the mask's Function on the mixed dtypes as they come (what ran before
`gated_mask` cast the parts to x's float32: the torch operators, promoting as they go).
"""

import argparse

import torch

from refine.networks import gated_mask as fused_mask
from refine.networks.gated_mask import gated_mask
from refine.networks.step_net import bin_gated, bounded_mask, leashed
from refine.process.refiner import channel_major
from refine.runtime import tune_allocator
from refine.timing import best_time


def autograd_twin(x, scale, parts, leash):
    """The mask through autograd: `bin_gated`, `leashed`, `bounded_mask`, as
    `StepNetwork.gain` and `_lowered` run them."""
    logits = bin_gated(*parts.split(x.shape[1], 1), x, scale)
    return x * bounded_mask(leashed(logits, leash), "inward")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--bins", type=int, default=514, help="K: 2·257 for the complex STFT")
    parser.add_argument("--frames", type=int, default=63, help="L: 63 for 0.5 s clips")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--parts", choices=("float32", "bfloat16"), default="float32")
    args = parser.parse_args()
    tune_allocator()
    torch.manual_seed(0)
    x = channel_major(torch.randn(args.batch, args.bins, args.frames))
    scale = x.square().mean((1, 2), keepdim=True).sqrt()
    parts = channel_major(3 * torch.randn(args.batch, 4 * args.bins, args.frames))
    parts = parts.to(getattr(torch, args.parts))
    grad = channel_major(torch.randn_like(x))

    def forward(mask):
        def run():
            with torch.no_grad():
                mask(x, scale, parts, 1.0)

        return run

    def forward_backward(mask):
        def run():
            leaves = [t.detach().requires_grad_() for t in (x, scale, parts)]
            mask(*leaves, 1.0).backward(grad)

        return run

    def written_out(*inputs):
        available = fused_mask.KERNELS.available
        fused_mask.KERNELS.available = lambda: False
        try:
            return gated_mask(*inputs)
        finally:
            fused_mask.KERNELS.available = available

    paths = {"torch operators": written_out, "autograd twin": autograd_twin}
    if fused_mask.KERNELS.available():
        paths = {"compiled": gated_mask} | paths
    if args.parts == "bfloat16":
        paths["mixed dtypes, uncast"] = fused_mask._GatedMask.apply
    print(
        f"gated mask at B={args.batch}, K={args.bins}, L={args.frames}, x float32, "
        f"parts {args.parts}, "
        f"{torch.get_num_threads()} threads (best of {args.repeats}, ms)"
    )
    print(f"{'':20s}{'forward':>10s}{'fwd+bwd':>10s}")
    timed = {}
    for name, mask in paths.items():
        timed[name] = [
            best_time(forward(mask), args.repeats) * 1e3,
            best_time(forward_backward(mask), args.repeats) * 1e3,
        ]
        print(f"{name:20s}{timed[name][0]:10.2f}{timed[name][1]:10.2f}")
    if "compiled" in timed:
        for name in [name for name in timed if name != "compiled"]:
            ratios = [
                slow / fast for slow, fast in zip(timed[name], timed["compiled"], strict=True)
            ]
            print(f"compiled against {name}: {ratios[0]:.2f}x forward, {ratios[1]:.2f}x fwd+bwd")


if __name__ == "__main__":
    main()
