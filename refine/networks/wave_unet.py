"""Wave-U-Net (Stoller, Ewert and Dixon 2018, arXiv 1806.03185).

    encoder level i (1 … L):  valid Conv1d(growth·i, down_kernel), LeakyReLU; keep as skip;
                              decimate (every other sample)
    bottleneck:               valid Conv1d(growth·(L+1), down_kernel), LeakyReLU
    decoder level i (L … 1):  upsample ×2 (linear interpolation, or learned), concatenate the
                              centre-cropped skip, valid Conv1d(growth·i, up_kernel), LeakyReLU
    output:                   concatenate the centre-cropped input; 1x1 Conv1d, tanh, to K−1
                              sources; the K-th is the mixture minus the others (difference
                              output layer); K sources when difference_output=False

The paper's choices, each kept:
- Upsampling interpolates only between known neighbours, n → 2n − 1 samples, keeping the first
  and last, and is followed by a normal convolution: transposed convolutions insert zeros
  without low-pass filtering and produce high-frequency artefacts. The learned variant
  interpolates with a learned weight per channel, σ(w)·left + (1 − σ(w))·right (w = 0 is the
  linear interpolation).
- Valid convolutions: the output is shorter than the input, which supplies the context every
  output sample needs (`input_size`, `output_size`). Every encoder feature map has odd length,
  so decimation keeps both ends and the decoder realigns exactly. A long recording is
  processed in output windows whose inputs overlap by the context (`separate`): no padding
  inside the signal, so no seams (tested against one pass over the whole recording).
- Multi-channel audio: C channels in, K sources of C channels out.

Used one-shot (`separate`: speech and noise from the mixture) and as a refinement step
network's backbone (`model=wave_unet`), where the input is zero-padded by the context so the
output keeps its length.
"""

import torch
import torch.nn.functional as F
from torch import nn


def centre_crop(x: torch.Tensor, length: int) -> torch.Tensor:
    """The middle `length` samples of x (..., n ≥ length)."""
    start = (x.shape[-1] - length) // 2
    return x[..., start : start + length]


class Upsample(nn.Module):
    """(B, F, n) -> (B, F, 2n − 1): the known samples, and between each pair a weighted mean."""

    def __init__(self, channels: int, learned: bool):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(channels)) if learned else None  # σ(0) = ½

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        left, right = x[..., :-1], x[..., 1:]
        if self.weight is None:
            middle = 0.5 * (left + right)
        else:
            share = torch.sigmoid(self.weight)[:, None]  # (F, 1)
            middle = share * left + (1 - share) * right
        interleaved = torch.stack([left, middle], -1).flatten(-2)  # (B, F, 2n − 2)
        return torch.cat([interleaved, x[..., -1:]], -1)


class WaveUNet(nn.Module):
    """(B, C, n_in) -> (B, K, C, n_out), n_out = output_size(n_in) < n_in.

    Args:
        channels: C, audio channels (2 for stereo).
        sources: K, the sources to estimate (2 for denoising: the signal and the noise).
        levels: L, down/up levels (the paper: 12 at 22 kHz).
        growth: channels added per level (the paper: 24).
        down_kernel, up_kernel: encoder and decoder kernel sizes (the paper: 15 and 5).
        learned_upsampling: learned instead of linear interpolation.
        difference_output: the last source is the mixture minus the others.
        activation: the output non-linearity (tanh: audio within ±1; None: features).
    """

    def __init__(
        self,
        channels: int = 1,
        sources: int = 2,
        levels: int = 6,
        growth: int = 24,
        down_kernel: int = 15,
        up_kernel: int = 5,
        learned_upsampling: bool = False,
        difference_output: bool = True,
        activation: str | None = "tanh",
    ):
        super().__init__()
        if down_kernel % 2 == 0 or up_kernel % 2 == 0:
            raise ValueError(f"kernels must be odd, got {down_kernel} and {up_kernel}")
        if difference_output and sources < 2:
            raise ValueError("the difference output layer needs at least 2 sources")
        self.channels, self.sources, self.levels = channels, sources, levels
        self.down_kernel, self.up_kernel = down_kernel, up_kernel
        self.difference_output, self.activation = difference_output, activation
        widths = [channels] + [growth * i for i in range(1, levels + 2)]  # input, 1 … L+1
        self.encoder = nn.ModuleList(
            nn.Conv1d(widths[i], widths[i + 1], down_kernel) for i in range(levels)
        )
        self.bottleneck = nn.Conv1d(widths[levels], widths[levels + 1], down_kernel)
        self.upsample = nn.ModuleList(
            Upsample(widths[i + 2], learned_upsampling) for i in reversed(range(levels))
        )
        self.decoder = nn.ModuleList(  # level L first: upsampled + skip -> growth·i
            nn.Conv1d(widths[i + 2] + widths[i + 1], widths[i + 1], up_kernel)
            for i in reversed(range(levels))
        )
        estimated = sources - 1 if difference_output else sources
        self.output = nn.Conv1d(widths[1] + channels, estimated * channels, 1)

    # --- length arithmetic --------------------------------------------------------------------

    def _lengths(self, n_in: int) -> int | None:
        """The output length for input n_in, or None when some map would be even before
        decimation or empty."""
        n = n_in
        for _ in range(self.levels):
            n -= self.down_kernel - 1
            if n < 1 or n % 2 == 0:
                return None
            n = (n + 1) // 2
        n -= self.down_kernel - 1
        for _ in range(self.levels):
            n = 2 * n - 1 - (self.up_kernel - 1)
            if n < 1:
                return None
        return n

    def output_size(self, n_in: int) -> int:
        """Output samples of an input of n_in samples (which must be valid: `input_size`)."""
        n = self._lengths(n_in)
        if n is None:
            raise ValueError(f"{n_in} samples is not a valid Wave-U-Net input: use input_size()")
        return n

    def input_size(self, n_out: int) -> int:
        """The smallest valid input whose output has at least n_out samples."""
        n_in = n_out
        while (n := self._lengths(n_in)) is None or n < n_out:
            n_in += 1
        return n_in

    # --- the network ------------------------------------------------------------------------

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, n_in) -> (B, growth + C, n_out): the last decoder map and the cropped input."""
        self.output_size(x.shape[-1])  # refuse invalid lengths with the message
        h, skips = x, []
        for conv in self.encoder:
            h = F.leaky_relu(conv(h))
            skips.append(h)
            h = h[..., ::2]  # decimation: odd length keeps both ends
        h = F.leaky_relu(self.bottleneck(h))
        for upsample, conv, skip in zip(self.upsample, self.decoder, reversed(skips), strict=True):
            h = upsample(h)
            h = F.leaky_relu(conv(torch.cat([h, centre_crop(skip, h.shape[-1])], 1)))
        return torch.cat([h, centre_crop(x, h.shape[-1])], 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch = x.shape[0]
        h = self.features(x)
        estimates = self.output(h)  # (B, K'·C, n_out)
        if self.activation == "tanh":
            estimates = torch.tanh(estimates)
        estimates = estimates.reshape(batch, -1, self.channels, h.shape[-1])  # (B, K', C, n)
        if self.difference_output:
            mixture = h[:, -self.channels :]  # (B, C, n_out) the cropped input
            estimates = torch.cat([estimates, (mixture - estimates.sum(1))[:, None]], 1)
        return estimates

    def separate(self, mixture: torch.Tensor, window: int = 16384) -> torch.Tensor:
        """Sources of a recording of any length: (B, C, T) -> (B, K, C, T).

        Output windows of about `window` samples tile the recording; each is computed from
        its input with the context on both sides (zeros beyond the recording's ends). The
        windows advance by a multiple of 2^levels, the period of the decimation grid, so the
        result equals one pass over the whole recording: no seams."""
        length, period = mixture.shape[-1], 2**self.levels
        n_in = self.input_size(max(window, period))
        n_out = self.output_size(n_in)
        hop = n_out // period * period  # the samples each window contributes
        left = (n_in - n_out) // 2
        windows = -(-length // hop)
        padded = F.pad(mixture, (left, (windows - 1) * hop + n_in - left - length))
        pieces = [self(padded[..., w * hop : w * hop + n_in])[..., :hop] for w in range(windows)]
        return torch.cat(pieces, -1)[..., :length]


class WaveUNetBackbone(nn.Module):
    """Wave-U-Net as a step-network backbone: (B, d_model, T) -> (B, d_model, T), the input
    zero-padded by the context so the valid convolutions give back T samples."""

    def __init__(self, d_model: int, **kwargs):
        super().__init__()
        kwargs = {"sources": 1, "difference_output": False, "activation": None} | kwargs
        self.net = WaveUNet(channels=d_model, **kwargs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        length = x.shape[-1]
        n_in = self.net.input_size(length)
        left = (n_in - self.net.output_size(n_in)) // 2
        out = self.net(F.pad(x, (left, n_in - length - left)))[:, 0]  # (B, d_model, n_out)
        return out[..., :length]
