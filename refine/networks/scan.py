"""Diagonal linear recurrences h_k = λ ⊙ h_{k−1} + x_k, the core of the LRU.

The recurrence is linear and time-invariant, so it need not be run one step at a time.
Two implementations of one operator live here:

- `scan_sequential`: the reference. A Python loop over time, obviously correct, autograd
  throughout; the twin that tests and benchmarks hold the fast path against.
- `scan_chunked`: the fast path. The sequence is cut into chunks of K steps, and the
  recurrence runs inside all chunks at once: K − 1 vectorised steps, each over every chunk,
  batch element and state. The states at chunk ends obey the same recurrence with λ^K, so
  they are scanned recursively (L/K of them, then L/K², …), and each chunk then adds
  λ^{j+1} ⊙ (state entering the chunk) in one broadcast multiply-add. Run in reverse with
  conj(λ) it is its own backward pass (`scan_chunked_vjp`), so training saves only h and
  costs about two forward scans.

`scan_twice` runs the chunked scan inside autograd, with a backward that is itself a scan
(`_ScanFunction`), so it can be differentiated again: what a gradient-step network, whose
output is a gradient of the network, needs to train (`refine.networks.step_net`).

A third implementation, compiled C (`refine.networks.native_scan`), is the LRU's default:
the plain loop in one pass, 3-4x faster than the chunked scan at the training step's lengths.
The chunked scan stays as its fallback where no C compiler builds it, and on other devices.

Layout: x and h are (..., L, N), time before states, so that the LRU's dense projections
read and write them as contiguous (B·L, 2N) real matrices (`torch.view_as_real`), with no
complex/real conversion or transposing copy on either side of the scan: those copies had
cost more than the scan itself. The price is that a chunk's steps are strided slices, so
the work inside a chunk is elementwise rather than a Toeplitz matmul (the previous design,
with time last). Measured on the 2-core CPU (B=8, L=16000, N=64, `benchmarks/lru_speed.py`):
the scan alone takes 25 ms forward and 92 ms forward+backward against the Toeplitz scan's
29 and 66, but the whole layer 172 ms against 233, its copies gone; at the training step's
lengths (L ≤ 64) the scan is 2.5–5x faster than the Toeplitz scan (fewer, larger ops).
K = 16 is the fastest chunk, or within 10 % of it, at every length measured (16 to 16000);
K = 32 and 64 take 2.7x as long at B=1, L=10000, K = 4 is slower everywhere.

Powers of λ are computed as exp(k · log λ) in complex128 and cast afterwards: for
|λ| close to 1 the phase k·θ reaches thousands of radians at the coarse levels of the
recursion, where float32 would lose 1e-4 of accuracy.
"""

import torch
import torch.nn.functional as F

CHUNK = 16


def lambda_powers(log_lambda: torch.Tensor, exponents: torch.Tensor) -> torch.Tensor:
    """λ^e for every state and exponent: (N,), (...) -> (N, ...), in complex128."""
    log_lambda = log_lambda.to(torch.complex128)
    exponents = exponents.to(torch.float64)
    return torch.exp(exponents * log_lambda.reshape(-1, *[1] * exponents.dim()))


def _power_tables(
    log_lambda: torch.Tensor, length: int, chunk: int, dtype: torch.dtype
) -> list[torch.Tensor]:
    """λ_l^1 … λ_l^K for every level l of the recursion over `length` steps, where λ_0 = λ
    and λ_{l+1} = λ_l^K: a list of (K_l, N) tables in dtype, from one exp in complex128."""
    exponents, base = [], 1
    while True:
        size = min(length, chunk)
        exponents.append(base * torch.arange(1, size + 1, dtype=torch.float64))
        length = -(-length // size)
        if length == 1:
            break
        base *= size
    powers = lambda_powers(log_lambda, torch.cat(exponents).to(log_lambda.device))  # (N, ΣK)
    powers = powers.to(dtype).T.contiguous()  # (ΣK, N)
    return list(powers.split([len(e) for e in exponents]))


def _scan_in_place(
    tables: list[torch.Tensor],
    x: torch.Tensor,
    h_0: torch.Tensor | None,
    reverse: bool,
) -> torch.Tensor:
    """The chunked scan, overwriting x (a padded copy when L is not a multiple of the
    chunk): `_power_tables` of λ, (..., L, N), (..., N) -> h (..., L, N).

    Forward: h_k = λ h_{k−1} + x_k with h_{−1} = h_0.
    Reverse: h_k = λ h_{k+1} + x_k with h_L = 0 (the backward pass of the forward scan).
    """
    powers = tables[0]  # (K, N): λ^1 … λ^K of this level
    length, size = x.shape[-2], powers.shape[0]
    n_chunks = -(-length // size)
    if n_chunks * size != length:
        x = F.pad(x, (0, 0, 0, n_chunks * size - length))
    h = x.unflatten(-2, (n_chunks, size))  # (..., C, K, N): a view, written in place
    steps = h.unbind(-2)  # step j of every chunk, (..., C, N) views
    if reverse:  # (step, the step it follows) pairs, in the order the recurrence runs
        pairs = zip(steps[-2::-1], steps[:0:-1], strict=True)
    else:
        pairs = zip(steps[1:], steps[:-1], strict=True)
    for step, previous in pairs:  # inside every chunk at once, from the chunk's first step
        step.addcmul_(previous, powers[0])

    if n_chunks > 1:  # full states where chunks meet, scanned with λ^K
        edges = (steps[0] if reverse else steps[-1]).contiguous()  # (..., C, N)
        edges = _scan_in_place(tables[1:], edges, h_0, reverse)
    if reverse:  # chunk c receives the state of chunk c+1, decayed by λ^(K−j)
        if n_chunks > 1:
            h[..., :-1, :, :].addcmul_(edges[..., 1:, None, :], powers.flip(0))
    else:  # chunk c receives the state at the end of chunk c−1, decayed by λ^(j+1)
        if n_chunks > 1:
            h[..., 1:, :, :].addcmul_(edges[..., :-1, None, :], powers)
        if h_0 is not None:
            h[..., 0, :, :].addcmul_(h_0[..., None, :], powers)
    return h.flatten(-3, -2)[..., :length, :]


def check_scan_inputs(log_lambda: torch.Tensor, x: torch.Tensor, h_0: torch.Tensor | None) -> None:
    """A clear error for arguments no scan takes: log_lambda (N,) and x (..., L ≥ 1, N)
    complex, h_0 (..., N) or None."""
    if not (log_lambda.is_complex() and x.is_complex()):
        raise TypeError("scans take complex log_lambda (N,) and x (..., L, N)")
    if x.dim() < 2 or x.shape[-1] != log_lambda.shape[-1] or x.shape[-2] < 1:
        raise ValueError(
            f"x must be (..., L, N) with L >= 1 steps and N = {log_lambda.shape[-1]} states, "
            f"got {tuple(x.shape)}"
        )
    expected = x.shape[:-2] + x.shape[-1:]
    if h_0 is not None and h_0.shape != expected:
        raise ValueError(f"h_0 must be {tuple(expected)}, got {tuple(h_0.shape)}")


def scan_chunked(
    log_lambda: torch.Tensor,
    x: torch.Tensor,
    h_0: torch.Tensor | None = None,
    reverse: bool = False,
    chunk: int = CHUNK,
    overwrite: bool = False,
) -> torch.Tensor:
    """h_k = λ ⊙ h_{k−1} + x_k for k = 0 … L−1 with h_{−1} = h_0 (zeros when None); with
    `reverse`, h_k = λ ⊙ h_{k+1} + x_k from the end (h_0 must then be None).

    log_lambda (N,) complex, x (..., L, N) complex, h_0 (..., N) -> h (..., L, N).
    `overwrite`: x is a scratch tensor the scan may compute in (saves a copy of x; when L is
    a multiple of the chunk, h is then x). No autograd: `scan_chunked_vjp` is its backward,
    by hand (the reverse scan).
    """
    check_scan_inputs(log_lambda, x, h_0)
    if reverse and h_0 is not None:
        raise ValueError("a reverse scan starts from zeros at the end: pass h_0=None")
    with torch.no_grad():
        h_0 = None if h_0 is None else h_0.to(x.dtype)
        x = x if overwrite and x.is_contiguous() else x.clone(memory_format=torch.contiguous_format)
        tables = _power_tables(log_lambda, x.shape[-2], chunk, x.dtype)
        return _scan_in_place(tables, x, h_0, reverse)


def scan_chunked_vjp(
    log_lambda: torch.Tensor,
    h: torch.Tensor,
    grad_h: torch.Tensor,
    h_0: torch.Tensor | None = None,
    chunk: int = CHUNK,
    overwrite: bool = False,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """Backward pass of `scan_chunked` (forward direction), by hand.

    For h_k = λ h_{k−1} + x_k and upstream gradient g = ∂E/∂h (PyTorch's conjugate
    convention): dx_k = g_k + conj(λ) dx_{k+1} is the reverse scan, dh_0 = conj(λ) dx_0,
    dλ = Σ_k conj(h_{k−1}) dx_k over time and batch, and d log λ = conj(λ) dλ.

    log_lambda (N,), h and grad_h (..., L, N), h_0 (..., N) or None
    -> grad_log_lambda (N,), grad_x (..., L, N), grad_h_0 (..., N) or None.
    `overwrite`: grad_h is scratch, as in `scan_chunked`.
    """
    conj_log_lambda = log_lambda.detach().conj()
    conj_lambda = torch.exp(conj_log_lambda)
    grad_x = scan_chunked(conj_log_lambda, grad_h, reverse=True, chunk=chunk, overwrite=overwrite)
    grad_lambda = torch.linalg.vecdot(h[..., :-1, :], grad_x[..., 1:, :], dim=-2)  # (..., N)
    grad_h_0 = None
    if h_0 is not None:
        grad_lambda = grad_lambda + h_0.conj() * grad_x[..., 0, :]
        grad_h_0 = conj_lambda * grad_x[..., 0, :]
    grad_log_lambda = conj_lambda * grad_lambda.reshape(-1, h.shape[-1]).sum(0)  # (N,)
    return grad_log_lambda.to(log_lambda.dtype), grad_x, grad_h_0


def scan_sequential(
    log_lambda: torch.Tensor, x: torch.Tensor, h_0: torch.Tensor | None = None
) -> torch.Tensor:
    """Reference twin of `scan_chunked`: the recurrence one step at a time, autograd throughout.

    log_lambda (N,) complex, x (..., L, N) complex, h_0 (..., N) -> h (..., L, N).
    """
    check_scan_inputs(log_lambda, x, h_0)
    lam = torch.exp(log_lambda).to(x.dtype)  # (N,)
    h = torch.zeros_like(x[..., 0, :]) if h_0 is None else h_0.to(x.dtype)  # (..., N)
    states = []
    for x_k in x.unbind(-2):  # unbind, not x[..., k, :]: its backward does not copy x per step
        h = lam * h + x_k
        states.append(h)
    return torch.stack(states, -2)


class _ScanFunction(torch.autograd.Function):
    """The chunked scan (forward or reverse) whose backward is built from this same Function
    and differentiable torch operators, so that autograd can differentiate it again.

    Forward h_k = λ h_{k−1} + x_k: the gradient of x is the reverse scan of ∂E/∂h with conj λ,
    and of λ the sum over time and batch of conj(h_{k−1}) ∂E/∂x_k (`scan_chunked_vjp`); the
    reverse scan's are the mirror images. ∂E/∂log λ = conj(λ) ∂E/∂λ.
    """

    @staticmethod
    def forward(ctx, log_lambda, x, h_0, reverse):
        h = scan_chunked(log_lambda, x, h_0, reverse=reverse)
        ctx.reverse = reverse
        ctx.save_for_backward(log_lambda, h, h_0)
        return h

    @staticmethod
    def backward(ctx, grad_h):
        log_lambda, h, h_0 = ctx.saved_tensors
        conj_log_lambda = log_lambda.conj()
        grad_x = _ScanFunction.apply(conj_log_lambda, grad_h, None, not ctx.reverse)
        if ctx.reverse:  # h_k = λ h_{k+1} + x_k, h_L = 0
            grad_lambda = torch.linalg.vecdot(h[..., 1:, :], grad_x[..., :-1, :], dim=-2)
        else:  # h_k = λ h_{k−1} + x_k, h_{−1} = h_0
            grad_lambda = torch.linalg.vecdot(h[..., :-1, :], grad_x[..., 1:, :], dim=-2)
        conj_lambda = torch.exp(conj_log_lambda).to(h.dtype)
        grad_h_0 = None
        if h_0 is not None:
            grad_lambda = grad_lambda + h_0.conj() * grad_x[..., 0, :]
            grad_h_0 = conj_lambda * grad_x[..., 0, :]
        grad_lambda = grad_lambda.reshape(-1, h.shape[-1]).sum(0)  # (N,)
        grad_log_lambda = (conj_lambda * grad_lambda).to(log_lambda.dtype)
        return grad_log_lambda, grad_x, grad_h_0, None


def scan_twice(
    log_lambda: torch.Tensor, x: torch.Tensor, h_0: torch.Tensor | None = None
) -> torch.Tensor:
    """`scan_chunked` differentiable twice (and more) by autograd: the twin of
    `scan_sequential` at the chunked scan's speed, for gradient-step networks.

    log_lambda (N,) complex, x (..., L, N) complex, h_0 (..., N) -> h (..., L, N).
    """
    check_scan_inputs(log_lambda, x, h_0)
    return _ScanFunction.apply(log_lambda, x, None if h_0 is None else h_0.to(x.dtype), False)
