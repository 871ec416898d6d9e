"""The recipe's output map fused by hand (`gated_mask`, `pointwise`) against its slow twin,
the autograd path it replaces: the same output and the same gradients, for the input, its
scale and every parameter, inside the mask and past both of its ends; for inputs laid out
(B, K, L) in memory and (K, B, L), as the refiner's training iterates are (`channel_major`);
both the compiled kernels (`mask_kernel.c`) and the torch operators that run without them."""

import re
import warnings

import pytest
import torch

from refine.networks import gated_mask as fused_mask
from refine.networks import native
from refine.networks.gated_mask import LEASH_LOGIT, gated_mask
from refine.networks.step_net import StepNetwork, bounded_mask, leashed, pointwise
from refine.networks.unet import LRU_UNet
from refine.process.refiner import channel_major

K = 6  # channels (bins)
LAYOUTS = {"batch_major": lambda x: x, "channel_major": channel_major}


def masked_network(normalisation: str) -> StepNetwork:
    torch.manual_seed(0)
    backbone = LRU_UNet(d_model=8, d_state=4, n_layers=1, downsample_factor=2)
    net = StepNetwork(
        K, backbone, 8, normalisation=normalisation, bin_gate=True, update="mask"
    ).double()
    torch.nn.init.normal_(net.lower.weight, std=2.0)  # gains past both ends of the mask
    torch.nn.init.normal_(net.lower.bias, std=2.0)
    return net


def slow_twin(net: StepNetwork, x: torch.Tensor) -> torch.Tensor:
    """The same step network's output through autograd: `gain`, `leashed`, `bounded_mask`."""
    scale, _ = net.scale(x)
    h = net.backbone(net._lifted(x, scale, None, None))
    return x * bounded_mask(leashed(net.gain(x, h, scale)[0], net.mask_leash), "inward")


def output_and_gradients(net, forward, x, grad):
    net.zero_grad()
    leaf = x.clone().requires_grad_()
    y = forward(leaf)
    y.backward(grad)
    return [y.detach(), leaf.grad] + [p.grad.clone() for p in net.parameters()]


needs_kernel = pytest.mark.skipif(
    not fused_mask.KERNELS.available(), reason="no C compiler builds the mask kernel here"
)
PATHS = ["compiled", "torch"]


def take(path: str, monkeypatch) -> None:
    """Run the fused mask through the compiled kernels or through its torch operators."""
    if path == "compiled" and not fused_mask.KERNELS.available():
        pytest.skip("no C compiler builds the mask kernel here")
    if path == "torch":
        monkeypatch.setattr(fused_mask.KERNELS, "available", lambda: False)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("leash", [0.0, 3.0])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("normalisation", ["clip", "causal"])
def test_the_fused_mask_equals_its_autograd_twin_with_gradients(
    normalisation, layout, leash, path, monkeypatch
):
    take(path, monkeypatch)
    net = masked_network(normalisation)
    net.mask_leash = leash
    x = LAYOUTS[layout](torch.randn(3, K, 20, dtype=torch.float64))
    assert (net.mask_logits(x).abs() > LEASH_LOGIT).any()  # where the leash pulls
    x[0, 0, 0] = 0.0  # |x| has no slope at 0: both take the same one-sided value
    grad = torch.randn_like(x)
    fused = output_and_gradients(net, net, x, grad)
    twin = output_and_gradients(net, lambda v: slow_twin(net, v), x, grad)
    mask = fused[0] / x.where(x != 0, 1.0)
    assert (mask == 0).any() and (mask == 1).any() and ((mask > 0) & (mask < 1)).any()
    assert fused[0].stride() == x.stride()  # the iterate's layout is kept
    for got, expected in zip(fused, twin, strict=True):
        torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_pointwise_equals_the_convolution_with_gradients(layout):
    torch.manual_seed(0)
    conv = torch.nn.Conv1d(5, 7, 1).double()
    x = LAYOUTS[layout](torch.randn(3, 5, 11, dtype=torch.float64))
    grad = torch.randn(3, 7, 11, dtype=torch.float64)
    by_conv = output_and_gradients(conv, conv, x, grad)
    by_matmul = output_and_gradients(conv, lambda v: pointwise(conv, v), x, grad)
    for got, expected in zip(by_matmul, by_conv, strict=True):
        torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("frames", [False, True])
def test_pointwise_divides_its_outputs_as_the_convolution_its_inputs(frames, layout):
    torch.manual_seed(0)
    conv = torch.nn.Conv1d(5, 7, 1).double()
    x = LAYOUTS[layout](torch.randn(3, 5, 11, dtype=torch.float64))
    divisor = torch.rand(3, 1, 11 if frames else 1, dtype=torch.float64) + 0.5
    grad = torch.randn(3, 7, 11, dtype=torch.float64)

    def with_divisor_gradient(forward):
        leaf = divisor.clone().requires_grad_()
        return output_and_gradients(conv, lambda v: forward(v, leaf), x, grad) + [leaf.grad]

    by_conv = with_divisor_gradient(lambda v, d: conv(v / d))
    by_matmul = with_divisor_gradient(lambda v, d: pointwise(conv, v, d))
    for got, expected in zip(by_matmul, by_conv, strict=True):
        torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-12)


def mask_inputs(frames: int, layout: str, per_frame: bool, dtype=torch.float32, batch=3):
    """x (B, K, L) with a zero, its scale, parts reaching past both ends of the mask (laid out
    as the step network's output map writes them, (4K, B, L)) and an upstream gradient."""
    generator = torch.Generator().manual_seed(frames)
    x = torch.randn(batch, K, frames, generator=generator, dtype=dtype)
    x[0, 0, 0] = 0.0
    x = LAYOUTS[layout](x)
    dims = (1,) if per_frame else (1, 2)
    scale = x.square().mean(dims, keepdim=True).sqrt()
    parts = 3 * torch.randn(batch, 4 * K, frames, generator=generator, dtype=dtype)
    grad = torch.randn(batch, K, frames, generator=generator, dtype=dtype)
    return x, scale, channel_major(parts), grad


def mask_and_gradients(x, scale, parts, grad, leash=2.0):
    leaves = [t.clone().requires_grad_() for t in (x, scale, parts)]
    y = gated_mask(*leaves, leash)
    y.backward(grad)
    return [y.detach()] + [leaf.grad for leaf in leaves]


@needs_kernel
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("per_frame", [False, True])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("frames", [5, 16, 37, 64])  # shorter than a block, whole blocks, a tail
def test_the_compiled_mask_equals_the_torch_operators(
    frames, layout, per_frame, dtype, monkeypatch
):
    inputs = mask_inputs(frames, layout, per_frame, dtype)
    compiled = mask_and_gradients(*inputs)
    monkeypatch.setattr(fused_mask.KERNELS, "available", lambda: False)
    written_out = mask_and_gradients(*inputs)
    tolerance = {"rtol": 1e-5, "atol": 1e-5} if dtype == torch.float32 else {}
    for got, expected in zip(compiled, written_out, strict=True):
        assert got.stride() == expected.stride()  # laid out as their inputs
        torch.testing.assert_close(got, expected, **tolerance)


@needs_kernel
def test_the_compiled_mask_split_across_threads_equals_one_thread(monkeypatch):
    inputs = mask_inputs(40, "channel_major", per_frame=True, batch=5)
    whole = mask_and_gradients(*inputs)
    monkeypatch.setattr(fused_mask, "PARALLEL_WORK", 0)  # split even these 30 rows
    threads = torch.get_num_threads()
    torch.set_num_threads(4)  # uneven parts, and rows of one clip in two threads
    try:
        split = mask_and_gradients(*inputs)
    finally:
        torch.set_num_threads(threads)
    for got, expected in zip(split, whole, strict=True):
        torch.testing.assert_close(got, expected, rtol=1e-6, atol=1e-6)


@needs_kernel
def test_an_upstream_gradient_in_another_layout_is_read_as_laid_out():
    x, scale, parts, grad = mask_inputs(20, "channel_major", per_frame=False)
    expected = mask_and_gradients(x, scale, parts, grad.contiguous())
    got = mask_and_gradients(x, scale, parts, channel_major(grad.mT.contiguous().mT))
    for a, b in zip(got, expected, strict=True):
        torch.testing.assert_close(a, b)


@needs_kernel
def test_bf16_parts_as_under_autocast_run_the_kernels_in_the_inputs_precision(monkeypatch):
    x, scale, parts, grad = mask_inputs(37, "channel_major", per_frame=False)
    half = parts.bfloat16()
    ran = []
    for name in ("_native_forward", "_native_backward"):
        kernel = getattr(fused_mask, name)
        monkeypatch.setattr(fused_mask, name, lambda *a, k=kernel, n=name: ran.append(n) or k(*a))
    y, grad_x, grad_scale, grad_parts = mask_and_gradients(x, scale, half, grad)
    assert ran == ["_native_forward", "_native_backward"]  # not the torch operators
    assert y.dtype == grad_x.dtype == torch.float32 and grad_parts.dtype == torch.bfloat16
    expected = mask_and_gradients(x, scale, half.float(), grad)  # the same values in float32
    for got, want in zip((y, grad_x, grad_scale), expected, strict=False):
        torch.testing.assert_close(got, want, rtol=0, atol=0)
    torch.testing.assert_close(grad_parts, expected[3].bfloat16(), rtol=0, atol=0)


def test_without_a_compiler_the_mask_warns_once_and_runs_its_torch_operators(monkeypatch):
    inputs = mask_inputs(20, "batch_major", per_frame=False, dtype=torch.float64)
    monkeypatch.setattr(fused_mask.KERNELS, "build", lambda: None)
    fused_mask.KERNELS.reset()
    try:
        with pytest.warns(RuntimeWarning, match="no C compiler"):
            got = mask_and_gradients(*inputs)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # once: the second call is silent
            mask_and_gradients(*inputs)
    finally:
        fused_mask.KERNELS.reset()
    monkeypatch.undo()
    expected = mask_and_gradients(*inputs)
    for a, b in zip(got, expected, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


def test_mismatched_shapes_are_refused_before_any_kernel_reads_them():
    x, scale, parts, _ = mask_inputs(20, "batch_major", per_frame=False)
    with pytest.raises(ValueError, match="parts \\(B, 4K, L\\)"):
        gated_mask(x, scale, parts[:, :-1])
    with pytest.raises(ValueError, match="scale"):
        gated_mask(x, scale[:2], parts)


def test_where_libmvec_links_the_compiled_mask_calls_its_vector_exp_and_log(tmp_path, monkeypatch):
    """The kernel's loops must vectorise to call glibc's SIMD expf/logf (`_ZGV…_expf`): on a
    CPU without AVX-512 a comparison that traps kept gcc from it, and the scalar calls made
    the compiled mask 4x slower than the torch operators, with the same results."""
    monkeypatch.setenv("REFINE_CACHE_DIR", str(tmp_path))
    vector_math = native.Kernels(
        fused_mask.KERNELS.source, {}, "", flag_sets=(native.WITH_VECTOR_MATH[0],)
    )
    library = vector_math.build()
    if library is None:
        pytest.skip("glibc's vector math library (libmvec) does not link here")
    symbols = library.read_bytes()
    for function in (b"expf", b"logf"):
        assert re.search(rb"_ZGV\w+_" + function, symbols), f"{function} is called scalar"
