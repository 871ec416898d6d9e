"""Training batches made in bursts: `burst` batches at a time, by one process per core, while
the training step waits, instead of a DataLoader worker making the next batch beside it.

Why: on a 2-core CPU the step runs two threads, and a worker that makes batches beside it
takes one of their cores whenever it runs; the step's other thread then waits for it at
every parallel operator. The work is the same either way (each batch is made once, by one
process), but in a burst every core makes batches and then every core trains. Measured on
the default training step (`benchmarks/train_step.py`, against `train.bursts=0`;
benchmarks/README.md).

The batches, their order and every item are those the DataLoader gives (each item is a pure
function of its index, `refine.data.datasets.item_generator`), so a run trains the same with
either; tests hold the two equal.
"""

import multiprocessing
import signal
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import islice

import torch
from torch.utils.data import Dataset, Sampler, default_collate

_dataset: Dataset | None = None  # the training set, in each burst process


def _start_worker(dataset: Dataset) -> None:
    global _dataset
    _dataset = dataset
    torch.set_num_threads(1)  # as a DataLoader worker runs: one core each
    # Ctrl-C is the training process's to handle (it saves nothing half-written and exits,
    # taking the pool down); a burst process would only print a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _make_batch(indices: list[int]) -> dict:
    return default_collate([_dataset[i] for i in indices])


class BurstLoader:
    """An iterable of training batches like DataLoader(dataset, batch_sampler=batches): each
    pass over it is one pass over `batches`, made `burst` batches at a time by `workers`
    processes (kept for the whole run), then handed out while they rest.

    Args:
        dataset: items by index.
        batches: the batch sampler (lists of indices), e.g. `refine.data.order.ShardedBatches`.
        workers: processes making batches, one core each.
        burst: batches made at a time (memory: burst batches are held at once).
    """

    def __init__(self, dataset: Dataset, batches: Sampler, workers: int, burst: int):
        if workers < 1 or burst < 1:
            raise ValueError(f"need workers >= 1 and burst >= 1, got {workers} and {burst}")
        self.batches, self.burst = batches, burst
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.pool = ProcessPoolExecutor(
            workers, mp_context=context, initializer=_start_worker, initargs=(dataset,)
        )

    def __iter__(self) -> Iterator[dict]:
        order = iter(self.batches)
        while chunk := list(islice(order, self.burst)):
            yield from list(self.pool.map(_make_batch, chunk))  # all made before the first

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)
