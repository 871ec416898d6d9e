"""Where a training step's time goes, and how close it runs to this machine's matmul speed.

    python benchmarks/train_step.py                              # the refine-train defaults
    python benchmarks/train_step.py model.update=mask train.threads=1   # any overrides
    python benchmarks/train_step.py --compile       # the step network under torch.compile

One step of the configured run (its data loader, training mode and optimiser, as
refine-train builds them) is timed over --steps steps after a warm-up, then profiled
(torch.profiler, self CPU time of every operator) and the step's time split into:

- LRU scan: the scan and its hand-written backward, compiled or chunked (wrapped for the
  profile);
- matmuls: the dense projections (the LRUs', the U-Net's resampling, the step network's
  1x1 lift and lower maps) and every other mm/bmm/addmm outside the scan;
- convolutions: the convolutional backbones' (conv_unet, wave_unet, the field models);
- gated mask: the recipe's bounded mask with the bin gate (`refine.networks.gated_mask`),
  its compiled kernels or the torch operators that stand in for them;
- STFT: the FFTs of the domain's analysis and synthesis;
- optimiser: gradient clipping and the AdamW step;
- data: waiting for the loader (timed apart from the profile, as a share of the step). With
  `train.bursts` (the default on the CPU) that is the step's share of making its batches,
  25 at a time on every core while the step waits (so --steps is rounded up to whole
  bursts: a window of 20 steps after 5 warm-up steps would wait for none); with
  `train.bursts=0` a worker makes the next batches beside the step, on the same cores, so
  the time it spends on one batch (timed after the profile, in this process on one thread)
  is printed too: on a 2-core machine it is taken from the step's threads;
- other: elementwise work, copies, reductions and autograd's own bookkeeping (--top N
  lists its costliest operators).

With --compile the step network runs under torch.compile (inductor); the warm-up line then
holds the compile time, to weigh against the length of a run (the main job: 1200 steps).

On a GPU (`train.device=auto` finds one, or `train.device=cuda`) each step is timed to the
end of its queued work, the split is of the GPU's kernel time, each kernel counted once,
with the operator that launched it (the profiler also lists the kernels themselves, and each
range's span on the GPU, gaps included), the rest of the step is the GPU waiting for the
host, and the matmul speed is that of an 8192x8192 float32 matmul there; data waits for
`train.num_workers` processes beside the step.

Achieved GFLOP/s: the floating-point operations of the step's matmuls and convolutions,
forward and backward, counted by torch.utils.flop_counter (a complex multiply-add counts as
one, so the scan's complex matmuls are undercounted by up to 4x), over the step's time, and
as a share of one large float32 matmul's GFLOP/s on this machine with the same threads.
"""

import argparse
import time
from collections import defaultdict

import torch
from hydra import compose, initialize_config_dir
from torch.autograd import DeviceType
from torch.profiler import ProfilerActivity, profile, record_function
from torch.utils.flop_counter import FlopCounterMode

from refine.cli import CONFIG_DIR
from refine.cli.equal_time import training_parts
from refine.cli.train import build_datasets
from refine.device import device_of, synchronize
from refine.networks import lru as lru_module
from refine.networks import native_scan
from refine.runtime import tune_allocator
from refine.timing import best_time
from refine.train import loop
from refine.train.bursts import BurstLoader

GROUPS = ("LRU scan", "matmuls", "convolutions", "gated mask", "STFT", "optimiser", "other")
MASKS = ("_GatedMask", "_GatedMaskBackward")  # refine.networks.gated_mask, forward and backward
SCANS = ("scan_chunked", "scan_chunked_vjp")  # in refine.networks.lru
NATIVE_SCANS = ("scan_native", "scan_native_vjp")  # in refine.networks.native_scan
MATMULS = ("aten::mm", "aten::bmm", "aten::addmm", "aten::baddbmm", "aten::addbmm")


def labelled(fn, label: str):
    """fn, run inside a profiler range named `label`."""

    def wrapped(*args, **kwargs):
        with record_function(label):
            return fn(*args, **kwargs)

    return wrapped


def group_of(event) -> str:
    """The share an operator's self time belongs to: by the range it is or runs in (a range's
    own time is the Python between its operators), then its name."""
    parent = event
    while parent is not None:
        if parent.name == "LRU scan":
            return parent.name
        if parent.name == "optimiser" or parent.name.startswith("Optimizer.step"):
            return "optimiser"
        if parent.name in MASKS:
            return "gated mask"
        parent = parent.cpu_parent
    name = event.name
    if name in MATMULS:
        return "matmuls"
    if "conv" in name:
        return "convolutions"
    if "fft" in name or "stft" in name:
        return "STFT"
    return "other"


def machine_gflops(device: torch.device) -> tuple[float, int]:
    """GFLOP/s of one size x size float32 matmul on `device` (the CPU: with the current
    threads), and that size: 2048 on the CPU, 8192 on a GPU, which 2048 leaves half idle."""
    size = 2048 if device.type == "cpu" else 8192
    a, b = torch.randn(size, size, device=device), torch.randn(size, size, device=device)

    def product() -> None:
        a @ b
        synchronize(device)

    return 2 * size**3 / best_time(product, 5) / 1e9, size


def batch_seconds(cfg, batch_size: int, batches: int = 5) -> float:
    """Seconds one thread of this process takes to make one training batch, as the
    loader's worker makes it: the mean over `batches` batches of fresh items."""
    train_set, _ = build_datasets(cfg.data)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as a DataLoader worker runs
    started = time.perf_counter()
    for i in range(batches * batch_size):
        train_set[i % len(train_set)]
    torch.set_num_threads(threads)
    return (time.perf_counter() - started) / batches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("overrides", nargs="*", help="refine-train settings, key=value")
    parser.add_argument(
        "--steps", type=int, default=25, help="timed steps (with bursts: whole bursts, rounded up)"
    )
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps first")
    parser.add_argument("--top", type=int, default=0, help="also list the N costliest 'other' ops")
    parser.add_argument("--compile", action="store_true", help="torch.compile the step network")
    args = parser.parse_args()
    tune_allocator()
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        cfg = compose(config_name="config", overrides=args.overrides)
    t, refiner, optimiser, scheduler, loader = training_parts(cfg)
    device = device_of(refiner)
    bursts = loader.burst if isinstance(loader, BurstLoader) else 0  # a GPU gets no bursts
    if bursts:  # any window of whole bursts waits for each of them once, wherever it starts
        args.steps = -(-args.steps // bursts) * bursts
    batches = iter(loader)
    # The scans' functions, wrapped where the LRU looks them up, and gradient clipping
    # (the optimiser's step has its own profiler range).
    for module, names in ((lru_module, SCANS), (native_scan, NATIVE_SCANS)):
        for name in names:
            setattr(module, name, labelled(getattr(module, name), "LRU scan"))
    clip = torch.nn.utils.clip_grad_norm_
    torch.nn.utils.clip_grad_norm_ = labelled(clip, "optimiser")
    if args.compile:
        refiner.step_net = torch.compile(refiner.step_net)

    def step(i: int) -> float:
        """One training step; returns the seconds spent waiting for its batch."""
        started = time.perf_counter()
        batch = next(batches)
        waited = time.perf_counter() - started
        loop.train_step(refiner, batch, optimiser, scheduler, t, i)
        synchronize(device)
        return waited

    started = time.perf_counter()
    for i in range(args.warmup):
        step(i)
    warmup_seconds = time.perf_counter() - started
    started, waited = time.perf_counter(), 0.0
    for i in range(args.warmup, args.warmup + args.steps):
        waited += step(i)
    seconds = (time.perf_counter() - started) / args.steps
    waited /= args.steps

    profiled = 3
    on_gpu = device.type == "cuda"
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if on_gpu else [])
    with profile(activities=activities) as prof:
        for i in range(profiled):
            step(args.warmup + args.steps + i)
    shares, others, calls = defaultdict(float), defaultdict(float), defaultdict(int)
    for event in prof.events():
        if on_gpu and event.device_type != DeviceType.CPU:
            continue  # a kernel, or a range's span on the GPU: counted with its launching operator
        group = group_of(event)
        spent = event.self_device_time_total if on_gpu else event.self_cpu_time_total
        shares[group] += spent
        if group == "other":
            others[event.name] += spent
            calls[event.name] += 1
    total = sum(shares.values())
    with FlopCounterMode(display=False) as counter:
        step(args.warmup + args.steps + profiled)
    gflops = counter.get_total_flops() / seconds / 1e9
    peak, size = machine_gflops(device)
    making = batch_seconds(cfg, t.batch_size)
    torch.nn.utils.clip_grad_norm_ = clip
    loop.close_loader(loader)

    machine = torch.cuda.get_device_name(device) if on_gpu else f"{torch.get_num_threads()} threads"
    print(
        f"training step of {' '.join(args.overrides) or 'the defaults'}: batch {t.batch_size}, "
        f"{machine}: {seconds * 1e3:.0f} ms "
        f"(mean of {args.steps} after {args.warmup} warm-up steps)"
    )
    compiling = " (compiling the step network)" if args.compile else ""
    print(f"warm-up: {args.warmup} steps in {warmup_seconds:.1f} s{compiling}")
    kernels = " (the GPU's kernel time)" if on_gpu else ""
    print(f"{'share of the step':24s}{'ms':>8s}{'share':>8s}{kernels}")
    compute = seconds - waited
    busy = total / 1e6 / profiled if on_gpu else compute  # seconds of kernels a step on a GPU
    for group in GROUPS:
        part = shares[group] / total * busy
        print(f"{group:24s}{part * 1e3:8.1f}{part / seconds:8.1%}")
    if on_gpu:  # the rest of the step the GPU waits for the host
        idle = compute - busy
        print(f"{'GPU idle (launches)':24s}{idle * 1e3:8.1f}{idle / seconds:8.1%}")
    print(f"{'data (waiting)':24s}{waited * 1e3:8.1f}{waited / seconds:8.1%}")
    where = (
        f"made {bursts} at a time while the step waits (the data line above)"
        if bursts
        else f"made beside the step by train.num_workers={t.num_workers} processes"
    )
    share = f"{making / seconds:.0%} of a step"
    print(f"a batch takes {making * 1e3:.0f} ms of one core ({share}), {where}")
    for name, spent in sorted(others.items(), key=lambda item: -item[1])[: args.top]:
        part = spent / total * compute
        print(f"  {name:40s}{part * 1e3:8.1f} ms{calls[name] / profiled:8.0f} calls per step")
    print(
        f"achieved {gflops:.1f} GFLOP/s (matmuls and convolutions) against {peak:.1f} GFLOP/s "
        f"of a {size}x{size} float32 matmul: {gflops / peak:.1%} of it"
    )


if __name__ == "__main__":
    main()
