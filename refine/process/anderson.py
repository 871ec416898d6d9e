"""Anderson acceleration of a fixed-point iteration x ← G(x), per example of a batch.

Plain iteration uses only the last map value. Anderson (type II, Walker & Ni 2011; the form
DEQ solvers use, Bai et al. 2019) keeps the last m iterates x_i and their map values
g_i = G(x_i), and takes the affine mix of the g_i whose residuals g_i − x_i cancel best:

    α = argmin ‖Σ_i α_i (g_i − x_i)‖²  subject to  Σ_i α_i = 1,     x_next = Σ_i α_i g_i

solved in closed form from the m × m Gram matrix of the residuals with a little Tikhonov
regularisation. With m = 1 it is the plain iteration (tested); on a linear contraction
it converges in far fewer steps. The mix is affine, not convex, so it can leave a set that
the plain map keeps (a non-negative magnitude, a mask's monotone shrinking): the refiner
uses it only where asked (`refine(..., anderson=m)`).
"""

import torch

REGULARISATION = 1e-8  # relative to the Gram matrix's trace: keeps the solve well posed


class Anderson:
    """The history of one batch's iteration and the next mixed iterate.

    Args:
        memory: m, how many past (x, G(x)) pairs are mixed (1: the plain iteration).
    """

    def __init__(self, memory: int):
        if memory < 1:
            raise ValueError(f"Anderson memory must be >= 1, got {memory}")
        self.memory = memory
        self.iterates: list[torch.Tensor] = []  # x_i, each (B, D)
        self.values: list[torch.Tensor] = []  # g_i = G(x_i), each (B, D)

    def __call__(self, x: torch.Tensor, value: torch.Tensor) -> torch.Tensor:
        """The next iterate from x (B, ...) and G(x) (B, ...): Σ α_i g_i over the history."""
        self.iterates = (self.iterates + [x.flatten(1)])[-self.memory :]
        self.values = (self.values + [value.flatten(1)])[-self.memory :]
        if len(self.values) == 1:
            return value
        values = torch.stack(self.values, 1)  # (B, m, D)
        residuals = values - torch.stack(self.iterates, 1)  # (B, m, D)
        gram = (residuals @ residuals.transpose(1, 2)).double()  # (B, m, m)
        scale = gram.diagonal(dim1=1, dim2=2).sum(-1).clamp(min=1e-30)  # (B,) trace
        eye = torch.eye(gram.shape[-1], dtype=gram.dtype, device=gram.device)
        gram = gram + REGULARISATION * scale[:, None, None] * eye
        ones = torch.ones(*gram.shape[:2], 1, dtype=gram.dtype, device=gram.device)  # (B, m, 1)
        weights = torch.linalg.solve(gram, ones)  # (B, m, 1)
        alpha = (weights / weights.sum(1, keepdim=True)).to(values.dtype)  # Σ α = 1
        return (alpha.transpose(1, 2) @ values).reshape(value.shape)  # (B, ...)
