"""Run by tests/train/test_distributed.py under torchrun: every process backpropagates its share of
the first global batch of a tiny run, the gradients are averaged over the processes, and
rank 0 saves them.

    torchrun --nproc-per-node 2 -m tests.train.distributed_gradients OUT [k=v ...]
"""

import sys

import torch

from refine.cli.train import build_datasets, refiner_spec, train_settings
from refine.process.build import build_refiner
from refine.process.refiner import Refiner
from refine.train import distributed
from refine.train.loop import accumulate_gradients, training_loader
from tests.train.test_train import tiny_config


def first_batch_gradients(overrides: list[str], rank: int = 0, world: int = 1) -> dict:
    """{parameter name: gradient} of the first global batch of the tiny run, averaged over
    the processes (this process's share when world > 1; the whole batch when world = 1)."""
    cfg = tiny_config(*overrides)
    torch.manual_seed(cfg.train.seed)
    refiner = build_refiner(refiner_spec(cfg))
    perturb(refiner)
    distributed.broadcast_parameters(refiner)
    train_set, _ = build_datasets(cfg.data)
    t = train_settings(cfg.train)
    batch = next(iter(training_loader(train_set, t, rank=rank, world=world)))
    accumulate_gradients(refiner, batch, t)
    return {name: p.grad.clone() for name, p in refiner.named_parameters()}


def perturb(refiner: Refiner) -> None:
    """Seeded noise on every parameter: at initialisation the output map is zero, so no
    gradient would reach the layers below it and the comparison would test only that map."""
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for p in refiner.parameters():
            p.add_(0.05 * torch.randn(p.shape, generator=generator))


def main() -> None:
    out, overrides = sys.argv[1], sys.argv[2:]
    rank, world = distributed.start(torch.device("cpu"))
    gradients = first_batch_gradients(overrides, rank, world)
    if rank == 0:
        torch.save(gradients, out)
    distributed.stop()


if __name__ == "__main__":
    main()
