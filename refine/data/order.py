"""The order of training batches: seeded, shardable over processes, resumable mid-epoch.

One global order serves one process and N data-parallel processes alike, so that both train
on the same global batches. Each epoch draws a permutation of the training set; global batch
b of the epoch is permutation[b·B : (b+1)·B] and process r of N takes its r-th contiguous
slice of B/N examples. The N processes' gradients, averaged, are then the one process's
gradient of the same B examples. (torch's DistributedSampler strides the permutation
instead, so its union over processes is not the single-process batch.)

A resumed run starts `start` global batches into the order: the permutations are replayed
from the seed (index draws only, no data loaded), so a killed and resumed run sees the same
batches as an uninterrupted one.

Generator draws per epoch: one int64, then randperm(size). That is what
DataLoader(shuffle=True, generator=torch.Generator().manual_seed(seed)) draws in the first
epoch (the worker base seed, then the RandomSampler's permutation), so a single process
reproduces the first epoch of the runs trained before this module existed (tested), and
every committed run is shorter than an epoch (6250 steps of the synthetic set). Later
epochs differ: at the end of an epoch the DataLoader draws a spare permutation.
"""

from collections.abc import Iterator

import torch
from torch.utils.data import Sampler


def epoch_permutation(size: int, seed: int, epoch: int) -> torch.Tensor:
    """The seeded permutation of range(size) for `epoch` (0-based): (size,) int64."""
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epoch + 1):
        torch.empty((), dtype=torch.int64).random_(generator=generator)
        permutation = torch.randperm(size, generator=generator)
    return permutation


class ShardedBatches(Sampler[list[int]]):
    """Batch sampler: this process's share of every global batch, epoch after epoch.

    Each iteration is one epoch (the remainder of one, at the start of a resumed run).

    Args:
        size: examples in the training set.
        batch_size: B, the global batch (over all processes); incomplete batches are dropped.
        seed: seed of the order.
        rank, world: this process and the number of processes (B must divide by world).
        start: global batches already trained (a resumed run's step).
    """

    def __init__(
        self, size: int, batch_size: int, seed: int, rank: int = 0, world: int = 1, start: int = 0
    ):
        if batch_size % world:
            raise ValueError(
                f"the global batch of {batch_size} does not split over {world} processes: "
                "make train.batch_size a multiple of the process count"
            )
        self.per_epoch = size // batch_size
        if self.per_epoch == 0:
            raise ValueError(
                f"the training set has {size} examples, fewer than train.batch_size="
                f"{batch_size}: add data or lower the batch size"
            )
        self.size, self.batch_size, self.seed = size, batch_size, seed
        self.share = batch_size // world
        self.rank = rank
        self.epoch, self.skip = divmod(start, self.per_epoch)

    def __len__(self) -> int:
        return self.per_epoch - self.skip

    def __iter__(self) -> Iterator[list[int]]:
        permutation = epoch_permutation(self.size, self.seed, self.epoch)
        first, self.epoch, self.skip = self.skip, self.epoch + 1, 0
        for b in range(first, self.per_epoch):
            offset = b * self.batch_size + self.rank * self.share
            yield permutation[offset : offset + self.share].tolist()
