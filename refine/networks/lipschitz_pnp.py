"""Convergent plug-and-play by construction (Ryu et al. 2019, "Plug-and-Play Methods Provably
Converge with Properly Trained Denoisers", arXiv 1905.05406): a step network whose refinement
step is a contraction for every value of its weights.

The denoiser is D = I − R with a residual R that is ε-Lipschitz (ε < 1) by spectral
normalisation, and each step is forward-backward splitting with the data term
(λ/2)‖x − y‖² (y the noisy observation), a gradient step of size α then D, β = αλ:

    z = (1 − β)·x + β·y,      T(x) = D(z) = z − R(z)
    Lip(T) ≤ (1 − β)(1 + ε) < 1   when β > ε/(1 + ε)

As a step network under the residual parameterisation it outputs f(x) = x − T(x), so the
refiner's step x − η·f(x) = (1 − η)·x + η·T(x) (Krasnosel'skii–Mann) contracts too, by at
least 1 − η·(1 − Lip(T)) for any η in (0, 1]: past T, at a constant step or a decaying one,
the iterates converge to T's one fixed point x* = D(x* − β(x* − y)) from any start (Banach).

R is a 1-Lipschitz network scaled by ε, on z divided by the RMS of y (a constant in x, so
the bound holds and R stays scale-equivariant):
    lift (1x1) -> [depthwise dilated conv -> 1x1 mix -> ReLU] x layers -> lower (1x1) -> gain
with a gain per channel, tanh(a_k) in (−1, 1), that starts at 0: an untrained network's step
is pure data term, f(x) = β(x − y), which leaves the observation where it is (the identity
start of `StepNetwork`, whose zero output map a spectral norm cannot divide).
Every 1x1 map is divided by its exact spectral norm (the largest singular value, computed at
every call); every depthwise kernel by its ℓ1 norm, which bounds the gain of a 1-D
convolution at every frequency; ReLU is 1-Lipschitz. Nothing multiplies two activations
(no gate, no per-bin mask, no normalisation by the input), which is what the bound costs:
the LRU_UNet's LayerNorms, GLUs and input-dependent mask have no Lipschitz bound.
"""

import torch
import torch.nn.functional as F
from torch import nn

from refine.networks.step_net import clip_rms


def spectrally_normalised(weight: torch.Tensor) -> torch.Tensor:
    """W / ‖W‖₂ for a (C_out, C_in) matrix: its largest singular value becomes exactly 1."""
    return weight / torch.linalg.matrix_norm(weight, ord=2)


def l1_normalised(kernels: torch.Tensor) -> torch.Tensor:
    """Each depthwise kernel (C, 1, k) divided by its ℓ1 norm: |Σ_j w_j e^{−iωj}| ≤ 1 at
    every frequency ω, so the convolution is 1-Lipschitz (in ℓ², at any length)."""
    return kernels / kernels.abs().sum(-1, keepdim=True).clamp(min=1e-12)


class LipschitzPnP(nn.Module):
    """f(x) = x − T(x) for T(x) = D((1 − β)x + βy), D = I − R, Lip(R) ≤ ε: (B, K, L) -> (B, K, L).

    Args:
        channels: K, feature channels of the domain.
        d_model: channels of the hidden layers.
        layers: depthwise-conv layers; the i-th is dilated 2^i.
        kernel_size: taps of each depthwise convolution.
        lipschitz: ε in (0, 1), the residual's Lipschitz bound.
        data_step: β = αλ in (ε/(1 + ε), 1], the data term's step towards the observation.
        bounded: normalise the maps (the default); False uses them as they are, the same
            network without the bound, to measure what the bound costs.
    """

    def __init__(
        self,
        channels: int,
        d_model: int = 128,
        layers: int = 4,
        kernel_size: int = 5,
        lipschitz: float = 0.9,
        data_step: float = 0.5,
        bounded: bool = True,
    ):
        super().__init__()
        if not 0 < lipschitz < 1:
            raise ValueError(f"lipschitz must be in (0, 1), got {lipschitz}")
        if not lipschitz / (1 + lipschitz) < data_step <= 1:
            raise ValueError(
                f"data_step must be in ({lipschitz / (1 + lipschitz):.3f}, 1] for "
                f"lipschitz={lipschitz}: the step is a contraction only when "
                f"(1 - data_step)(1 + lipschitz) < 1, got data_step={data_step}"
            )
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd and positive, got {kernel_size}")
        self.channels, self.lipschitz, self.data_step = channels, lipschitz, data_step
        self.kernel_size, self.bounded = kernel_size, bounded
        self.lift = nn.Conv1d(channels, d_model, 1)
        self.depthwise = nn.ParameterList(
            nn.Parameter(torch.randn(d_model, 1, kernel_size) / kernel_size) for _ in range(layers)
        )
        self.mix = nn.ModuleList(nn.Conv1d(d_model, d_model, 1) for _ in range(layers))
        self.lower = nn.Conv1d(d_model, channels, 1)
        self.gain = nn.Parameter(torch.zeros(channels, 1))  # (K, 1): tanh of it scales R

    condition = False  # the same map at every step: the refiner tells it nothing

    @property
    def needs_observation(self) -> bool:
        """The data term's step is towards the noisy observation y: the refiner passes it."""
        return True

    def contraction(self) -> float:
        """The bound (1 − β)(1 + ε) on the Lipschitz constant of T, below 1 by construction;
        infinite for the unbounded twin."""
        return (1 - self.data_step) * (1 + self.lipschitz) if self.bounded else float("inf")

    def residual(self, z: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
        """R(z) = ε·s·N(z/s), N 1-Lipschitz: z (B, K, L), scale s (B, 1, 1) -> (B, K, L)."""
        h = self._pointwise(self.lift, z / scale)  # (B, d_model, L)
        for i, (kernels, mix) in enumerate(zip(self.depthwise, self.mix, strict=True)):
            dilation = 2**i
            padding = dilation * (self.kernel_size - 1) // 2
            kernels = l1_normalised(kernels) if self.bounded else kernels
            h = F.conv1d(h, kernels, None, 1, padding, dilation, h.shape[1])
            h = F.relu(self._pointwise(mix, h))
        gain = torch.tanh(self.gain)  # (K, 1), |gain| < 1: a diagonal map of norm below 1
        return self.lipschitz * scale * gain * self._pointwise(self.lower, h)

    def _pointwise(self, conv: nn.Conv1d, x: torch.Tensor) -> torch.Tensor:
        """A 1x1 convolution, its weight divided by its spectral norm when bounded:
        (B, C_in, L) -> (B, C_out, L)."""
        weight = conv.weight.squeeze(-1)  # (C_out, C_in)
        weight = spectrally_normalised(weight) if self.bounded else weight
        return F.conv1d(x, weight[..., None], conv.bias)

    def forward(self, x: torch.Tensor, conditioning=None, observation=None) -> torch.Tensor:
        """x (B, K, L) and the observation y (B, K, L) -> f(x) = x − T(x) (B, K, L)."""
        if conditioning is not None:
            raise ValueError("the contraction is the same map at every step: no conditioning")
        if observation is None:
            raise ValueError("LipschitzPnP steps towards the noisy observation: pass observation")
        scale = clip_rms(observation)  # (B, 1, 1)
        z = torch.lerp(x, observation, self.data_step)  # (1 − β)x + βy
        return x - z + self.residual(z, scale)
