"""The conv-RNN question's network on spectrogram patches, vectorised.

The question it comes from: cut the spectrogram X into overlapping 16×16 patches X_ij, give
each patch a state z_ij (a local estimate of the noise, the shape of the patch), and update
all states together with one 3-layer perceptron F:

    z_ij^(t+1) = F(W, X_ij, z_ij^(t), z_(i±1, j±1)^(t)),     Y^(t) = X − Σ_ij z_ij^(t) δ_ij

where δ_ij places a patch back at its position (overlapping patches add up), trained with the
per-step targets Y^(t) ≈ X − (t²/T²)·Ω.

Vectorised, the patches form a grid (stride 8: neighbours overlap by half), every state is a
channel vector of that grid, and F's first layer is a 3×3 convolution over the grid of states
(z_ij and its 8 neighbours) plus a 1×1 convolution of the patch X_ij; its other two layers are
1×1 convolutions. `unfold` cuts the patches and `fold` is Σ z_ij δ_ij. No loop over patches.

In the refinement process (`refine.process.refiner`) it is a recurrent step network: it returns the
update and its new state, and with the increment parameterisation (η = 1)
x̂_t = x̂_{t−1} − (Σ z^(t) δ − Σ z^(t−1) δ) = X − Σ z^(t) δ, the seed's output. X itself is
recovered each step as x̂_{t−1} + Σ z^(t−1) δ, so the process needs no extra input. The
patch input is divided by the RMS of X and the states are kept in those units, so the network
is scale-equivariant like `StepNetwork`; F's last layer starts at zero, so an untrained
network leaves its input unchanged.
"""

import torch
import torch.nn.functional as F
from torch import nn


class PatchConvRNN(nn.Module):
    """(x̂_{t−1} (B, K, L), progress, z^(t−1) or None) -> (update (B, K, L), z^(t)).

    Args:
        channels: K, feature channels: planes × bins (magnitude: C·F; complex: 2·C·F).
        bins: F, frequency bins of one plane; the features are read as (B, K/F, F, L).
        patch, stride: patch size and step of the patch grid (16 and 8: half overlap).
        hidden: width of F's hidden layers.
    """

    recurrent = True
    condition = False  # F sees no t/T: the same update rule at every step, as in the seed

    def __init__(
        self, channels: int, bins: int, patch: int = 16, stride: int = 8, hidden: int = 256
    ):
        super().__init__()
        if channels % bins:
            raise ValueError(f"{channels} feature channels are not planes of {bins} bins")
        self.planes, self.bins, self.patch, self.stride = channels // bins, bins, patch, stride
        size = self.planes * patch * patch  # values in one patch of every plane
        self.read_patch = nn.Conv2d(size, hidden, 1)  # X_ij
        self.read_states = nn.Conv2d(size, hidden, 3, padding=1, bias=False)  # z_ij, neighbours
        self.hidden = nn.Conv2d(hidden, hidden, 1)
        self.write = nn.Conv2d(hidden, size, 1)
        nn.init.zeros_(self.write.weight)
        nn.init.zeros_(self.write.bias)

    def _padded(self, length: int) -> int:
        """The length ≥ `length` that the patch grid covers exactly."""
        steps = max(0, -(-(length - self.patch) // self.stride))
        return self.patch + steps * self.stride

    def _grid(self, frames: int) -> tuple[int, int]:
        return self._padded(self.bins), self._padded(frames)

    def patches(self, image: torch.Tensor) -> torch.Tensor:
        """(B, P, F, L) -> (B, P·p·p, nF, nL): every patch as a vector on the grid."""
        height, width = self._grid(image.shape[-1])
        image = F.pad(image, (0, width - image.shape[-1], 0, height - image.shape[-2]))
        rows, cols = (
            (height - self.patch) // self.stride + 1,
            (width - self.patch) // self.stride + 1,
        )
        flat = F.unfold(image, self.patch, stride=self.stride)  # (B, P·p·p, nF·nL)
        return flat.unflatten(-1, (rows, cols))

    def place(self, states: torch.Tensor, frames: int) -> torch.Tensor:
        """Σ z_ij δ_ij: (B, P·p·p, nF, nL) -> (B, P, F, L), overlapping patches summed."""
        height, width = self._grid(frames)
        image = F.fold(states.flatten(2), (height, width), self.patch, stride=self.stride)
        return image[..., : self.bins, :frames]

    def forward(
        self, x: torch.Tensor, progress: torch.Tensor | None = None, state=None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        batch, channels, frames = x.shape
        image = x.reshape(batch, self.planes, self.bins, frames)  # x̂_{t−1}
        before = 0.0 if state is None else self.place(state, frames)  # Σ z^(t−1) δ
        spectrogram = image + before  # X
        scale = spectrogram.square().mean((1, 2, 3), keepdim=True).sqrt().clamp(min=1e-8)
        patches = self.patches(spectrogram / scale)  # (B, S, nF, nL)
        states = torch.zeros_like(patches) if state is None else state / scale
        h = F.gelu(self.read_patch(patches) + self.read_states(states))
        h = F.gelu(self.hidden(h))
        new_state = self.write(h) * scale  # z^(t), in the units of X
        update = self.place(new_state, frames) - before  # x̂_{t−1} − x̂_t
        return update.reshape(batch, channels, frames), new_state
