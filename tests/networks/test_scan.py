import math

import pytest
import torch

from refine.networks.lru import ring_init_nu_log, ring_init_theta_log
from refine.networks.scan import scan_chunked, scan_chunked_vjp, scan_sequential, scan_twice


def random_log_lambda(n: int, r_min: float = 0.3, r_max: float = 0.9999) -> torch.Tensor:
    """Eigenvalues from fast-decaying to nearly undamped, all phases: (N,) complex128."""
    nu_log = ring_init_nu_log(n, r_min, r_max).double()
    theta_log = ring_init_theta_log(n, 2 * math.pi).double()
    return torch.complex(-torch.exp(nu_log), torch.exp(theta_log))


def random_complex(*shape: int, dtype=torch.complex128) -> torch.Tensor:
    return torch.randn(*shape, dtype=dtype)


# Lengths below, at, just above and far above chunk sizes, and deep enough for two levels
# of recursion (16 * 16 < 300).
LENGTHS = [1, 2, 15, 16, 17, 64, 100, 300]


@pytest.mark.parametrize("length", LENGTHS)
@pytest.mark.parametrize("chunk", [4, 16])
@pytest.mark.parametrize("with_h_0", [False, True])
def test_chunked_equals_sequential(length, chunk, with_h_0):
    log_lambda = random_log_lambda(6)
    x = random_complex(2, 3, length, 6)  # two leading batch dims
    h_0 = random_complex(2, 3, 6) if with_h_0 else None
    expected = scan_sequential(log_lambda, x, h_0)
    torch.testing.assert_close(
        scan_chunked(log_lambda, x, h_0, chunk=chunk), expected, rtol=1e-10, atol=1e-10
    )


@pytest.mark.parametrize("length", LENGTHS)
def test_reverse_scan_is_the_flipped_forward_scan(length):
    log_lambda = random_log_lambda(5)
    x = random_complex(3, length, 5)
    expected = scan_sequential(log_lambda, x.flip(-2)).flip(-2)
    torch.testing.assert_close(
        scan_chunked(log_lambda, x, reverse=True, chunk=4), expected, rtol=1e-10, atol=1e-10
    )


@pytest.mark.parametrize("length", [1, 17, 300])
@pytest.mark.parametrize("with_h_0", [False, True])
def test_vjp_equals_autograd_through_the_sequential_scan(length, with_h_0):
    log_lambda = random_log_lambda(4).requires_grad_()
    x = random_complex(2, length, 4, dtype=torch.complex128).requires_grad_()
    h_0 = random_complex(2, 4).requires_grad_() if with_h_0 else None
    grad_h = random_complex(2, length, 4)

    h = scan_sequential(log_lambda, x, h_0)
    inputs = [log_lambda, x] + ([h_0] if with_h_0 else [])
    expected = torch.autograd.grad(h, inputs, grad_outputs=grad_h)

    got = scan_chunked_vjp(log_lambda, h.detach(), grad_h, h_0, chunk=4)
    for g, e in zip(got, expected, strict=False):
        torch.testing.assert_close(g, e, rtol=1e-9, atol=1e-9)
    if not with_h_0:
        assert got[2] is None


def test_float32_stays_accurate_over_long_sequences():
    """Phases k·θ reach thousands of radians at the coarse levels: powers must stay exact."""
    log_lambda = random_log_lambda(8, r_min=0.99, r_max=0.99999).to(torch.complex64)
    x = random_complex(2, 20000, 8).to(torch.complex64)
    expected = scan_sequential(log_lambda.to(torch.complex128), x.to(torch.complex128))
    got = scan_chunked(log_lambda, x)
    error = (got.to(torch.complex128) - expected).norm() / expected.norm()
    assert error < 1e-6  # float32 rounding of the products alone: measured 1.4e-7


def test_bad_inputs_get_clear_errors():
    log_lambda = random_log_lambda(4)
    with pytest.raises(TypeError, match="complex"):
        scan_chunked(log_lambda, torch.randn(2, 10, 4))
    with pytest.raises(ValueError, match="N = 4"):
        scan_chunked(log_lambda, random_complex(2, 10, 3))
    with pytest.raises(ValueError, match="L >= 1"):
        scan_chunked(log_lambda, random_complex(2, 0, 4))
    with pytest.raises(ValueError, match="h_0 must be"):
        scan_chunked(log_lambda, random_complex(2, 10, 4), random_complex(3, 4))
    with pytest.raises(ValueError, match="reverse"):
        scan_chunked(log_lambda, random_complex(2, 10, 4), random_complex(2, 4), reverse=True)


def test_scan_leaves_its_input_alone_unless_told_it_may_overwrite_it():
    log_lambda = random_log_lambda(4)
    x = random_complex(2, 32, 4)
    kept = x.clone()
    expected = scan_sequential(log_lambda, x)
    torch.testing.assert_close(scan_chunked(log_lambda, x, chunk=8), expected)
    torch.testing.assert_close(x, kept, rtol=0, atol=0)
    h = scan_chunked(log_lambda, x, chunk=8, overwrite=True)
    torch.testing.assert_close(h, expected)
    assert h.data_ptr() == x.data_ptr()  # computed in x's own memory: no copy


def test_scan_of_a_strided_input_equals_the_contiguous_scan():
    log_lambda = random_log_lambda(4)
    x = random_complex(2, 4, 40).mT  # (2, 40, 4), time not contiguous
    expected = scan_sequential(log_lambda, x.contiguous())
    torch.testing.assert_close(scan_chunked(log_lambda, x, chunk=8, overwrite=True), expected)


@pytest.mark.parametrize("length", [2, 17, 100])  # at L = 1 ∂h/∂x is constant
@pytest.mark.parametrize("with_h_0", [False, True])
def test_twice_differentiable_scan_equals_sequential_to_second_order(length, with_h_0):
    """Values, gradients and gradients of gradients (x, log λ, h_0) as the sequential twin's,
    whose autograd is differentiable twice by construction."""
    log_lambda = random_log_lambda(4)
    x = random_complex(2, length, 4)
    h_0 = random_complex(2, 4) if with_h_0 else None
    probes = [random_complex(2, length, 4) for _ in range(2)]

    def orders(scan):
        inputs = [t.clone().requires_grad_() for t in (log_lambda, x)]
        inputs += [] if h_0 is None else [h_0.clone().requires_grad_()]
        h = scan(inputs[0], inputs[1], inputs[2] if h_0 is not None else None)
        energy = (h * probes[0].conj()).real.sum()
        first = torch.autograd.grad(energy, inputs, create_graph=True)
        second = torch.autograd.grad(  # the scan is linear in x: ∂²/∂x² is zero
            (first[1] * probes[1].conj()).real.sum(), inputs, materialize_grads=True
        )
        return [h, *first, *second]

    for got, expected in zip(orders(scan_twice), orders(scan_sequential), strict=True):
        torch.testing.assert_close(got, expected, rtol=1e-9, atol=1e-9)


def test_twice_differentiable_scan_passes_gradgradcheck():
    log_lambda = random_log_lambda(2).requires_grad_()
    x = random_complex(2, 5, 2).requires_grad_()
    h_0 = random_complex(2, 2).requires_grad_()
    assert torch.autograd.gradgradcheck(scan_twice, (log_lambda, x, h_0))
