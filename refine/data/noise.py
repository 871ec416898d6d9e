"""Coloured noise and mixing at a given signal-to-noise ratio.

Coloured noise is white Gaussian noise shaped in the frequency domain: the rfft of white noise
is multiplied by f^(−α/2), so the power spectrum falls as 1/f^α (α = 0 white, 1 pink, 2 brown),
with the DC bin zeroed so the result has zero mean. Shaping the whole signal at once is exact
and vectorised, unlike IIR approximations (Voss-McCartney, leaky integrators) whose slope
holds only over a few octaves. The result is periodic over its length, which does not matter
for training segments.

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


def colored_noise(kind: str, num_samples: int, generator: torch.Generator) -> torch.Tensor:
    """Zero-mean, unit-variance noise of a given colour: (T,) float32.

    kind: "white" (flat power), "pink" (power ∝ 1/f), "brown" (power ∝ 1/f²), or "mix": an
    independent white, pink and brown noise combined with random convex weights (uniform on
    the simplex), then renormalised.
    """
    if kind not in NOISE_KINDS:
        raise ValueError(f"unknown noise kind {kind!r}; valid kinds: {NOISE_KINDS}")
    if num_samples < 2:
        raise ValueError(f"num_samples must be at least 2 to normalise, got {num_samples}")
    if kind != "mix":
        return _shaped_noise(_SPECTRAL_EXPONENTS[kind], num_samples, generator).float()
    # Normalised exponentials are uniform on the simplex (a flat Dirichlet).
    weights = -torch.log(1.0 - torch.rand(3, generator=generator, dtype=torch.float64))  # (3,)
    weights = weights / weights.sum()
    parts = [_shaped_noise(a, num_samples, generator) for a in _SPECTRAL_EXPONENTS.values()]
    noise = weights @ torch.stack(parts)  # (T,)
    noise = noise - noise.mean()
    return (noise / noise.std()).float()


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
