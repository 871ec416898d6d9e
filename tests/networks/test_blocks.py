import pytest
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


def reference_bidirectional(block: LRUBlock, x: torch.Tensor) -> torch.Tensor:
    """The bidirectional block by the LRUs' one-step recurrence: the forward LRU from the
    first frame, the reverse LRU from the last (the slow twin of its flipped scan)."""
    normed = block.norm(x)  # (B, L, H)
    forward, backward = [], []
    h_f = h_r = torch.zeros(x.shape[0], block.lru.d_state, dtype=torch.complex128)
    for k in range(x.shape[1]):
        y_k, h_f = block.lru.step(normed[:, k], h_f)
        forward.append(y_k)
    for k in reversed(range(x.shape[1])):
        y_k, h_r = block.reverse_lru.step(normed[:, k], h_r)
        backward.insert(0, y_k)
    y = torch.stack(forward, 1) + torch.stack(backward, 1)  # (B, L, H)
    return x + torch.nn.functional.glu(block.mix(torch.nn.functional.gelu(y)), dim=-1)


def test_bidirectional_block_equals_its_step_by_step_twin():
    torch.manual_seed(0)
    block = LRUBlock(6, 4, bidirectional=True).double().eval()
    x = torch.randn(2, 40, 6, dtype=torch.float64)
    y, _ = block(x)
    torch.testing.assert_close(y, reference_bidirectional(block, x), rtol=1e-10, atol=1e-10)


def test_bidirectional_block_sees_the_future_and_commutes_with_time_reversal():
    torch.manual_seed(0)
    block = LRUBlock(6, 4, bidirectional=True).double()
    x = torch.randn(2, 40, 6, dtype=torch.float64)
    y, _ = block(x)
    changed = x.clone()
    changed[:, 21:] = torch.randn(2, 19, 6, dtype=torch.float64)
    assert (block(changed)[0][:, :21] - y[:, :21]).abs().amax((0, 2)).min() > 1e-6  # all moved
    block.reverse_lru.load_state_dict(block.lru.state_dict())  # the same LRU both ways
    y, _ = block(x)
    reversed_y, _ = block(x.flip(1))
    torch.testing.assert_close(reversed_y, y.flip(1), rtol=1e-10, atol=1e-10)


def test_bidirectional_block_gets_gradients_everywhere_and_refuses_a_carried_state():
    block = LRUBlock(6, 4, bidirectional=True)
    y, _ = block(torch.randn(2, 20, 6))
    y.square().sum().backward()
    for name, param in block.named_parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0, name
    with pytest.raises(ValueError, match="no state to carry"):
        block(torch.randn(2, 20, 6), torch.zeros(2, 4, dtype=torch.complex64))
