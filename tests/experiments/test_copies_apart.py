"""experiments/pretrained/copies_apart.py and paired_training_loss.py, the capacity
experiment's measures: how far a widened network's channels moved from their copies, against
how far the narrow network's rows moved from their start; and two runs' training loss on the
same batches, as a mean ratio with its interval."""

import torch

from tests.experiments import load_script


def test_copies_start_together_and_apart_is_relative_to_their_size():
    script = load_script("pretrained/copies_apart.py")
    rows = torch.randn(4, 3)
    assert script.median_apart(torch.cat([rows, rows])) == 0.0
    apart = torch.cat([rows, 1.2 * rows])  # each copy 20 % longer: 0.2 / 1.1 of the mean norm
    assert abs(script.median_apart(apart) - 0.2 / 1.1) < 1e-6
    assert abs(script.median_moved(1.5 * rows, rows) - 0.5) < 1e-6


def test_only_parameters_with_one_row_per_channel_are_read():
    script = load_script("pretrained/copies_apart.py")
    names = [
        "step_net.lift.weight",
        "step_net.lift.bias",
        "step_net.backbone.bottleneck.lru.C_re",
        "step_net.backbone.bottleneck.lru.B_re",
        "step_net.backbone.decoder.0.norm.weight",
    ]
    chosen = script.row_parameters(dict.fromkeys(names))
    assert chosen == [names[0], names[2], names[4]]


def test_the_paired_training_loss_is_a_mean_ratio_with_an_interval():
    module = load_script("pretrained/paired_training_loss.py")
    a = torch.tensor([1.0, 2.0, 4.0, 2.0]).numpy()
    mean, low, high = module.relative_difference(a, 1.1 * a)
    assert abs(mean - 0.1) < 1e-6 and abs(low - 0.1) < 1e-6 and abs(high - 0.1) < 1e-6
    mean, low, high = module.relative_difference(a, a * [1.0, 1.2, 1.0, 1.2])
    assert abs(mean - 0.1) < 1e-6 and low < 0.1 < high
