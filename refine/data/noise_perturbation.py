"""Recorded noise perturbed per clip: each drawn window played at another speed and through a
random equaliser, so a corpus of a few hundred recordings stands for more of the noises that
people record in.

Why: on unseen real noise the model improved with every new package of recorded noise and
with nothing else tried (width, context, more steps; experiments/pretrained), and each package
gave less. A corpus is small next to the world's noises, but a door, a voice or an engine
recorded once can be heard at other pitches, rates and colours. Chen, Wang & Wang (2016),
"Noise perturbation for supervised speech separation", found that perturbing the training
noise's frequencies helped separation in unseen noises most of the perturbations they tried;
speed perturbation is the standard augmentation of speech recognition (Ko et al. 2015).

- speed: the window is resampled as if played r times as fast, r drawn log-uniformly on
  `speed` (r > 1: higher and quicker, r < 1: lower and slower). Band-limited: the window's
  spectrum is cut or zero-padded, so a faster play does not alias.
- equaliser: gains drawn uniformly within ±eq_db at EQ_BANDS centres spaced evenly in log
  frequency from EQ_LOWEST Hz to the Nyquist frequency, interpolated linearly in dB over
  log frequency between them (flat below the first centre).

Both are one rfft and one irfft of the window (the resampling treats it as periodic: the
seam between its ends spreads over the clip at a tiny level, as in any FFT resampling).
The level is left to the mixing, which sets the SNR.
"""

import math
from dataclasses import dataclass

import torch

EQ_BANDS = 8
EQ_LOWEST = 100.0  # Hz: the lowest band centre


@dataclass(frozen=True)
class NoisePerturbation:
    """What perturb_window draws: play speeds in `speed` (low, high) and equaliser gains
    within ±eq_db; `identity` when it changes nothing (speed (1, 1) and eq_db 0)."""

    speed: tuple[float, float] = (1.0, 1.0)
    eq_db: float = 0.0

    def __post_init__(self):
        low, high = self.speed
        if not 0 < low <= high:
            raise ValueError(
                f"noise_speed_range must be [low, high] with 0 < low <= high, got {self.speed}: "
                "e.g. [0.8, 1.25] plays each window between 0.8 and 1.25 times as fast"
            )
        if not 0 <= self.eq_db <= 40:
            raise ValueError(f"noise_eq_db must be between 0 and 40 dB, got {self.eq_db}")

    @property
    def identity(self) -> bool:
        return self.speed == (1.0, 1.0) and self.eq_db == 0

    @classmethod
    def from_settings(cls, speed_range, eq_db: float) -> "NoisePerturbation":
        """From the data config's noise_speed_range (None: as recorded) and noise_eq_db."""
        speed = (1.0, 1.0) if speed_range is None else tuple(float(s) for s in speed_range)
        if len(speed) != 2:
            raise ValueError(f"noise_speed_range must be [low, high] or null, got {speed_range}")
        return cls(speed, float(eq_db))

    def draw(self, generator: torch.Generator) -> tuple[float, torch.Tensor]:
        """(play speed r, (EQ_BANDS,) gains in dB): two draws of the generator."""
        low, high = self.speed
        share = torch.rand((), generator=generator, dtype=torch.float64).item()
        speed = math.exp(math.log(low) + share * (math.log(high) - math.log(low)))
        share = torch.rand(EQ_BANDS, generator=generator, dtype=torch.float64)
        return speed, (2 * share - 1) * self.eq_db


def source_length(length: int, speed: float) -> int:
    """How many recorded samples a window of `length` played at `speed` covers."""
    return max(1, round(length * speed))


def equaliser_curve(gains_db: torch.Tensor, bins: int, sample_rate: int) -> torch.Tensor:
    """(EQ_BANDS,) dB -> (bins,) amplitude factors for an rfft of bins bins up to Nyquist."""
    nyquist = sample_rate / 2
    frequencies = torch.linspace(0, nyquist, bins, dtype=torch.float64).clamp(min=EQ_LOWEST)
    position = torch.log(frequencies / EQ_LOWEST) / math.log(nyquist / EQ_LOWEST)  # 0 ... 1
    scaled = position * (len(gains_db) - 1)
    below = scaled.floor().long().clamp(max=len(gains_db) - 2)
    fraction = scaled - below
    db = gains_db[below] * (1 - fraction) + gains_db[below + 1] * fraction  # (bins,)
    return torch.pow(10.0, db / 20)


def perturb_window(
    window: torch.Tensor, length: int, speed: float, gains_db: torch.Tensor, sample_rate: int
) -> torch.Tensor:
    """(C, source_length(length, speed)) recorded samples -> (C, length): played at `speed`
    through the equaliser of gains_db."""
    spectrum = torch.fft.rfft(window.double(), dim=-1)  # (C, n // 2 + 1)
    bins = length // 2 + 1
    if spectrum.shape[-1] >= bins:
        spectrum = spectrum[..., :bins]  # faster: what would fold above Nyquist goes
    else:
        spectrum = torch.nn.functional.pad(spectrum, (0, bins - spectrum.shape[-1]))
    spectrum = spectrum * equaliser_curve(gains_db, bins, sample_rate)
    played = torch.fft.irfft(spectrum, n=length, dim=-1) * (length / window.shape[-1])
    return played.to(window.dtype)
