"""Diagonal linear recurrences h_k = λ ⊙ h_{k−1} + x_k, the core of the LRU.

The recurrence is linear and time-invariant, so it need not be run one step at a time.
Two implementations of one operator live here:

- `scan_sequential`: the reference. A Python loop over time, obviously correct, autograd
  throughout; the twin that tests and benchmarks hold the fast path against.
- `scan_chunked`: the fast path. The sequence is cut into chunks of K steps. Inside a chunk
  the recurrence is a lower-triangular Toeplitz product with the powers λ^0 … λ^{K−1}: one
  small batched matmul for all chunks at once. The states at chunk ends obey the same
  recurrence with λ^K, so they are scanned recursively, and each chunk then adds
  λ^{j+1} ⊙ (state entering the chunk). Run in reverse with conj(λ) it is its own backward
  pass (`scan_chunked_vjp`), so training saves only h and costs about two forward scans.

Why chunked (measured on the 2-core CPU, B=8, N=64, L=16000, complex64, forward /
forward+backward, before the allocator tuning of `refine.runtime`): chunked K=16 0.20 s /
0.61 s; FFT convolution 0.34 s / 0.95 s; Hillis–Steele associative scan 1.4 s / 7.6 s.
K=16 and K=32 tie; 8 and 64 are slower. `benchmarks/lru_speed.py` measures the final
chunked path against the sequential loop.

Layout: x and h are (..., N, L), time last, so the chunk matmul needs no copies.

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


def _toeplitz(log_lambda: torch.Tensor, size: int, dtype: torch.dtype) -> torch.Tensor:
    """T[n, i, j] = λ_n^(j−i) for j ≥ i, else 0, so that (x @ T)[j] = Σ_{i≤j} λ^(j−i) x[i]."""
    steps = torch.arange(size, device=log_lambda.device)
    lag = steps[None, :] - steps[:, None]  # (K, K)
    powers = lambda_powers(log_lambda, lag.clamp(min=0))  # (N, K, K)
    return torch.where(lag >= 0, powers, 0).to(dtype)


def _scan_chunks(
    log_lambda: torch.Tensor,
    x: torch.Tensor,
    h_0: torch.Tensor | None,
    chunk: int,
    reverse: bool,
) -> torch.Tensor:
    """The chunked scan without autograd: (N,), (..., N, L), (..., N) -> (..., N, L).

    Forward: h_k = λ h_{k−1} + x_k with h_{−1} = h_0.
    Reverse: h_k = λ h_{k+1} + x_k with h_L = 0 (the backward pass of the forward scan).
    """
    length = x.shape[-1]
    size = min(length, chunk)
    n_chunks = -(-length // size)
    if n_chunks * size != length:
        x = F.pad(x, (0, n_chunks * size - length))
    toeplitz = _toeplitz(log_lambda, size, x.dtype)  # (N, K, K)
    if reverse:
        toeplitz = toeplitz.mT
    h = x.unflatten(-1, (n_chunks, size)) @ toeplitz  # (..., N, C, K), chunks scanned from 0

    if n_chunks == 1 and h_0 is None:
        return h.flatten(-2)[..., :length]
    if n_chunks > 1:  # full states where chunks meet, scanned with λ^K
        edges = h[..., 0] if reverse else h[..., -1]  # (..., N, C)
        edges = _scan_chunks(log_lambda * size, edges, h_0, chunk, reverse)
    if reverse:  # chunk c receives the state of chunk c+1, decayed by λ^(K−j)
        entering = F.pad(edges[..., 1:], (0, 1))  # (..., N, C)
        exponents = torch.arange(size, 0, -1, device=x.device)
    else:  # chunk c receives the state at the end of chunk c−1, decayed by λ^(j+1)
        first = torch.zeros_like(h[..., :1, 0]) if h_0 is None else h_0[..., None]
        entering = first if n_chunks == 1 else torch.cat([first, edges[..., :-1]], -1)
        exponents = torch.arange(1, size + 1, device=x.device)
    decay = lambda_powers(log_lambda, exponents).to(x.dtype)  # (N, K)
    h.addcmul_(entering[..., None], decay[:, None, :])
    return h.flatten(-2)[..., :length]


def _check(log_lambda: torch.Tensor, x: torch.Tensor, h_0: torch.Tensor | None) -> None:
    if not (log_lambda.is_complex() and x.is_complex()):
        raise TypeError("scans take complex log_lambda (N,) and x (..., N, L)")
    if x.dim() < 2 or x.shape[-2] != log_lambda.shape[-1] or x.shape[-1] < 1:
        raise ValueError(
            f"x must be (..., N, L) with N = {log_lambda.shape[-1]} states and L >= 1, "
            f"got {tuple(x.shape)}"
        )
    if h_0 is not None and h_0.shape != x.shape[:-1]:
        raise ValueError(f"h_0 must be {tuple(x.shape[:-1])}, got {tuple(h_0.shape)}")


def scan_chunked(
    log_lambda: torch.Tensor,
    x: torch.Tensor,
    h_0: torch.Tensor | None = None,
    reverse: bool = False,
    chunk: int = CHUNK,
) -> torch.Tensor:
    """h_k = λ ⊙ h_{k−1} + x_k for k = 0 … L−1 with h_{−1} = h_0 (zeros when None); with
    `reverse`, h_k = λ ⊙ h_{k+1} + x_k from the end (h_0 must then be None).

    log_lambda (N,) complex, x (..., N, L) complex, h_0 (..., N) -> h (..., N, L).
    No autograd: `scan_chunked_vjp` is its backward, by hand (the reverse scan).
    """
    _check(log_lambda, x, h_0)
    if reverse and h_0 is not None:
        raise ValueError("a reverse scan starts from zeros at the end: pass h_0=None")
    with torch.no_grad():
        h_0 = None if h_0 is None else h_0.to(x.dtype)
        return _scan_chunks(log_lambda, x, h_0, chunk, reverse)


def scan_chunked_vjp(
    log_lambda: torch.Tensor,
    h: torch.Tensor,
    grad_h: torch.Tensor,
    h_0: torch.Tensor | None = None,
    chunk: int = CHUNK,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """Backward pass of `scan_chunked` (forward direction), by hand.

    For h_k = λ h_{k−1} + x_k and upstream gradient g = ∂E/∂h (PyTorch's conjugate
    convention): dx_k = g_k + conj(λ) dx_{k+1} is the reverse scan, dh_0 = conj(λ) dx_0,
    dλ = Σ_k conj(h_{k−1}) dx_k over time and batch, and d log λ = conj(λ) dλ.

    log_lambda (N,), h and grad_h (..., N, L), h_0 (..., N) or None
    -> grad_log_lambda (N,), grad_x (..., N, L), grad_h_0 (..., N) or None.
    """
    conj_log_lambda = log_lambda.detach().conj()
    conj_lambda = torch.exp(conj_log_lambda)
    grad_x = scan_chunked(conj_log_lambda, grad_h.contiguous(), reverse=True, chunk=chunk)
    grad_lambda = torch.linalg.vecdot(h[..., :-1], grad_x[..., 1:])  # (..., N)
    grad_h_0 = None
    if h_0 is not None:
        grad_lambda = grad_lambda + h_0.conj() * grad_x[..., 0]
        grad_h_0 = conj_lambda * grad_x[..., 0]
    grad_log_lambda = conj_lambda * grad_lambda.reshape(-1, h.shape[-2]).sum(0)  # (N,)
    return grad_log_lambda.to(log_lambda.dtype), grad_x, grad_h_0


def scan_sequential(
    log_lambda: torch.Tensor, x: torch.Tensor, h_0: torch.Tensor | None = None
) -> torch.Tensor:
    """Reference twin of `scan_chunked`: the recurrence one step at a time, autograd throughout.

    log_lambda (N,) complex, x (..., N, L) complex, h_0 (..., N) -> h (..., N, L).
    """
    _check(log_lambda, x, h_0)
    lam = torch.exp(log_lambda).to(x.dtype)  # (N,)
    h = torch.zeros_like(x[..., 0]) if h_0 is None else h_0.to(x.dtype)  # (..., N)
    states = []
    for x_k in x.unbind(-1):  # unbind, not x[..., k]: its backward does not copy x per step
        h = lam * h + x_k
        states.append(h)
    return torch.stack(states, -1)
