"""Parameter and MAC counts."""

from refine.cli.train import refiner_spec
from refine.process.build import build_refiner
from refine.study.complexity import macs_per_second, parameter_count
from tests.train.test_train import tiny_config


def test_macs_count_every_dense_map_and_grow_with_the_rate():
    # lift 1->8, LRU B (8x8) and C (8x8), GLU mix 8->16, lower 8->4 (the mask's gain and the
    # bin gate's three parts): 296 MACs per sample; the recurrence itself is elementwise.
    cfg = tiny_config("domain=waveform", "model.n_layers=0", "model.steps=1")
    refiner = build_refiner(refiner_spec(cfg))
    assert macs_per_second(refiner, 1000) == 296 * 1000
    assert macs_per_second(refiner, 2000) > 1.9 * macs_per_second(refiner, 1000)
    assert parameter_count(refiner) == sum(p.numel() for p in refiner.parameters())
