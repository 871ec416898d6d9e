import copy

import pytest
import torch

from refine.networks.lru import LRU
from refine.networks.unet import LRU_UNet


def small_unet(**kwargs) -> LRU_UNet:
    args = dict(d_model=4, d_state=3, n_layers=3, downsample_factor=2)
    args.update(kwargs)
    return LRU_UNet(**args).double().eval()


def test_channel_and_length_progression_is_the_seeds():
    net = LRU_UNet(d_model=64, d_state=4, n_layers=3, downsample_factor=2)
    shapes = []

    def record(module, inputs, output):
        tensor = output[0] if isinstance(output, tuple) else output  # (B, L, C)
        shapes.append((tensor.shape[2], tensor.shape[1]))

    stages = [*net.encoder, *net.down, net.bottleneck, *net.up, *net.decoder]
    for module in stages:
        module.register_forward_hook(record)
    length = 64
    y = net(torch.randn(1, 64, length))
    assert y.shape == (1, 64, length)
    # (channels, length) after each stage, in execution order.
    assert shapes == [
        (64, 64),  # encoder 1: LRU block
        (128, 32),  # encoder 1: downsample
        (128, 32),  # encoder 2: LRU block
        (256, 16),  # encoder 2: downsample
        (256, 16),  # encoder 3: LRU block
        (512, 8),  # encoder 3: downsample
        (512, 8),  # bottleneck, at T/8
        (256, 16),  # decoder 1: upsample
        (256, 16),  # decoder 1: LRU block on upsample + skip
        (128, 32),  # decoder 2: upsample
        (128, 32),  # decoder 2: LRU block
        (64, 64),  # decoder 3: upsample
        (64, 64),  # decoder 3: LRU block, the output
    ]


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("length", [1, 2, 7, 8, 9, 63, 100])
def test_any_length_round_trips(causal, length):
    net = small_unet(causal=causal)
    x = torch.randn(2, 4, length, dtype=torch.float64)
    assert net(x).shape == x.shape


def test_length_arithmetic():
    net = small_unet(downsample_factor=3, n_layers=2)
    assert net.total_stride == 9
    assert [net.valid_length(t) for t in (1, 9, 10, 18, 19)] == [9, 9, 18, 18, 27]
    assert net(torch.randn(1, 4, 10, dtype=torch.float64)).shape == (1, 4, 10)


@pytest.mark.parametrize("causal", [False, True])
def test_gradients_reach_every_parameter(causal):
    net = LRU_UNet(d_model=4, d_state=3, n_layers=2, downsample_factor=2, causal=causal)
    net(torch.randn(2, 4, 24)).square().sum().backward()
    for name, param in net.named_parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0, name


def changed_after(net: LRU_UNet, x: torch.Tensor, t: int) -> torch.Tensor:
    """Per output sample: did it move when the inputs from t on were replaced?"""
    changed = x.clone()
    changed[..., t:] = torch.randn_like(changed[..., t:]) * 10
    return (net(changed) - net(x)).abs().amax(dim=(0, 1)) > 1e-12  # (T,)


@pytest.mark.parametrize("t", [1, 5, 8, 13, 31])
def test_causal_variant_never_looks_ahead(t):
    net = small_unet(causal=True)
    moved = changed_after(net, torch.randn(2, 4, 40, dtype=torch.float64), t)
    assert not moved[:t].any()
    assert moved[t]


@pytest.mark.parametrize("t", [1, 5, 13, 31])
def test_default_variant_looks_ahead_within_its_block_only(t):
    net = small_unet(causal=False)
    moved = changed_after(net, torch.randn(2, 4, 40, dtype=torch.float64), t)
    block_start = t // net.total_stride * net.total_stride
    assert not moved[:block_start].any()
    assert moved[block_start:t].any()  # look-ahead of up to S - 1 samples: not causal


@pytest.mark.parametrize("causal", [False, True])
def test_streaming_with_carried_state_equals_offline(causal):
    net = small_unet(causal=causal)
    x = torch.randn(2, 4, 64, dtype=torch.float64)
    outputs, state = [], None
    for piece in x.split([8, 24, 16, 8, 8], dim=-1):
        y, state = net.stream(piece, state)
        outputs.append(y)
    torch.testing.assert_close(torch.cat(outputs, -1), net(x), rtol=1e-11, atol=1e-11)


def test_stream_refuses_chunks_off_the_stride():
    net = small_unet()
    with pytest.raises(ValueError, match="multiple of total_stride=8"):
        net.stream(torch.randn(1, 4, 12, dtype=torch.float64))


def test_fast_and_sequential_scans_give_the_same_network():
    net = small_unet(causal=True)
    reference = copy.deepcopy(net)
    for module in reference.modules():
        if isinstance(module, LRU):
            module.scan = "sequential"
    x = torch.randn(2, 4, 45, dtype=torch.float64)
    torch.testing.assert_close(net(x), reference(x), rtol=1e-10, atol=1e-10)


def test_bad_input_gets_a_clear_error():
    net = small_unet()
    with pytest.raises(ValueError, match=r"\(B, 4, T >= 1\)"):
        net(torch.randn(2, 3, 10, dtype=torch.float64))
    with pytest.raises(ValueError, match="n_layers"):
        LRU_UNet(d_model=4, d_state=3, n_layers=-1)


def test_bidirectional_variant_sees_the_whole_input_and_does_not_stream():
    net = small_unet(bidirectional=True)
    x = torch.randn(2, 4, 40, dtype=torch.float64)
    assert changed_after(net, x, 31)[:8].all()  # the first frames hear the last ones
    assert net(torch.randn(1, 4, 9, dtype=torch.float64)).shape == (1, 4, 9)
    with pytest.raises(ValueError, match="cannot stream"):
        net.stream(x[..., :8])
    with pytest.raises(ValueError, match="contradict each other"):
        small_unet(bidirectional=True, causal=True)
