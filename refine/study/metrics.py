"""Signal-quality metrics over the last axis (time): SNR and scale-invariant SDR, in dB.

Both follow torchmetrics' definitions (no mean removal, eps = machine epsilon in numerator
and denominator), so numbers here compare with papers and tools that use it.
"""

import torch
from scipy.stats import t as student_t


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


def segmental_snr(
    estimate: torch.Tensor,
    reference: torch.Tensor,
    frame: int = 512,
    hop: int = 256,
    floor_db: float = -10.0,
    ceiling_db: float = 35.0,
) -> torch.Tensor:
    """Mean over frames of the per-frame SNR, each clamped to [floor, ceiling] dB (the usual
    guard against silent frames dominating): (..., T), (..., T) -> (...).

    Frames of 512 samples with hop 256 are 32 ms / 16 ms at 16 kHz; a clip shorter than one
    frame is one frame. A frame silent in both signals scores 0 dB (eps/eps).
    """
    length = reference.shape[-1]
    frame = min(frame, length)
    ref = reference.unfold(-1, frame, hop)  # (..., F, frame)
    est = estimate.unfold(-1, frame, hop)
    eps = _eps(reference)
    ratio = (ref.square().sum(-1) + eps) / ((ref - est).square().sum(-1) + eps)
    return (10 * torch.log10(ratio)).clamp(floor_db, ceiling_db).mean(-1)


def mean_with_interval(values: torch.Tensor, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided t-distribution confidence interval of 1-D `values` (NaNs dropped):
    (mean, low, high); the interval is the mean itself for fewer than two values."""
    values = values[~torch.isnan(values)].double()
    if len(values) == 0:
        return float("nan"), float("nan"), float("nan")
    mean = values.mean().item()
    if len(values) < 2:
        return mean, mean, mean
    quantile = student_t.ppf(0.5 + level / 2, len(values) - 1)
    half = quantile * values.std().item() / len(values) ** 0.5
    return mean, mean - half, mean + half


def speech_metrics(estimate: torch.Tensor, reference: torch.Tensor, sample_rate: int) -> dict:
    """Wide-band PESQ and STOI/ESTOI of a mono clip, (T,) each, from the `pesq` and `pystoi`
    packages (the `metrics` extra). PESQ needs 16 kHz and is NaN where it finds no speech."""
    try:
        from pesq import pesq
        from pystoi import stoi
    except ImportError as error:
        raise ImportError(
            "speech metrics need the metrics extra: pip install -e '.[metrics]'"
        ) from error
    if sample_rate != 16000:
        raise ValueError(f"wide-band PESQ needs 16 kHz audio, got {sample_rate} Hz")
    clean, degraded = reference.double().numpy(), estimate.double().numpy()
    try:
        quality = pesq(sample_rate, clean, degraded, "wb")
    except Exception:  # pesq raises its own error types for silent or too-short clips
        quality = float("nan")
    return {
        "pesq": quality,
        "stoi": stoi(clean, degraded, sample_rate, extended=False),
        "estoi": stoi(clean, degraded, sample_rate, extended=True),
    }
