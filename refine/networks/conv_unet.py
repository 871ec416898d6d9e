"""The Audio U-Net LRU denoiser: a 1-D convolutional U-Net with an LRU bottleneck (UNetLRUAudio).

    input conv block:  in_channels -> features[0]
    encoder stage i:   conv block (features[i]), then DownPool1D: features[i] -> features[i+1],
                       length ÷ 2
    bottleneck:        LRU blocks at features[-1] (the sequence model, at the lowest rate)
    decoder stage i:   UpPool1D: features[i+1] -> features[i], length × 2; concatenate the
                       encoder's skip; conv block 2·features[i] -> features[i]
    output:            1x1 conv features[0] -> out_channels

A conv block is two (Conv1d k=5, GroupNorm(1), GELU). DownPool1D and UpPool1D are strided
convolutions with kernel = stride = 2 (the seed names them "efficient pooling"). The seed's
default features=[16, 32, 64, 128] gives three stages, a total stride of 8 and 0.25 M
parameters with one LRU block of 64 states. Inputs of any length are zero-padded at the end
to a multiple of the stride and cropped back (`valid_length`).

The convolutions see 2 × 2 samples either side per block and level, the LRU the whole
(downsampled) sequence: local features from convolutions, long context from the recurrence,
which is the seed's point. Used one-shot (`UNetLRUAudio(1, 1)` on waveforms, or a refiner
with T = 1) and as a refinement step network's backbone (`model=conv_unet_lru`).
"""

import torch
import torch.nn.functional as F
from torch import nn

from refine.networks.blocks import LRUBlock


def conv_block(in_channels: int, out_channels: int, kernel_size: int) -> nn.Sequential:
    """Two same-length convolutions, each followed by GroupNorm(1) and GELU."""
    layers = []
    for channels in (in_channels, out_channels):
        layers += [
            nn.Conv1d(channels, out_channels, kernel_size, padding=kernel_size // 2),
            nn.GroupNorm(1, out_channels),
            nn.GELU(),
        ]
    return nn.Sequential(*layers)


class UNetLRUAudio(nn.Module):
    """(B, in_channels, T) -> (B, out_channels, T) for any T ≥ 1.

    Args:
        in_channels, out_channels: audio (or feature) channels in and out.
        features: channels of each level, finest first; len(features) − 1 stages.
        d_state: complex state size of the bottleneck LRUs.
        lru_layers: LRU blocks in the bottleneck.
        kernel_size: of every convolution (odd).
        **lru_kwargs: passed to every `LRU` (r_min, r_max, max_phase, scan).
    """

    def __init__(
        self,
        in_channels: int = 1,
        out_channels: int = 1,
        features: tuple[int, ...] | list[int] = (16, 32, 64, 128),
        d_state: int = 64,
        lru_layers: int = 1,
        kernel_size: int = 5,
        **lru_kwargs,
    ):
        super().__init__()
        features = list(features)
        if not features or min(features) < 1 or kernel_size % 2 == 0:
            raise ValueError(f"need features >= 1 and an odd kernel, got {features}, {kernel_size}")
        self.stages = len(features) - 1
        self.inlet = conv_block(in_channels, features[0], kernel_size)
        self.encoder = nn.ModuleList(conv_block(f, f, kernel_size) for f in features[:-1])
        self.down = nn.ModuleList(  # DownPool1D
            nn.Conv1d(f, g, 2, stride=2) for f, g in zip(features[:-1], features[1:], strict=True)
        )
        self.bottleneck = nn.ModuleList(
            LRUBlock(features[-1], d_state, **lru_kwargs) for _ in range(lru_layers)
        )
        self.up = nn.ModuleList(  # UpPool1D, deepest first
            nn.ConvTranspose1d(g, f, 2, stride=2)
            for f, g in reversed(list(zip(features[:-1], features[1:], strict=True)))
        )
        self.decoder = nn.ModuleList(
            conv_block(2 * f, f, kernel_size) for f in reversed(features[:-1])
        )
        self.outlet = nn.Conv1d(features[0], out_channels, 1)

    @property
    def total_stride(self) -> int:
        return 2**self.stages

    def valid_length(self, length: int) -> int:
        """The padded length the network computes on: the next multiple of the stride."""
        return -(-length // self.total_stride) * self.total_stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        length = x.shape[-1]
        h = self.inlet(F.pad(x, (0, self.valid_length(length) - length)))  # (B, f0, T')
        skips = []
        for block, down in zip(self.encoder, self.down, strict=True):
            h = block(h)
            skips.append(h)
            h = down(h)  # (B, f_{i+1}, T'/2^{i+1})
        h = h.mT  # LRU blocks work in (B, L, H)
        for block in self.bottleneck:
            h, _ = block(h)
        h = h.mT
        for up, block, skip in zip(self.up, self.decoder, reversed(skips), strict=True):
            h = block(torch.cat([up(h), skip], 1))  # (B, f_i, T'/2^i)
        return self.outlet(h)[..., :length]


def conv_unet_lru_backbone(d_model: int, **kwargs) -> UNetLRUAudio:
    """The Audio U-Net LRU network as a step-network backbone: d_model channels in and out."""
    return UNetLRUAudio(d_model, d_model, **kwargs)
