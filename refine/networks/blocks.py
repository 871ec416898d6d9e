"""LRUBlock: the residual unit that LRU networks are built from (Orvieto et al. 2023, Fig. 1).

    x + Dropout(GLU(GELU(LRU(LayerNorm(x)))))

Pre-norm keeps the residual path an identity at initialisation; the GLU mixes channels per
time step (the LRU itself mixes only through its B and C maps). Every operation except the LRU
acts on one time step, and the LRU is causal, so the block is causal by construction and
streams exactly by carrying the LRU state.

`bidirectional=True` adds a second LRU that runs from the end of the sequence to its start,
its output summed with the forward one's before the GELU (the bidirectional RNN of Schuster
and Paliwal 1997):

    x + Dropout(GLU(GELU(LRU(n) + flip(LRU_rev(flip(n))))))     n = LayerNorm(x)

so every output sees the whole sequence, past and future, at the cost of a second scan and
of streaming: a block that reads the future cannot run on a stream as it arrives.
"""

import torch
import torch.nn.functional as F
from torch import nn

from refine.networks.lru import LRU


class LRUBlock(nn.Module):
    """(B, L, H), h_0 (B, N) complex or None -> (B, L, H), h_n (B, N) complex.

    Args:
        d_model: H, features.
        d_state: N, complex LRU state size.
        dropout: dropout on the block's branch before the residual sum.
        bidirectional: also run an LRU over the reversed sequence (see the module docstring).
        **lru_kwargs: passed to `LRU` (r_min, r_max, max_phase, scan).
    """

    def __init__(
        self,
        d_model: int,
        d_state: int,
        dropout: float = 0.0,
        bidirectional: bool = False,
        **lru_kwargs,
    ):
        super().__init__()
        self.norm = nn.LayerNorm(d_model)
        self.lru = LRU(d_model, d_state, **lru_kwargs)
        self.reverse_lru = LRU(d_model, d_state, **lru_kwargs) if bidirectional else None
        self.mix = nn.Linear(d_model, 2 * d_model)  # GLU: value and gate halves
        self.dropout = nn.Dropout(dropout)

    def forward(
        self, x: torch.Tensor, h_0: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        normed = self.norm(x)  # (B, L, H)
        y, h_n = self.lru(normed, h_0)  # (B, L, H)
        if self.reverse_lru is not None:
            if h_0 is not None:
                raise ValueError(
                    "a bidirectional LRUBlock reads the whole sequence: it has no state to carry "
                    "from one chunk to the next (call it on the whole sequence with h_0=None)"
                )
            y = y + self.reverse_lru(normed.flip(1))[0].flip(1)
        y = F.glu(self.mix(F.gelu(y)), dim=-1)  # (B, L, 2H) -> (B, L, H)
        return x + self.dropout(y), h_n
