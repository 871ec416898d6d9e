"""LRU_UNet: the U-Net whose stages are LRU blocks (the aTENNuate design, with LRUs).

    encoder stage i:  LRUBlock(H_i), then downsample: channels ×2, length ÷f
    bottleneck:       LRUBlock(H_n)
    decoder stage i:  upsample: channels ÷2, length ×f; add the encoder's skip; LRUBlock(H_i)

with H_i = d_model · 2^i. For d_model=64, n_layers=3, f=2 the channels go
64→128→256→512→256→128→64 and the length T→T/2→T/4→T/8→T/4→T/2→T.

Down- and upsampling are non-overlapping strided projections, equal to Conv1d and
ConvTranspose1d with kernel_size = stride = f, written as a reshape and a Linear because the
blocks work in (B, L, H). The total stride is S = f^n_layers; inputs are zero-padded at the
end to a multiple of S and cropped back (`valid_length`).

Causality and latency. Every LRUBlock is causal, so only the resampling decides:
- causal=False (the seed's network): an output sample depends on inputs up to the end of its
  block of S samples, a look-ahead of up to S−1 samples (7 samples, 0.44 ms at 16 kHz, for
  f=2 and 3 layers).
- causal=True: each upsampler spreads coarse frame m over the fine samples of frame m+1, one
  frame late, so output t depends on inputs ≤ t only: no look-ahead. The price is that coarse
  context arrives one frame late at every level.
Both stream exactly (`stream`) in chunks whose length is a multiple of S, carrying every
LRU state and, for the causal variant, the last coarse frame of every upsampler. A chunk's
output needs the whole chunk, so a stream of S-sample chunks buffers S−1 samples.
- bidirectional=True: every block also runs an LRU from the end of the sequence to its start
  (`LRUBlock`), so every output sees the whole input: the context an offline denoiser has
  (a keystroke is told from a consonant by how it ends). It does not stream.
"""

import torch
import torch.nn.functional as F
from torch import nn

from refine.networks.blocks import LRUBlock

State = dict[str, list[torch.Tensor | None]]


class Downsample(nn.Module):
    """(B, L, H) -> (B, L/f, 2H): each coarse frame is a projection of the f samples it covers."""

    def __init__(self, channels: int, factor: int):
        super().__init__()
        self.factor = factor
        self.proj = nn.Linear(factor * channels, 2 * channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, length, channels = x.shape
        frames = x.reshape(batch, length // self.factor, self.factor * channels)  # (B, L/f, f·H)
        return self.proj(frames)


class Upsample(nn.Module):
    """(B, M, 2H) -> (B, M·f, H): each coarse frame is projected onto f samples.

    Causal: frame m is placed on the samples of frame m+1. `previous` is the last coarse frame
    of the preceding chunk (zeros at the start); the returned `last` is this chunk's, to carry.
    """

    def __init__(self, channels: int, factor: int, causal: bool):
        super().__init__()
        self.factor, self.causal = factor, causal
        self.proj = nn.Linear(2 * channels, factor * channels)

    def forward(
        self, x: torch.Tensor, previous: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        last = None
        if self.causal:
            if previous is None:
                previous = torch.zeros_like(x[:, :1])
            x, last = torch.cat([previous, x[:, :-1]], 1), x[:, -1:]  # one frame late
        batch, frames, _ = x.shape
        return self.proj(x).reshape(batch, frames * self.factor, -1), last  # (B, M·f, H)


class LRU_UNet(nn.Module):  # noqa: N801 - the seed's public name
    """U-Net of LRU blocks: (B, d_model, T) -> (B, d_model, T) for any T ≥ 1.

    Args:
        d_model: input and output channels; stage i has d_model · 2^i.
        d_state: complex state size of every LRU.
        n_layers: number of down/up stages.
        downsample_factor: f, the length reduction of each stage.
        causal: causal upsampling, so the whole network is causal (see the module docstring).
        dropout: dropout inside every LRUBlock.
        bidirectional: every LRUBlock also scans the sequence backwards (sees the future).
        **lru_kwargs: passed to every `LRU` (r_min, r_max, max_phase, scan).
    """

    def __init__(
        self,
        d_model: int = 64,
        d_state: int = 64,
        n_layers: int = 2,
        downsample_factor: int = 2,
        causal: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        **lru_kwargs,
    ):
        super().__init__()
        if d_model < 1 or d_state < 1 or n_layers < 0 or downsample_factor < 1:
            raise ValueError(
                "need d_model >= 1, d_state >= 1, n_layers >= 0 and downsample_factor >= 1, got "
                f"{d_model}, {d_state}, {n_layers}, {downsample_factor}"
            )
        self.d_model, self.n_layers, self.factor = d_model, n_layers, downsample_factor
        if causal and bidirectional:
            raise ValueError(
                "causal=True and bidirectional=True contradict each other: a bidirectional "
                "network reads the whole input, the future included; choose one"
            )
        self.causal, self.bidirectional = causal, bidirectional
        widths = [d_model * 2**i for i in range(n_layers + 1)]  # channels of each level

        def block(width: int) -> LRUBlock:
            return LRUBlock(width, d_state, dropout, bidirectional, **lru_kwargs)

        self.encoder = nn.ModuleList(block(w) for w in widths[:-1])
        self.down = nn.ModuleList(Downsample(w, downsample_factor) for w in widths[:-1])
        self.bottleneck = block(widths[-1])
        self.up = nn.ModuleList(  # deepest first
            Upsample(w, downsample_factor, causal) for w in reversed(widths[:-1])
        )
        self.decoder = nn.ModuleList(block(w) for w in reversed(widths[:-1]))

    @property
    def total_stride(self) -> int:
        """S = downsample_factor ** n_layers: lengths are processed in multiples of S."""
        return self.factor**self.n_layers

    def valid_length(self, length: int) -> int:
        """The length `forward` pads an input of `length` samples to: the next multiple of S."""
        return -(-length // self.total_stride) * self.total_stride

    def _check(self, x: torch.Tensor) -> None:
        if x.dim() != 3 or x.shape[1] != self.d_model or x.shape[-1] < 1:
            raise ValueError(
                f"LRU_UNet expects (B, {self.d_model}, T >= 1) input, got {tuple(x.shape)}"
            )

    def _run(self, x: torch.Tensor, state: State | None) -> tuple[torch.Tensor, State]:
        """(B, L, H_0) with L a multiple of S, state -> (B, L, H_0), new state."""
        n = self.n_layers
        if state is None:
            state = {
                "encoder": [None] * n,
                "bottleneck": [None],
                "decoder": [None] * n,
                "upsample": [None] * n,
            }
        new: State = {"encoder": [], "bottleneck": [], "decoder": [], "upsample": []}
        skips = []
        for block, down, h in zip(self.encoder, self.down, state["encoder"], strict=True):
            x, h = block(x, h)  # (B, L_i, H_i)
            new["encoder"].append(h)
            skips.append(x)
            x = down(x)  # (B, L_i/f, 2H_i)
        x, h = self.bottleneck(x, state["bottleneck"][0])  # (B, L/S, H_n)
        new["bottleneck"].append(h)
        levels = zip(
            self.up, self.decoder, reversed(skips), state["upsample"], state["decoder"], strict=True
        )
        for up, block, skip, previous, h in levels:
            x, last = up(x, previous)  # (B, L_i, H_i)
            x, h = block(x + skip, h)
            new["upsample"].append(last)
            new["decoder"].append(h)
        return x, new

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, d_model, T) -> (B, d_model, T). Pads the end to `valid_length(T)`, crops back."""
        self._check(x)
        length = x.shape[-1]
        x = F.pad(x, (0, self.valid_length(length) - length))
        y, _ = self._run(x.mT, None)  # (B, T', d_model)
        return y[:, :length].mT.contiguous()

    def stream(self, x: torch.Tensor, state: State | None = None) -> tuple[torch.Tensor, State]:
        """One chunk of a stream: (B, d_model, T), state -> (B, d_model, T), state.

        T must be a multiple of `total_stride`. Start with state=None and pass the returned
        state to the next chunk: the concatenated outputs equal `forward` on the whole signal.
        """
        self._check(x)
        if self.bidirectional:
            raise ValueError(
                "a bidirectional LRU_UNet reads the whole input, the future included, so it "
                "cannot stream: call it on the whole signal (refine-denoise cuts long files "
                "into overlapping chunks itself)"
            )
        if x.shape[-1] % self.total_stride:
            raise ValueError(
                f"stream chunks must be a multiple of total_stride={self.total_stride} samples, "
                f"got {x.shape[-1]}: pad the last chunk or use forward()"
            )
        y, state = self._run(x.mT, state)
        return y.mT.contiguous(), state
