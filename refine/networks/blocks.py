"""LRUBlock: the residual unit that LRU networks are built from (Orvieto et al. 2023, Fig. 1).

    x + Dropout(GLU(GELU(LRU(LayerNorm(x)))))

Pre-norm keeps the residual path an identity at initialisation; the GLU mixes channels per
time step (the LRU itself mixes only through its B and C maps). Every operation except the LRU
acts on one time step, and the LRU is causal, so the block is causal by construction and
streams exactly by carrying the LRU state.
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
        **lru_kwargs: passed to `LRU` (r_min, r_max, max_phase, scan).
    """

    def __init__(self, d_model: int, d_state: int, dropout: float = 0.0, **lru_kwargs):
        super().__init__()
        self.norm = nn.LayerNorm(d_model)
        self.lru = LRU(d_model, d_state, **lru_kwargs)
        self.mix = nn.Linear(d_model, 2 * d_model)  # GLU: value and gate halves
        self.dropout = nn.Dropout(dropout)

    def forward(
        self, x: torch.Tensor, h_0: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        y, h_n = self.lru(self.norm(x), h_0)  # (B, L, H)
        y = F.glu(self.mix(F.gelu(y)), dim=-1)  # (B, L, 2H) -> (B, L, H)
        return x + self.dropout(y), h_n
