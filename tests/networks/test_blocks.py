import torch

from refine.networks.blocks import LRUBlock


def test_block_keeps_shape_and_streams_exactly():
    block = LRUBlock(6, 4, dropout=0.1).double().eval()
    x = torch.randn(2, 40, 6, dtype=torch.float64)
    y, h = block(x)
    assert y.shape == x.shape and h.shape == (2, 4)
    first, h_mid = block(x[:, :13])
    second, h_end = block(x[:, 13:], h_mid)
    torch.testing.assert_close(torch.cat([first, second], 1), y, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(h_end, h, rtol=1e-12, atol=1e-12)


def test_block_is_causal():
    block = LRUBlock(6, 4).double()
    x = torch.randn(2, 40, 6, dtype=torch.float64)
    y, _ = block(x)
    changed = x.clone()
    changed[:, 21:] += 10
    y_changed, _ = block(changed)
    torch.testing.assert_close(y_changed[:, :21], y[:, :21], rtol=0, atol=1e-12)
    assert not torch.allclose(y_changed[:, 21], y[:, 21])


def test_gradients_reach_every_block_parameter():
    block = LRUBlock(6, 4)
    y, _ = block(torch.randn(2, 20, 6))
    y.square().sum().backward()
    for name, param in block.named_parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0, name
