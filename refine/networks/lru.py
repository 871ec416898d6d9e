"""The Linear Recurrent Unit (Orvieto et al. 2023, "Resurrecting Recurrent Neural Networks for
Long Sequences", arXiv 2303.06349).

A diagonal complex linear recurrence between two dense projections:

    λ = exp(−exp(ν_log) + i·exp(θ_log))
    h_k = λ ⊙ h_{k−1} + exp(γ_log) ⊙ (B u_k),   y_k = Re(C h_k) + D ⊙ u_k

The exponential parameterisation keeps |λ| = exp(−exp(ν_log)) < 1 for every real ν_log, so
the recurrence stays stable whatever the optimiser does. γ normalises the state so that white
input gives unit-variance states at initialisation.

Following the paper (and minimal-LRU), λ, γ and B train with half the base learning rate and
no weight decay; they carry that as an `_optim` hint which `refine.train.optim` reads.
"""

import math

import torch
from torch import nn

from refine.networks import native_scan
from refine.networks.scan import scan_chunked, scan_chunked_vjp, scan_sequential, scan_twice

RECURRENT_OPTIM = {"lr_scale": 0.5, "weight_decay": 0.0}
SCANS = ("native", "chunked", "twice", "sequential")
# The scans whose layer autograd composes from differentiable operators, so that it can be
# differentiated twice (a gradient-step network trains through its own gradient).
TWICE_DIFFERENTIABLE_SCANS = {"twice": scan_twice, "sequential": scan_sequential}


def ring_init_nu_log(d_state: int, r_min: float, r_max: float) -> torch.Tensor:
    """ν_log such that |λ| is uniform on the ring r_min ≤ |λ| ≤ r_max (by area): (N,)."""
    u = torch.rand(d_state)
    nu = -0.5 * torch.log(u * (r_max**2 - r_min**2) + r_min**2)
    return torch.log(nu)


def ring_init_theta_log(d_state: int, max_phase: float) -> torch.Tensor:
    """θ_log such that arg λ is uniform on (0, max_phase]: (N,)."""
    u = 1.0 - torch.rand(d_state)  # (0, 1]: keeps log finite
    return torch.log(max_phase * u)


def gamma_log_init(nu_log: torch.Tensor) -> torch.Tensor:
    """log √(1 − |λ|²): normalises each state's stationary variance under white input."""
    modulus = torch.exp(-torch.exp(nu_log))
    return torch.log(torch.sqrt(1.0 - modulus**2))


def _complex_view(pairs: torch.Tensor) -> torch.Tensor:
    """(..., 2N) real, columns (Re, Im) of each state in turn -> (..., N) complex, a view."""
    return torch.view_as_complex(pairs.unflatten(-1, (-1, 2)))


def _pairs_view(z: torch.Tensor) -> torch.Tensor:
    """(..., N) complex -> (..., 2N) real, columns (Re, Im) of each state in turn, a view."""
    return torch.view_as_real(z).flatten(-2)


def _rows(t: torch.Tensor) -> torch.Tensor:
    """(B, L, F) -> (B·L, F): the layout every projection is one mm in (a view when
    contiguous)."""
    return t.reshape(-1, t.shape[-1])


def fast_scans(native: bool, u: torch.Tensor, log_lambda: torch.Tensor):
    """The fast path's scan and its backward for input u and eigenvalues log_lambda: the
    compiled kernel (`native_scan`) where it builds and takes them (CPU, N ≤ MAX_STATES),
    else the chunked torch scan."""
    takes = u.device.type == "cpu" and log_lambda.shape[0] <= native_scan.MAX_STATES
    if native and takes and native_scan.available():
        return native_scan.scan_native, native_scan.scan_native_vjp
    return scan_chunked, scan_chunked_vjp


def log_lambda_of(nu_log: torch.Tensor, theta_log: torch.Tensor) -> torch.Tensor:
    """log λ = −exp(ν_log) + i·exp(θ_log): (N,), (N,) -> (N,) complex."""
    return torch.complex(-torch.exp(nu_log), torch.exp(theta_log))


def input_map_of(b_re: torch.Tensor, b_im: torch.Tensor, gamma_log: torch.Tensor) -> torch.Tensor:
    """γ ⊙ B as real rows, Re and Im of each state in turn: (N, H), (N, H), (N,) -> (2N, H)."""
    gamma = torch.exp(gamma_log)[:, None]  # (N, 1)
    return torch.stack([b_re * gamma, b_im * gamma], 1).flatten(0, 1)


def output_map_of(c_re: torch.Tensor, c_im: torch.Tensor) -> torch.Tensor:
    """Re(C h) = C_re Re(h) − C_im Im(h) as weights over (Re, Im) of each state in turn:
    (H, N), (H, N) -> (H, 2N)."""
    return torch.stack([c_re, -c_im], -1).flatten(1)


class _LRUCore(torch.autograd.Function):
    """y = Re(C scan(λ, γB u)) + D ⊙ u, h_n: the fast path, from the raw parameters, with
    the backward written out.

    Every large tensor is (B, L, H) real or (B, L, N) complex, whose real view (B, L, 2N)
    holds each state's real and imaginary parts side by side; so every projection, forward
    and backward, is one mm on (B·L, ·) matrices that BLAS reads in place, the six dense
    matmuls of the layer's floor (`benchmarks/lru_speed.py`) and nothing more, and the scan
    and its backward compute in the buffers those mm's wrote. The maps from the parameters
    (λ, γB, C as real rows) and the skip D ⊙ u are inside too, their gradients by hand: at
    the training step's small shapes their autograd graph cost as much as the scan.
    """

    @staticmethod
    def forward(ctx, u, nu_log, theta_log, gamma_log, b_re, b_im, c_re, c_im, d, h_0, native):
        batch, length, _ = u.shape
        log_lambda = log_lambda_of(nu_log, theta_log)  # (N,) complex
        w_in = input_map_of(b_re, b_im, gamma_log)  # (2N, H)
        w_out = output_map_of(c_re, c_im)  # (H, 2N)
        scan, ctx.scan_vjp = fast_scans(native, u, log_lambda)
        x = _complex_view((_rows(u) @ w_in.T).view(batch, length, -1))  # (B, L, N)
        h = scan(log_lambda, x, h_0, overwrite=True)  # (B, L, N)
        ctx.save_for_backward(u, log_lambda, w_in, w_out, h_0, h, b_re, b_im, gamma_log, d)
        y = _rows(_pairs_view(h)) @ w_out.T  # (B·L, H)
        y = y.view(batch, length, -1).addcmul_(u, d)  # (B, L, H)
        return y, h[:, -1].clone()  # (B, L, H), (B, N)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_y, grad_h_n):
        u, log_lambda, w_in, w_out, h_0, h, b_re, b_im, gamma_log, d = ctx.saved_tensors
        batch, length, _ = u.shape
        grad_y = grad_y.contiguous()
        grad_rows = _rows(grad_y)  # (B·L, H)
        grad_h = _complex_view((grad_rows @ w_out).view(batch, length, -1))  # (B, L, N)
        grad_h[:, -1] += grad_h_n
        grad_log_lambda, grad_x, grad_h_0 = ctx.scan_vjp(log_lambda, h, grad_h, h_0, overwrite=True)
        grad_x = _rows(_pairs_view(grad_x))  # (B·L, 2N)
        grad_u = (grad_x @ w_in).view(batch, length, -1).addcmul_(grad_y, d)  # (B, L, H)
        # The maps' gradients: w_in rows are (γ B_re, γ B_im) per state, w_out columns
        # (C_re, −C_im), log λ = −exp(ν_log) + i exp(θ_log).
        grad_w_in = (grad_x.T @ _rows(u)).view(-1, 2, u.shape[-1])  # (N, 2, H)
        gamma = torch.exp(gamma_log)[:, None]  # (N, 1)
        grad_b_re, grad_b_im = grad_w_in[:, 0] * gamma, grad_w_in[:, 1] * gamma
        grad_gamma_log = torch.linalg.vecdot(grad_b_re, b_re) + torch.linalg.vecdot(
            grad_b_im, b_im
        )  # (N,): γ Σ_H (∂E/∂w_re B_re + ∂E/∂w_im B_im)
        grad_w_out = (grad_rows.T @ _rows(_pairs_view(h))).view(u.shape[-1], -1, 2)  # (H, N, 2)
        grad_nu_log = grad_log_lambda.real * log_lambda.real  # ∂(−exp ν)/∂ν = −exp ν
        grad_theta_log = grad_log_lambda.imag * log_lambda.imag  # ∂(exp θ)/∂θ = exp θ
        grad_d = torch.linalg.vecdot(grad_rows, _rows(u), dim=0)  # (H,)
        return (
            grad_u,
            grad_nu_log,
            grad_theta_log,
            grad_gamma_log,
            grad_b_re,
            grad_b_im,
            grad_w_out[..., 0],
            -grad_w_out[..., 1],
            grad_d,
            grad_h_0,
            None,
        )


class LRU(nn.Module):
    """Linear Recurrent Unit. Call convention of torch.nn.GRU(batch_first=True):
    `y, h_n = lru(u, h_0=None)` with u, y (B, L, H) real and h_0, h_n (B, N) complex.

    Args:
        d_model: H, input and output features.
        d_state: N, complex state size.
        r_min, r_max: ring of initial eigenvalue moduli (paper: 0.9 ≤ |λ| ≤ 0.999 for long
            sequences; lower r_max forgets faster).
        max_phase: initial eigenvalue phases are uniform on (0, max_phase].
        scan: "native" (the compiled kernel, `refine.networks.native_scan`; the chunked
            scan where no C compiler builds it), "chunked" (the same in torch operators),
            "twice" (the chunked scan with the layer composed by autograd, differentiable
            twice) or "sequential" (the reference twin, also differentiable twice).
    """

    def __init__(
        self,
        d_model: int,
        d_state: int,
        r_min: float = 0.9,
        r_max: float = 0.999,
        max_phase: float = 2 * math.pi,
        scan: str = "native",
    ):
        super().__init__()
        if not 0.0 <= r_min < r_max < 1.0:
            raise ValueError(f"need 0 <= r_min < r_max < 1, got r_min={r_min}, r_max={r_max}")
        if scan not in SCANS:
            raise ValueError(f"scan must be one of {SCANS}, got {scan!r}")
        self.d_model, self.d_state, self.scan = d_model, d_state, scan

        # Eigenvalues on a ring near the unit circle: long memory from the start.
        self.nu_log = nn.Parameter(ring_init_nu_log(d_state, r_min, r_max))  # (N,)
        self.theta_log = nn.Parameter(ring_init_theta_log(d_state, max_phase))  # (N,)
        # State normalisation γ = √(1 − |λ|²), learned in log space.
        self.gamma_log = nn.Parameter(gamma_log_init(self.nu_log.detach()))  # (N,)
        # Glorot-like complex input and output maps: B ~ CN(0, 1/H), C ~ CN(0, 2/N).
        self.B_re = nn.Parameter(torch.randn(d_state, d_model) / math.sqrt(2 * d_model))
        self.B_im = nn.Parameter(torch.randn(d_state, d_model) / math.sqrt(2 * d_model))
        self.C_re = nn.Parameter(torch.randn(d_model, d_state) / math.sqrt(d_state))
        self.C_im = nn.Parameter(torch.randn(d_model, d_state) / math.sqrt(d_state))
        # Skip connection D ⊙ u.
        self.D = nn.Parameter(torch.randn(d_model))  # (H,)
        for p in (self.nu_log, self.theta_log, self.gamma_log, self.B_re, self.B_im):
            p._optim = dict(RECURRENT_OPTIM)

    def log_lambda(self) -> torch.Tensor:
        """log λ = −exp(ν_log) + i·exp(θ_log): (N,) complex."""
        return log_lambda_of(self.nu_log, self.theta_log)

    def _input_map(self) -> torch.Tensor:
        """γ ⊙ B as real rows, Re and Im of each state in turn: (2N, H)."""
        return input_map_of(self.B_re, self.B_im, self.gamma_log)

    def _output_map(self) -> torch.Tensor:
        """Re(C h) = C_re Re(h) − C_im Im(h) as weights over (Re, Im) of each state in turn:
        (H, 2N)."""
        return output_map_of(self.C_re, self.C_im)

    def forward(
        self, u: torch.Tensor, h_0: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """h_k = λ ⊙ h_{k−1} + γ ⊙ (B u_k),  y_k = Re(C h_k) + D ⊙ u_k.

        u (B, L, H), h_0 (B, N) complex or None (zeros) -> y (B, L, H), h_n (B, N) complex.
        Feeding h_n back as the next call's h_0 continues the sequence exactly.
        """
        if u.dim() != 3 or u.shape[-1] != self.d_model or u.shape[1] == 0:
            raise ValueError(
                f"LRU expects u of shape (B, L >= 1, {self.d_model}), got {tuple(u.shape)}"
            )
        device = u.device.type
        if torch.amp.is_autocast_available(device) and torch.is_autocast_enabled(device):
            with torch.autocast(device, enabled=False):  # mixed precision: the recurrence in fp32
                half = u.dtype in (torch.bfloat16, torch.float16)
                return self.forward(u.float() if half else u, h_0)
        complex_dtype = torch.complex128 if u.dtype == torch.float64 else torch.complex64
        if h_0 is not None:
            if h_0.shape != (u.shape[0], self.d_state):
                raise ValueError(
                    f"h_0 must be ({u.shape[0]}, {self.d_state}) complex, got {tuple(h_0.shape)}"
                )
            h_0 = h_0.to(complex_dtype)
        if self.scan not in TWICE_DIFFERENTIABLE_SCANS:
            parameters = (self.nu_log, self.theta_log, self.gamma_log, self.B_re, self.B_im)
            parameters += (self.C_re, self.C_im, self.D)
            return _LRUCore.apply(u, *parameters, h_0, self.scan == "native")
        scan = TWICE_DIFFERENTIABLE_SCANS[self.scan]
        h = scan(self.log_lambda(), _complex_view(u @ self._input_map().T), h_0)  # (B, L, N)
        y = _pairs_view(h) @ self._output_map().T  # (B, L, H)
        return torch.addcmul(y, u, self.D), h[:, -1]

    def step(self, u_k: torch.Tensor, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One time step of the recurrence, for sample-by-sample streaming.

        u_k (B, H), h (B, N) complex -> y_k (B, H), h (B, N) complex.
        """
        x = _complex_view(u_k @ self._input_map().T)  # (B, N)
        h = torch.exp(self.log_lambda()).to(x.dtype) * h.to(x.dtype) + x
        y = _pairs_view(h) @ self._output_map().T  # (B, H)
        return torch.addcmul(y, u_k, self.D), h

    def extra_repr(self) -> str:
        return f"d_model={self.d_model}, d_state={self.d_state}, scan={self.scan!r}"
