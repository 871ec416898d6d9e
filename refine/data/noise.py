"""Coloured noise and mixing at a given signal-to-noise ratio.

Coloured noise is white Gaussian noise shaped in the frequency domain: the rfft of white noise
is multiplied by f^(−α/2), so the power spectrum falls as 1/f^α (α = 0 white, 1 pink, 2 brown),
with the DC bin zeroed so the result has zero mean. Shaping the whole signal at once is exact
and vectorised, unlike IIR approximations (Voss-McCartney, leaky integrators) whose slope
holds only over a few octaves. The result is periodic, and its lowest frequency is one cycle
per period: noise made at a clip's own length holds nothing slower than the clip. That
matters for pink and brown noise, whose power keeps growing towards 0 Hz: a 4 s clip's pink
noise puts a quarter of its energy below 2 Hz, a slow drift that 0.5 s training clips made at
their own length never show. `period` makes the noise longer and returns a window of it, so
a short clip carries the drift of a long recording.

`mix_at_snr` scales the noise, never the clean signal, so the clean target keeps its level and
noisy = clean + scaled_noise holds exactly in floating point.
"""

import math

import torch

NOISE_KINDS = ("white", "pink", "brown", "mix")

# Power-spectrum exponent α of each pure colour: power ∝ 1/f^α.
_SPECTRAL_EXPONENTS = {"white": 0.0, "pink": 1.0, "brown": 2.0}


def _shaped_noise(exponent: float, num_samples: int, generator: torch.Generator) -> torch.Tensor:
    """Zero-mean, unit-variance Gaussian noise with power ∝ 1/f^exponent: (T,) float64."""
    white = torch.randn(num_samples, generator=generator, dtype=torch.float64)  # (T,)
    if exponent == 0.0:
        noise = white
    else:
        spectrum = torch.fft.rfft(white)  # (T//2 + 1,)
        freqs = torch.fft.rfftfreq(num_samples, dtype=torch.float64)  # (T//2 + 1,)
        gain = torch.zeros_like(freqs)
        gain[1:] = freqs[1:] ** (-exponent / 2)  # DC bin zeroed: zero mean
        noise = torch.fft.irfft(spectrum * gain, n=num_samples)  # (T,)
    noise = noise - noise.mean()
    return noise / noise.std()


def colored_noise(
    kind: str, num_samples: int, generator: torch.Generator, period: int | None = None
) -> torch.Tensor:
    """Noise of a given colour, zero-mean and unit-variance over its period: (T,) float32.

    kind: "white" (flat power), "pink" (power ∝ 1/f), "brown" (power ∝ 1/f²), or "mix": an
    independent white, pink and brown noise combined with random convex weights (uniform on
    the simplex), then renormalised.
    period: the length in samples of the noise that is made (≥ num_samples; default
    num_samples); the first num_samples of it are returned. A longer period reaches lower
    frequencies, so the window has the mean and drift of a window of a long recording.
    """
    if kind not in NOISE_KINDS:
        raise ValueError(f"unknown noise kind {kind!r}; valid kinds: {NOISE_KINDS}")
    if num_samples < 2:
        raise ValueError(f"num_samples must be at least 2 to normalise, got {num_samples}")
    period = num_samples if period is None else period
    if period < num_samples:
        raise ValueError(f"period must be at least num_samples ({num_samples}), got {period}")
    if kind != "mix":
        noise = _shaped_noise(_SPECTRAL_EXPONENTS[kind], period, generator)  # (P,)
        return noise[:num_samples].float()
    # Normalised exponentials are uniform on the simplex (a flat Dirichlet).
    weights = -torch.log(1.0 - torch.rand(3, generator=generator, dtype=torch.float64))  # (3,)
    weights = weights / weights.sum()
    parts = [_shaped_noise(a, period, generator) for a in _SPECTRAL_EXPONENTS.values()]
    noise = weights @ torch.stack(parts)  # (P,)
    noise = noise - noise.mean()
    return (noise / noise.std())[:num_samples].float()


def mix_at_snr(
    clean: torch.Tensor, noise: torch.Tensor, snr_db: float | torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Scale the noise so that 10·log10(‖clean‖² / ‖scaled_noise‖²) = snr_db, then add it.

    clean, noise (..., T); snr_db a float or a tensor that broadcasts against the leading dims
    (...). Energies are taken along the last axis, per example. Returns (noisy, scaled_noise),
    both (..., T), with noisy = clean + scaled_noise exactly. Where clean is silent (zero
    energy) no scale reaches the SNR, and the noise is returned unscaled; all-zero noise
    stays zero.
    """
    if clean.shape[-1] != noise.shape[-1]:
        raise ValueError(
            f"clean and noise must have the same length (last axis), got {tuple(clean.shape)} "
            f"and {tuple(noise.shape)}"
        )
    clean_energy = clean.double().square().sum(-1, keepdim=True)  # (..., 1)
    noise_energy = noise.double().square().sum(-1, keepdim=True)  # (..., 1)
    snr = torch.as_tensor(snr_db, dtype=torch.float64, device=clean.device)
    target_energy = clean_energy * 10.0 ** (-snr.unsqueeze(-1) / 10)  # (..., 1)
    usable = (clean_energy > 0) & (noise_energy > 0)
    scale = torch.where(usable, target_energy / torch.where(usable, noise_energy, 1.0), 1.0)
    scaled_noise = noise * scale.sqrt().to(noise.dtype)  # (..., T)
    return clean + scaled_noise, scaled_noise


def snr_db(clean: torch.Tensor, noise: torch.Tensor) -> float:
    """Measured 10·log10(‖clean‖² / ‖noise‖²) over the whole tensors, in dB.

    +inf when the noise is silent (also when both are), −inf when only the clean is.
    """
    clean_energy = clean.double().square().sum().item()
    noise_energy = noise.double().square().sum().item()
    if noise_energy == 0.0:
        return math.inf
    if clean_energy == 0.0:
        return -math.inf
    return 10.0 * math.log10(clean_energy / noise_energy)
