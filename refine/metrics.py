"""Signal-quality metrics over the last axis (time): SNR and scale-invariant SDR, in dB.

Both follow torchmetrics' definitions (no mean removal, eps = machine epsilon in numerator
and denominator), so numbers here compare with papers and tools that use it.
"""

import torch


def _eps(x: torch.Tensor) -> float:
    return torch.finfo(x.dtype).eps


def snr(estimate: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
    """10·log10(‖s‖² / ‖s − ŝ‖²): (..., T), (..., T) -> (...)."""
    eps = _eps(reference)
    signal = reference.square().sum(-1)
    error = (reference - estimate).square().sum(-1)
    return 10 * torch.log10((signal + eps) / (error + eps))


def si_sdr(estimate: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
    """SNR after the best scaling of the reference, 10·log10(‖αs‖² / ‖αs − ŝ‖²) with
    α = ⟨ŝ, s⟩/‖s‖², so gain errors are not counted: (..., T), (..., T) -> (...)."""
    eps = _eps(reference)
    alpha = ((estimate * reference).sum(-1, keepdim=True) + eps) / (
        reference.square().sum(-1, keepdim=True) + eps
    )
    target = alpha * reference
    return 10 * torch.log10(
        (target.square().sum(-1) + eps) / ((target - estimate).square().sum(-1) + eps)
    )
