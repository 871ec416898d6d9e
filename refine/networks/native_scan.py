"""The LRU's recurrence as compiled C: `scan_native` and its backward `scan_native_vjp`.

The same operator as `refine.networks.scan.scan_chunked` (whose docstring explains the
recurrence and the layout) and its hand-written backward, computed by `scan_kernel.c` in one
pass over memory each instead of dozens of torch operators: the plain loop, time outer and
the states inner and vectorised, needs no powers of λ and no chunk bookkeeping. Measured on
the 2-core CPU (`benchmarks/lru_speed.py`, N=64), forward and backward are 3-4x faster than
the chunked scan's at the training step's lengths (B=16, L ≤ 64), where the chunked scan's
time is its operators' overhead, and 2.5-3.5x at B=8, L=16000.

The C file is compiled on first use and cached (`refine.networks.native`); a large batch is
split across torch.get_num_threads() threads (torch's own OpenMP threads where the library is
built with OpenMP, else Python threads). Where no compiler works, `available()` is
False, a warning says so once, and the LRU uses the chunked scan: slower, the same results
to float32 rounding (tests hold all three scans to the sequential reference).
"""

import ctypes
from pathlib import Path

import torch

from refine.networks import native
from refine.networks.scan import check_scan_inputs

MAX_STATES = 4096  # N the kernels carry on their stack (scan_kernel.c)
PARALLEL_WORK = 1 << 18  # complex entries (B·L·N) from which the batch is split over threads
_KERNELS = {torch.complex64: "f32", torch.complex128: "f64"}
_POINTER, _SIZE = ctypes.c_void_p, ctypes.c_long
KERNELS = native.Kernels(
    Path(__file__).with_name("scan_kernel.c"),
    {
        **{f"scan_forward_{suffix}": [_POINTER] * 3 + [_SIZE] * 4 for suffix in _KERNELS.values()},
        **{f"scan_backward_{suffix}": [_POINTER] * 5 + [_SIZE] * 4 for suffix in _KERNELS.values()},
    },
    "the LRU uses the chunked torch scan instead, the same results about 2x slower",
)


def available() -> bool:
    """Whether `scan_native` runs compiled here (else callers take the chunked scan)."""
    return KERNELS.available()


def _over_rows(kernel: str, rows: int, work: int, *arguments) -> None:
    """kernel(*pointers, first, last, length, states, threads) over batch rows [0, rows),
    split across threads when the work is large enough to pay for them."""
    split = work >= PARALLEL_WORK
    if not KERNELS.over_rows(kernel, rows, split, arguments[:-2], arguments[-2:]):
        raise ValueError(  # _check refuses this first
            f"the scan kernel takes at most {MAX_STATES} states, got {arguments[-1]}"
        )


def _check(log_lambda: torch.Tensor, x: torch.Tensor, h_0: torch.Tensor | None) -> None:
    """`check_scan_inputs`, and what only the kernels need: complex64/128 on the CPU, at
    most MAX_STATES states."""
    if x.dtype not in _KERNELS or x.device.type != "cpu":
        raise TypeError(f"scan_native takes complex64 or complex128 CPU tensors, got {x.dtype}")
    check_scan_inputs(log_lambda, x, h_0)
    if x.shape[-1] > MAX_STATES:
        raise ValueError(f"scan_native takes at most {MAX_STATES} states, got {x.shape[-1]}")


def _lambda(log_lambda: torch.Tensor) -> torch.Tensor:
    """λ = exp(log λ) in complex128, in which the kernels carry the recurrence: (N,)."""
    return torch.exp(log_lambda.detach().to(torch.complex128))


def _pointer(t: torch.Tensor | None) -> int | None:
    return None if t is None else t.data_ptr()


def scan_native(
    log_lambda: torch.Tensor,
    x: torch.Tensor,
    h_0: torch.Tensor | None = None,
    overwrite: bool = False,
) -> torch.Tensor:
    """h_k = λ ⊙ h_{k−1} + x_k for k = 0 … L−1 with h_{−1} = h_0 (zeros when None).

    log_lambda (N,) complex, x (..., L, N) complex64/128 on the CPU, h_0 (..., N)
    -> h (..., L, N). `overwrite`: x is scratch the scan may compute in (h is then x, when x
    is contiguous). No autograd: `scan_native_vjp` is its backward. Needs `available()`.
    """
    _check(log_lambda, x, h_0)
    with torch.no_grad():
        h = x if overwrite and x.is_contiguous() else x.clone(memory_format=torch.contiguous_format)
        start = None if h_0 is None else h_0.to(h.dtype).contiguous()
        lam = _lambda(log_lambda)
        length, states = h.shape[-2:]
        rows = h.numel() // (length * states)
        kernel = f"scan_forward_{_KERNELS[h.dtype]}"
        _over_rows(
            kernel, rows, h.numel(), h.data_ptr(), lam.data_ptr(), _pointer(start), length, states
        )
    return h


def scan_native_vjp(
    log_lambda: torch.Tensor,
    h: torch.Tensor,
    grad_h: torch.Tensor,
    h_0: torch.Tensor | None = None,
    overwrite: bool = False,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """Backward pass of `scan_native`, as `refine.networks.scan.scan_chunked_vjp` (same
    arguments and returns): dx_k = g_k + conj(λ) dx_{k+1}, dh_0 = conj(λ) dx_0,
    d log λ = conj(λ) Σ_k conj(h_{k−1}) dx_k, the last two sums in the reverse pass itself.

    log_lambda (N,), h and grad_h (..., L, N), h_0 (..., N) or None
    -> grad_log_lambda (N,), grad_x (..., L, N), grad_h_0 (..., N) or None.
    """
    _check(log_lambda, grad_h, h_0)
    with torch.no_grad():
        contiguous = overwrite and grad_h.is_contiguous()
        grad_x = grad_h if contiguous else grad_h.clone(memory_format=torch.contiguous_format)
        h = h.to(grad_x.dtype).contiguous()
        start = None if h_0 is None else h_0.to(grad_x.dtype).contiguous()
        lam = _lambda(log_lambda)  # the kernel conjugates it itself
        length, states = grad_x.shape[-2:]
        rows = grad_x.numel() // (length * states)
        grad_lambda = torch.empty(rows, states, dtype=torch.complex128)  # per row, summed below
        kernel = f"scan_backward_{_KERNELS[grad_x.dtype]}"
        _over_rows(
            kernel,
            rows,
            grad_x.numel(),
            h.data_ptr(),
            grad_x.data_ptr(),
            lam.data_ptr(),
            _pointer(start),
            grad_lambda.data_ptr(),
            length,
            states,
        )
        conj_lambda = lam.conj()
        grad_h_0 = None if h_0 is None else conj_lambda.to(grad_x.dtype) * grad_x[..., 0, :]
        grad_log_lambda = conj_lambda * grad_lambda.sum(0)  # (N,)
    return grad_log_lambda.to(log_lambda.dtype), grad_x, grad_h_0
