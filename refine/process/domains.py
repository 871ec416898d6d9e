"""Where the refinement runs: on the waveform or on an STFT of it.

A domain turns audio (B, C, T) into features (B, K, L), the layout the 1-D step networks take
(K channels, L frames), and back. Per-step targets are computed in the domain from the
waveform targets y_t, so every domain trains towards the same signals.

- `Waveform`: the identity, K = C, L = T.
- `ComplexSTFT`: real and imaginary parts of the STFT as channels, K = 2·C·F, L = frames.
  Linear, so the refinement of the STFT is exactly a refinement of the waveform.
- `MagnitudeSTFT`: |STFT|, K = C·F; decoding reuses the noisy input's phase. Nonlinear:
  the targets |STFT(y_t)| are not on the straight line from x to s, so only the increment
  parameterisation reproduces them exactly.
Inversion is torch.istft with the same window (Hann, hop n_fft/4 by default, at most n_fft/2),
exact up to float rounding.
"""

import torch

WINDOWS = {
    "hann": torch.hann_window,
    "hamming": torch.hamming_window,
    "blackman": torch.blackman_window,
}


class Waveform:
    """(B, C, T) audio is its own feature: K = C."""

    linear = True  # the features of a x + b y are a X + b Y

    def channels(self, audio_channels: int) -> int:
        return audio_channels

    def encode(self, audio: torch.Tensor) -> torch.Tensor:
        return audio

    def decode(self, features: torch.Tensor, noisy: torch.Tensor) -> torch.Tensor:
        return features


class _STFT:
    def __init__(self, n_fft: int = 512, hop_length: int = 128, window: str = "hann"):
        if window not in WINDOWS:
            raise ValueError(f"unknown window {window!r}: choose one of {sorted(WINDOWS)}")
        if not 0 < hop_length <= n_fft // 2:
            raise ValueError(
                f"hop_length={hop_length} with n_fft={n_fft}: need 0 < hop_length <= n_fft/2 "
                f"({n_fft // 2}); frames further apart leave samples that no frame covers "
                "(the end of a clip, or every frame's first sample under a Hann window), and "
                f"the STFT cannot give them back (the default hop is a quarter, {n_fft // 4})"
            )
        self.n_fft, self.hop_length, self.window_name = n_fft, hop_length, window
        self.bins = n_fft // 2 + 1

    def _window(self, like: torch.Tensor) -> torch.Tensor:
        return WINDOWS[self.window_name](self.n_fft, dtype=like.dtype, device=like.device)

    def stft(self, audio: torch.Tensor) -> torch.Tensor:
        """(B, C, T) -> (B, C, F, L) complex."""
        batch, channels, length = audio.shape
        spec = torch.stft(
            audio.reshape(batch * channels, length),
            self.n_fft,
            self.hop_length,
            window=self._window(audio),
            return_complex=True,
        )  # (B·C, F, L)
        return spec.reshape(batch, channels, *spec.shape[-2:])

    def istft(self, spec: torch.Tensor, length: int) -> torch.Tensor:
        """(B, C, F, L) complex -> (B, C, T)."""
        batch, channels = spec.shape[:2]
        audio = torch.istft(
            spec.reshape(batch * channels, *spec.shape[-2:]),
            self.n_fft,
            self.hop_length,
            window=self._window(spec.real),
            length=length,
        )
        return audio.reshape(batch, channels, length)


class ComplexSTFT(_STFT):
    """Real and imaginary STFT parts as channels: (B, C, T) <-> (B, 2·C·F, L)."""

    linear = True

    def channels(self, audio_channels: int) -> int:
        return 2 * audio_channels * self.bins

    def encode(self, audio: torch.Tensor) -> torch.Tensor:
        return self.features(self.stft(audio))

    def decode(self, features: torch.Tensor, noisy: torch.Tensor) -> torch.Tensor:
        return self.istft(self.spectrum(features, None), noisy.shape[-1])

    def features(self, spec: torch.Tensor) -> torch.Tensor:
        """STFT frames (B, C, F, L) complex -> features (B, C·2·F, L)."""
        parts = torch.view_as_real(spec)  # (B, C, F, L, 2)
        return parts.movedim(-1, 2).reshape(spec.shape[0], -1, spec.shape[-1])

    def spectrum(self, features: torch.Tensor, noisy_spec: torch.Tensor | None) -> torch.Tensor:
        """Features (B, C·2·F, L) -> STFT frames (B, C, F, L) complex (no phase needed)."""
        parts = features.reshape(features.shape[0], -1, 2, self.bins, features.shape[-1])
        return torch.view_as_complex(parts.movedim(2, -1).contiguous())


class MagnitudeSTFT(_STFT):
    """STFT magnitudes as channels, (B, C, T) -> (B, C·F, L); decoded with the noisy phase."""

    linear = False

    def channels(self, audio_channels: int) -> int:
        return audio_channels * self.bins

    def encode(self, audio: torch.Tensor) -> torch.Tensor:
        return self.features(self.stft(audio))

    def decode(self, features: torch.Tensor, noisy: torch.Tensor) -> torch.Tensor:
        return self.istft(self.spectrum(features, self.stft(noisy)), noisy.shape[-1])

    def features(self, spec: torch.Tensor) -> torch.Tensor:
        """STFT frames (B, C, F, L) complex -> magnitudes (B, C·F, L), laid out so in memory:
        torch.stft's frames hold each frame's bins side by side, and the step network's
        compiled mask reads rows of frames in place (in that layout it ran its torch
        operators instead, 3x slower at inference)."""
        return spec.abs().reshape(spec.shape[0], -1, spec.shape[-1]).contiguous()

    def spectrum(self, features: torch.Tensor, noisy_spec: torch.Tensor) -> torch.Tensor:
        """Magnitudes (B, C·F, L) and the noisy frames -> frames with the noisy phase."""
        magnitude = features.reshape(noisy_spec.shape).clamp(min=0)
        return torch.polar(magnitude, torch.angle(noisy_spec))


def make_domain(
    name: str, n_fft: int = 512, hop_length: int = 128, window: str = "hann"
) -> Waveform | ComplexSTFT | MagnitudeSTFT:
    """The domain called `name`: "waveform", "stft_complex" or "stft_magnitude"."""
    if name == "waveform":
        return Waveform()
    if name == "stft_complex":
        return ComplexSTFT(n_fft, hop_length, window)
    if name == "stft_magnitude":
        return MagnitudeSTFT(n_fft, hop_length, window)
    raise ValueError(f"unknown domain {name!r}: choose waveform, stft_complex or stft_magnitude")
