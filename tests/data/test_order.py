"""The batch order: the old DataLoader order, shards whose union is the global batch, and
resumption mid-epoch and across epochs."""

import itertools

import pytest
import torch
from torch.utils.data import DataLoader

from refine.data.order import ShardedBatches


def take(sampler: ShardedBatches, count: int) -> list[list[int]]:
    """The first `count` batches over as many epochs as needed."""
    return list(
        itertools.islice(itertools.chain.from_iterable(iter(sampler) for _ in range(99)), count)
    )


@pytest.mark.parametrize("num_workers", [0, 1])
def test_one_process_draws_the_batches_of_a_seeded_shuffling_data_loader(num_workers):
    data = list(range(50))
    loader = DataLoader(
        data,
        batch_size=8,
        shuffle=True,
        drop_last=True,
        num_workers=num_workers,
        generator=torch.Generator().manual_seed(3),
    )
    expected = [batch.tolist() for batch in loader]  # the first epoch
    assert take(ShardedBatches(50, 8, seed=3), len(expected)) == expected


def test_the_shards_of_two_processes_make_up_the_global_batches():
    whole = take(ShardedBatches(50, 8, seed=1), 12)
    ranks = [take(ShardedBatches(50, 8, seed=1, rank=r, world=2), 12) for r in range(2)]
    assert [a + b for a, b in zip(*ranks, strict=True)] == whole
    assert all(len(batch) == 4 for batch in ranks[0])


@pytest.mark.parametrize("start", [0, 3, 6, 7, 13])
def test_a_resumed_order_continues_where_the_interrupted_one_was(start):
    whole = take(ShardedBatches(50, 8, seed=2), 20)  # 6 batches per epoch
    assert take(ShardedBatches(50, 8, seed=2, start=start), 20 - start) == whole[start:]
    assert len(ShardedBatches(50, 8, seed=2, start=start)) == 6 - start % 6


def test_a_batch_that_does_not_split_over_the_processes_is_refused():
    with pytest.raises(ValueError, match="multiple of the process count"):
        ShardedBatches(50, 6, seed=0, world=4)
    with pytest.raises(ValueError, match="fewer than train.batch_size=8"):
        ShardedBatches(5, 8, seed=0)
