"""The default step network's output, the bounded mask with the bin gate, in one autograd
Function with its backward written out (`gated_mask`).

    level = log(|x|/s + ε),   g = gain + weight ⊙ σ(slope ⊙ level + offset)
    m = clamp((1 + 2τ)·σ(g) − τ, 0, 1),   f(x) = x ⊙ m

with the mask's inward gradient past its ends (`refine.networks.step_net.bounded_mask`), and
optionally the leash on g (`leash_gradient`).
Every operator here is a pass over a (B, K, L) tensor (K = 514 bins of the complex STFT),
so their number sets the time. Written out, the forward is 13 passes and the backward 23,
in place where they can be, and the four parts' gradients go into one buffer instead of
being assembled by a copy; at the default training step's shape (16, 514, 63) forward and
backward take 5 ms against 9 ms through autograd (2-core CPU). Its slow twin is that
autograd path, `StepNetwork.gain` and `bounded_mask`, which tests hold it against.
"""

import math

import torch

LEVEL_FLOOR = 1e-3  # ε of the bin gate's log level, relative to the input's RMS
MASK_MARGIN = 0.01  # τ: how far the mask's sigmoid is stretched past 0 and 1
MASK_END_LOGIT = math.log((1 + MASK_MARGIN) / MASK_MARGIN)  # |g| ≈ 4.62: m exactly 0 or 1 past it
# |g| where the leash starts: the sigmoid's slope there is a tenth of its slope at the ends.
LEASH_LOGIT = MASK_END_LOGIT + math.log(10.0)  # ≈ 6.92


def leash_gradient(logits: torch.Tensor, strength: float) -> torch.Tensor:
    """The gradient of the leash λ/2 · mean((|g| − c)₊²) over the entries of the mask's
    pre-activation g, c = LEASH_LOGIT: λ·(g − clamp(g, −c, c)) / numel.

    Past |g| ≈ 4.6 the mask is exactly 0 or 1 and no larger |g| changes it, so the leash is
    zero on a g for every mask the update can express: it changes what is learnt only by
    keeping g where the sigmoid still passes a gradient. Without it a backbone whose output
    grows (a learning rate on the edge of stability) drives |g| past 10 in nearly every
    entry, σ'(g) < 5e-5, and the mask freezes into a fixed filter for good
    (`refine.study.saturation`). It is added to ∂E/∂g in backward rather than to the loss E,
    which the logs, validation and every experiment compare across runs."""
    return (logits - logits.clamp(-LEASH_LOGIT, LEASH_LOGIT)).mul_(strength / logits.numel())


class _GatedMask(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale, parts, leash):
        gain, weight, slope, offset = parts.split(x.shape[1], 1)  # (B, K, L) each
        above_floor = x.abs().div_(scale).add_(LEVEL_FLOOR)  # |x|/s + ε
        level = above_floor.log()
        gate = torch.addcmul(offset, slope, level).sigmoid_()  # σ(slope·level + offset)
        logits = torch.addcmul(gain, weight, gate)  # g
        ctx.pull = leash_gradient(logits, leash) if leash else None
        squashed = logits.sigmoid_()  # σ(g)
        stretched = squashed.mul(1 + 2 * MASK_MARGIN).sub_(MASK_MARGIN)
        mask = stretched.clamp(0.0, 1.0)
        excess = stretched.sub_(mask)  # how far past an end: < 0 below 0, > 0 above 1
        ctx.parts_shape, ctx.parts_strides = parts.shape, parts.stride()
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
        # In the parts' own memory layout, so that the output map's backward reads it in place.
        grad_parts = torch.empty_strided(
            ctx.parts_shape, ctx.parts_strides, dtype=x.dtype, device=x.device
        )
        grad_gain, grad_weight, grad_slope, grad_offset = grad_parts.split(channels, 1)
        sigmoid_slope = torch.addcmul(squashed, squashed, squashed, value=-1)  # σ(g)(1 − σ(g))
        torch.mul(grad_mask, sigmoid_slope, out=grad_gain).mul_(1 + 2 * MASK_MARGIN)  # ∂E/∂g
        if ctx.pull is not None:
            grad_gain.add_(ctx.pull)
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
        return grad_x, grad_scale, grad_parts, None


def gated_mask(
    x: torch.Tensor, scale: torch.Tensor, parts: torch.Tensor, leash: float = 0.0
) -> torch.Tensor:
    """x ⊙ m for the step network's input x (B, K, L), its RMS scale (B, 1, 1) or (B, 1, L)
    and the output map's four parts (B, 4K, L): gain, the gate's weight, slope and offset.
    `leash` λ > 0 adds the leash's gradient (`leash_gradient`) to g's in backward."""
    training = torch.is_grad_enabled() and parts.requires_grad
    return _GatedMask.apply(x, scale, parts, leash if training else 0.0)
