"""Making a trained step network content-conditioned: the converted checkpoint computes the
same function whatever it is told and its embedding then learns (its refusals:
test_zero_start.py)."""

import torch

from refine.process.content import EMBEDDING, content_checkpoint
from tests.process.test_bidirectional import OPTIONS
from tests.process.test_widen import spec
from tests.process.test_zero_start import rewritten


def test_a_checkpoint_gains_content_labels_with_the_same_output_whatever_it_is_told(tmp_path):
    plain, told = rewritten(tmp_path, content_checkpoint, "content", EMBEDDING, spec(**OPTIONS))
    noisy = torch.randn(2, 1, 400)
    expected = plain.refine(noisy, steps=3).output
    for content in (None, "speech", "music"):
        with told.content_is(content):
            output = told.refine(noisy, steps=3).output
        torch.testing.assert_close(output, expected, rtol=1e-5, atol=1e-6)
    features = torch.rand(2, 17, 24) + 0.05  # (B, K, L): magnitudes
    labels = torch.tensor([1, 2])
    (told.step_net(features, content=labels) - 0.5 * features).square().sum().backward()
    gradient = told.step_net.content.weight.grad
    assert gradient[1:].abs().sum(1).min() > 0 and not gradient[0].any()  # unknown untold
