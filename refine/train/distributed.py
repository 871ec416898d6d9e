"""Data-parallel training over processes with torch.distributed, launched by torchrun.

    torchrun --nproc-per-node 2 -m refine.train train.batch_size=16 ...

Every process holds the whole refiner and trains on its slice of each global batch
(`refine.data.order`); after the step's backward calls, one all-reduce averages the
gradients, so every process takes the same optimiser step: the single-process step on the
whole batch, up to float summation order. Rank 0 alone validates, logs and checkpoints.

Why not the DistributedDataParallel wrapper: it synchronises inside every backward pass and
expects one forward per backward, while a refiner's loss comes in segments (truncated and
teacher-forced training call backward several times per step) from T calls of one network.
Averaging once per step after all segments is what DDP computes for a single backward,
without the bookkeeping; the flat buffer is DDP's bucketing with a single bucket (a
0.65 M-parameter model is one 2.6 MB message).
"""

import os

import torch
import torch.distributed as dist


def start(device: torch.device) -> tuple[int, int]:
    """Join the process group that torchrun describes in the environment (nccl on CUDA,
    gloo on the CPU): returns (rank, world size); (0, 1) when not launched by torchrun."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1:
        return 0, 1
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return dist.get_rank(), dist.get_world_size()


def local_device(device: torch.device) -> torch.device:
    """The CUDA device of this process (torchrun's LOCAL_RANK) or `device` unchanged."""
    if device.type == "cuda" and device.index is None:
        return torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
    return device


def broadcast_parameters(module: torch.nn.Module) -> None:
    """Give every process rank 0's parameters and buffers (after initialisation or resume)."""
    if dist.is_initialized():
        for tensor in module.state_dict().values():
            dist.broadcast(tensor, src=0)


def average_gradients(parameters) -> None:
    """Replace every gradient by its mean over the processes: one flat all-reduce.
    Parameters without a gradient count as zero, so every process sends the same layout."""
    if not dist.is_initialized():
        return
    parameters = [p for p in parameters if p.requires_grad]
    grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in parameters]
    flat = torch.cat([g.reshape(-1) for g in grads])  # (P,)
    dist.all_reduce(flat)
    flat /= dist.get_world_size()
    offset = 0
    for p in parameters:
        p.grad = flat[offset : offset + p.numel()].view_as(p).clone()
        offset += p.numel()


def mean_over_processes(tensor: torch.Tensor) -> torch.Tensor:
    """The mean of `tensor` over the processes (itself in a single process)."""
    if not dist.is_initialized():
        return tensor
    total = tensor.clone()
    dist.all_reduce(total)
    return total / dist.get_world_size()


def from_rank_zero(value):
    """Rank 0's `value` (any picklable object) on every process: the run folder, which
    timestamped names may disagree on, or 'out of time', which clocks may disagree on."""
    if not dist.is_initialized():
        return value
    box = [value]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def stop() -> None:
    """Leave the process group (the end of a torchrun run)."""
    if dist.is_initialized():
        dist.destroy_process_group()
