"""Making a trained step network read each bin's log level: the converted checkpoint computes
the same function and its level map then learns (its refusals: test_zero_start.py)."""

import pytest
import torch

from refine.process.level_input import LEVEL_MAP, level_input_checkpoint
from tests.process.test_bidirectional import OPTIONS
from tests.process.test_widen import spec
from tests.process.test_zero_start import rewritten


@pytest.mark.parametrize("inject", [False, True])
def test_a_checkpoint_gains_the_level_map_with_the_same_output(tmp_path, inject):
    model_spec = spec(**OPTIONS, inject=inject)
    plain, reading = rewritten(
        tmp_path, level_input_checkpoint, "level_input", LEVEL_MAP, model_spec
    )
    noisy = torch.randn(2, 1, 400)
    expected = plain.refine(noisy, steps=3).output
    torch.testing.assert_close(reading.refine(noisy, steps=3).output, expected)
    features = torch.rand(2, 17, 24) + 0.05  # (B, K, L): magnitudes
    observation = {"observation": features} if inject else {}
    (reading.step_net(features, **observation) - 0.5 * features).square().sum().backward()
    assert reading.step_net.lift_level.weight.grad.abs().sum() > 0
