"""The default step network's output, the bounded mask with the bin gate, in one autograd
Function with its backward written out (`gated_mask`).

    level = log(|x|/s + ε),   g = gain + weight ⊙ σ(slope ⊙ level + offset)
    m = clamp((1 + 2τ)·σ(g) − τ, 0, 1),   f(x) = x ⊙ m

with the mask's inward gradient past its ends (`refine.networks.step_net.bounded_mask`).
Every operator here is a pass over a (B, K, L) tensor (K = 514 bins of the complex STFT),
so their number sets the time. Written out, the forward is 13 passes and the backward 23,
in place where they can be, and the four parts' gradients go into one buffer instead of
being assembled by a copy; at the default training step's shape (16, 514, 63) forward and
backward take 5 ms against 9 ms through autograd (2-core CPU). Its slow twin is that
autograd path, `StepNetwork.gain` and `bounded_mask`, which tests hold it against.
"""

import torch

LEVEL_FLOOR = 1e-3  # ε of the bin gate's log level, relative to the input's RMS
MASK_MARGIN = 0.01  # τ: how far the mask's sigmoid is stretched past 0 and 1


class _GatedMask(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale, parts):
        gain, weight, slope, offset = parts.split(x.shape[1], 1)  # (B, K, L) each
        above_floor = x.abs().div_(scale).add_(LEVEL_FLOOR)  # |x|/s + ε
        level = above_floor.log()
        gate = torch.addcmul(offset, slope, level).sigmoid_()  # σ(slope·level + offset)
        squashed = torch.addcmul(gain, weight, gate).sigmoid_()  # σ(g)
        stretched = squashed.mul(1 + 2 * MASK_MARGIN).sub_(MASK_MARGIN)
        mask = stretched.clamp(0.0, 1.0)
        excess = stretched.sub_(mask)  # how far past an end: < 0 below 0, > 0 above 1
        ctx.save_for_backward(
            x, scale, weight, slope, above_floor, level, gate, squashed, mask, excess
        )
        return x * mask

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        x, scale, weight, slope, above_floor, level, gate, squashed, mask, excess = (
            ctx.saved_tensors
        )
        channels = x.shape[1]
        grad_mask = grad * x
        # Inward: past an end only a gradient that moves the mask back inside passes.
        grad_mask.masked_fill_(grad_mask * excess < 0, 0.0)
        grad_parts = torch.empty(
            x.shape[0], 4 * channels, x.shape[2], dtype=x.dtype, device=x.device
        )
        grad_gain, grad_weight, grad_slope, grad_offset = grad_parts.split(channels, 1)
        sigmoid_slope = torch.addcmul(squashed, squashed, squashed, value=-1)  # σ(g)(1 − σ(g))
        torch.mul(grad_mask, sigmoid_slope, out=grad_gain).mul_(1 + 2 * MASK_MARGIN)
        torch.mul(grad_gain, gate, out=grad_weight)
        gate_slope = torch.addcmul(gate, gate, gate, value=-1)
        torch.mul(grad_gain, weight, out=grad_offset).mul_(gate_slope)  # ∂E/∂(slope·level + b)
        grad_level = grad_offset * slope
        torch.mul(grad_offset, level, out=grad_slope)
        grad_ratio = grad_level.div_(above_floor)  # ∂E/∂(|x|/s)
        # s: ∂(|x|/s)/∂s = −(|x|/s)/s, summed over what s broadcasts across.
        grad_scale = torch.mul(grad_ratio, above_floor).sub_(grad_ratio, alpha=LEVEL_FLOOR)
        grad_scale = grad_scale.sum_to_size(scale.shape).div_(scale).neg_()
        grad_x = grad_ratio.mul_(x.sign()).div_(scale).addcmul_(grad, mask)
        return grad_x, grad_scale, grad_parts


def gated_mask(x: torch.Tensor, scale: torch.Tensor, parts: torch.Tensor) -> torch.Tensor:
    """x ⊙ m for the step network's input x (B, K, L), its RMS scale (B, 1, 1) or (B, 1, L)
    and the output map's four parts (B, 4K, L): gain, the gate's weight, slope and offset."""
    return _GatedMask.apply(x, scale, parts)
