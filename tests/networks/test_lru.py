import copy
import math

import pytest
import torch

from refine.networks.lru import LRU
from refine.train.optim import param_groups

FAST_SCANS = ["native", "chunked", "twice"]  # native falls back to chunked without a compiler


def twins(d_model=5, d_state=4, **kwargs) -> tuple[LRU, LRU]:
    """The same float64 LRU twice: a fast path (`scan`, default native) and the sequential
    reference."""
    fast = LRU(d_model, d_state, **kwargs).double()
    reference = copy.deepcopy(fast)
    reference.scan = "sequential"
    return fast, reference


def run_with_grads(lru, u, h_0, grad_y, grad_h):
    u = u.clone().requires_grad_()
    h_0 = None if h_0 is None else h_0.clone().requires_grad_()
    y, h_n = lru(u, h_0)
    loss = (y * grad_y).sum() + (h_n * grad_h.conj()).real.sum()
    loss.backward()
    grads = {name: p.grad for name, p in lru.named_parameters()}
    grads["u"] = u.grad
    if h_0 is not None:
        grads["h_0"] = h_0.grad
    return y, h_n, grads


@pytest.mark.parametrize("length", [1, 7, 16, 33, 300])
@pytest.mark.parametrize("with_h_0", [False, True])
@pytest.mark.parametrize("scan", FAST_SCANS)
def test_fast_path_equals_reference_in_outputs_and_gradients(length, with_h_0, scan):
    fast, reference = twins(scan=scan)
    u = torch.randn(3, length, 5, dtype=torch.float64)
    h_0 = torch.randn(3, 4, dtype=torch.complex128) if with_h_0 else None
    grad_y, grad_h = torch.randn_like(u), torch.randn(3, 4, dtype=torch.complex128)
    y, h_n, grads = run_with_grads(fast, u, h_0, grad_y, grad_h)
    y_ref, h_n_ref, grads_ref = run_with_grads(reference, u, h_0, grad_y, grad_h)
    torch.testing.assert_close(y, y_ref, rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(h_n, h_n_ref, rtol=1e-10, atol=1e-10)
    assert grads.keys() == grads_ref.keys()
    for name in grads:
        torch.testing.assert_close(
            grads[name],
            grads_ref[name],
            rtol=1e-9,
            atol=1e-9,
            msg=lambda m, name=name: f"{name}: {m}",
        )


@pytest.mark.parametrize("scan", FAST_SCANS)
def test_fast_path_passes_gradcheck(scan):
    fast, _ = twins(d_model=3, d_state=2, scan=scan)
    u = torch.randn(2, 6, 3, dtype=torch.float64, requires_grad=True)
    h_0 = torch.randn(2, 2, dtype=torch.complex128, requires_grad=True)
    assert torch.autograd.gradcheck(fast, (u, h_0))


def test_twice_scan_layer_equals_reference_in_second_derivatives():
    """A gradient-step network trains through ∂y/∂u: the layer's double backward (the
    gradient of a gradient, with respect to u and every parameter) matches the reference's."""
    fast, reference = twins(d_model=3, d_state=2, scan="twice")
    u = torch.randn(2, 19, 3, dtype=torch.float64)
    probe = torch.randn_like(u)

    def second_order(lru):
        point = u.clone().requires_grad_()
        (grad_u,) = torch.autograd.grad(lru(point)[0].square().sum(), point, create_graph=True)
        return torch.autograd.grad((grad_u * probe).sum(), [point, *lru.parameters()])

    for got, expected in zip(second_order(fast), second_order(reference), strict=True):
        torch.testing.assert_close(got, expected, rtol=1e-9, atol=1e-9)


def test_twice_scan_layer_passes_gradgradcheck():
    fast, _ = twins(d_model=3, d_state=2, scan="twice")
    u = torch.randn(2, 6, 3, dtype=torch.float64, requires_grad=True)
    h_0 = torch.randn(2, 2, dtype=torch.complex128, requires_grad=True)
    assert torch.autograd.gradgradcheck(fast, (u, h_0))


@pytest.mark.parametrize("chunks", [[1] * 9, [4, 5], [2, 3, 4], [9]])
def test_streaming_in_chunks_equals_processing_whole(chunks):
    fast, _ = twins()
    u = torch.randn(2, sum(chunks), 5, dtype=torch.float64)
    y_whole, h_whole = fast(u)
    outputs, h = [], None
    for piece in u.split(chunks, dim=1):
        y, h = fast(piece, h)
        outputs.append(y)
    torch.testing.assert_close(torch.cat(outputs, 1), y_whole, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(h, h_whole, rtol=1e-12, atol=1e-12)


def test_step_by_step_equals_forward():
    fast, _ = twins()
    u = torch.randn(2, 11, 5, dtype=torch.float64)
    y_whole, h_whole = fast(u)
    h = torch.zeros(2, 4, dtype=torch.complex128)
    steps = []
    for u_k in u.unbind(1):
        y_k, h = fast.step(u_k, h)
        steps.append(y_k)
    torch.testing.assert_close(torch.stack(steps, 1), y_whole, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(h, h_whole, rtol=1e-12, atol=1e-12)


def test_changing_future_inputs_never_changes_past_outputs():
    fast, _ = twins()
    u = torch.randn(2, 50, 5, dtype=torch.float64)
    y, _ = fast(u)
    for t in [1, 16, 17, 33, 49]:
        changed = u.clone()
        changed[:, t:] = torch.randn_like(changed[:, t:]) * 100
        y_changed, _ = fast(changed)
        torch.testing.assert_close(y_changed[:, :t], y[:, :t], rtol=0, atol=1e-12)
        assert not torch.allclose(y_changed[:, t], y[:, t])


def test_eigenvalues_stay_inside_the_unit_circle_under_adversarial_updates():
    """Drive the optimiser to push |λ| up as hard as it can: the parameterisation holds."""
    lru = LRU(4, 16).double()
    optimiser = torch.optim.SGD(lru.parameters(), lr=1.0)
    for _ in range(200):
        optimiser.zero_grad()
        loss = -torch.exp(lru.log_lambda()).abs().sum() + torch.randn(()) * lru.theta_log.sum()
        loss.backward()
        optimiser.step()
    modulus = torch.exp(lru.log_lambda()).abs()
    assert modulus.max() > 0.99  # the updates did push towards the circle
    assert (modulus < 1).all()


def test_initialisation_follows_the_paper():
    lru = LRU(32, 256, r_min=0.4, r_max=0.9, max_phase=math.pi / 10)
    lam = torch.exp(lru.log_lambda().detach())
    assert lam.abs().min() >= 0.4 - 1e-6 and lam.abs().max() <= 0.9 + 1e-6
    assert lam.angle().min() > 0 and lam.angle().max() <= math.pi / 10 + 1e-6
    torch.testing.assert_close(torch.exp(lru.gamma_log.detach()), torch.sqrt(1 - lam.abs() ** 2))
    # B ~ CN(0, 1/H) and C ~ CN(0, 2/N): component variances 1/(2H) and 1/N.
    torch.testing.assert_close(lru.B_re.var().item(), 1 / 64, rtol=0.1, atol=0)
    torch.testing.assert_close(lru.C_im.var().item(), 1 / 256, rtol=0.1, atol=0)


def test_recurrent_parameters_carry_the_optimiser_hint():
    lru = LRU(4, 3).double()  # conversion keeps the hints
    groups = param_groups(lru, lr=1e-3, weight_decay=0.1)
    by_param = {id(p): g for g in groups for p in g["params"]}
    for name, param in lru.named_parameters():
        group = by_param[id(param)]
        if name in {"nu_log", "theta_log", "gamma_log", "B_re", "B_im"}:
            assert (group["lr"], group["weight_decay"]) == (5e-4, 0.0), name
        elif name in {"C_re", "C_im"}:
            assert (group["lr"], group["weight_decay"]) == (1e-3, 0.1), name
        else:  # D, a vector
            assert (group["lr"], group["weight_decay"]) == (1e-3, 0.0), name


def test_bad_arguments_get_clear_errors():
    with pytest.raises(ValueError, match="r_min"):
        LRU(4, 4, r_min=0.9, r_max=1.0)
    with pytest.raises(ValueError, match="scan"):
        LRU(4, 4, scan="fft")
    lru = LRU(4, 4)
    with pytest.raises(ValueError, match=r"\(B, L >= 1, 4\)"):
        lru(torch.randn(2, 10, 3))
    with pytest.raises(ValueError, match="h_0 must be"):
        lru(torch.randn(2, 10, 4), torch.zeros(2, 5, dtype=torch.complex64))
