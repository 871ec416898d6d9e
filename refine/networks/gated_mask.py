"""The default step network's output, the bounded mask with the bin gate, in one autograd
Function with its backward written out (`gated_mask`).

    level = log(|x|/s + ε),   g = gain + weight ⊙ σ(slope ⊙ level + offset)
    m = clamp((1 + 2τ)·σ(g) − τ, 0, 1),   f(x) = x ⊙ m

with the mask's inward gradient past its ends (`refine.networks.step_net.bounded_mask`), and
optionally the leash on g (`leash_gradient`).
Every operator here is a pass over a (B, K, L) tensor (K = 514 bins of the complex STFT),
so their number sets the time. Where a C compiler builds `mask_kernel.c`
(`refine.networks.native`), forward and backward are one pass over memory each, every
element's intermediates in registers and the backward recomputing them; at the default
training step's shape (16, 514, 63), float32, 2 threads, forward and backward take about
3.5 ms against 5 written out in torch operators below (13 passes forward, 23 backward, in
place where they can be, the four parts' gradients in one buffer) and 9 through autograd
(2-core CPU, `benchmarks/mask_speed.py`). The torch operators are the path where no
compiler builds the kernel, and for layouts it does not take; the slow twin of both is the
autograd path, `StepNetwork.gain` and `bounded_mask`, which tests hold them against.
"""

import ctypes
import math
from pathlib import Path

import torch

from refine.networks import native

LEVEL_FLOOR = 1e-3  # ε of the bin gate's log level, relative to the input's RMS
MASK_MARGIN = 0.01  # τ: how far the mask's sigmoid is stretched past 0 and 1
MASK_END_LOGIT = math.log((1 + MASK_MARGIN) / MASK_MARGIN)  # |g| ≈ 4.62: m exactly 0 or 1 past it
# |g| where the leash starts: the sigmoid's slope there is a tenth of its slope at the ends.
LEASH_LOGIT = MASK_END_LOGIT + math.log(10.0)  # ≈ 6.92
MAX_FRAMES = 16384  # L the kernels take (mask_kernel.c)
PARALLEL_WORK = 1 << 15  # elements (B·K·L) from which the rows are split over threads
_SUFFIXES = {torch.float32: "f32", torch.float64: "f64"}
_POINTER, _SIZE, _REAL = ctypes.c_void_p, ctypes.c_long, ctypes.c_double
KERNELS = native.Kernels(
    Path(__file__).with_name("mask_kernel.c"),
    {
        **{
            f"mask_forward_{suffix}": [_POINTER] * 4 + [_SIZE] * 9 + [_REAL] * 2
            for suffix in _SUFFIXES.values()
        },
        **{
            f"mask_backward_{suffix}": [_POINTER] * 7 + [_SIZE] * 9 + [ctypes.c_int] + [_REAL] * 4
            for suffix in _SUFFIXES.values()
        },
    },
    "the gated mask runs as torch operators instead, the same results about 1.4x slower",
    native.WITH_VECTOR_MATH,
)


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


def _dense(t: torch.Tensor) -> bool:
    """Whether (B, K, L) t is laid out as (B, K, L) or (K, B, L) in memory, the layouts the
    kernels read in place (rows of L frames contiguous, nothing overlapping)."""
    return t.is_contiguous() or t.transpose(0, 1).is_contiguous()


def _takes(x: torch.Tensor, scale: torch.Tensor, parts: torch.Tensor) -> bool:
    """Whether the compiled kernels take these tensors (else the torch operators run)."""
    return (
        x.device.type == "cpu"
        and x.dtype in _SUFFIXES
        and scale.dtype == parts.dtype == x.dtype
        and x.shape[-1] <= MAX_FRAMES
        and _dense(x)
        and _dense(parts)
        and KERNELS.available()
    )


def _layout(x: torch.Tensor, parts: torch.Tensor) -> tuple[int, ...]:
    """The kernels' strides: x's over B and K, the parts' over B and K, and between parts."""
    channels = x.shape[1]
    return x.stride(0), x.stride(1), parts.stride(0), parts.stride(1), channels * parts.stride(1)


def _per_frame(scale: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """The scale (B, 1, 1) or (B, 1, L) as one value per frame, (B, L) contiguous."""
    return scale.expand(x.shape[0], 1, x.shape[-1]).reshape(x.shape[0], -1).contiguous()


def _native_forward(x, frames, parts) -> torch.Tensor:
    """y = x·m; `frames` is the scale per frame (B, L) (`_per_frame`)."""
    batch, channels, length = x.shape
    y = torch.empty_strided(x.shape, x.stride(), dtype=x.dtype)
    kernel = f"mask_forward_{_SUFFIXES[x.dtype]}"
    held = (x, frames, parts, y)  # alive until the kernel has run
    before = tuple(t.data_ptr() for t in held)
    after = (channels, length, *_layout(x, parts), LEVEL_FLOOR, MASK_MARGIN)
    KERNELS.over_rows(kernel, batch * channels, x.numel() >= PARALLEL_WORK, before, after)
    return y


def _native_backward(x, frames, parts, grad, leash, per_clip) -> tuple[torch.Tensor, ...]:
    """∂E/∂x, ∂E/∂scale ((B, 1, 1) when `per_clip`, else (B, 1, L)) and ∂E/∂parts from
    grad = ∂E/∂y; `frames` is the forward's scale per frame (B, L)."""
    batch, channels, length = x.shape
    if grad.stride() != x.stride():  # the kernel reads it laid out as x
        grad = torch.empty_strided(x.shape, x.stride(), dtype=grad.dtype).copy_(grad)
    grad_x = torch.empty_strided(x.shape, x.stride(), dtype=x.dtype)
    grad_parts = torch.empty_strided(parts.shape, parts.stride(), dtype=x.dtype)
    shares = torch.empty(batch, channels, 1 if per_clip else length, dtype=torch.float64)
    kernel = f"mask_backward_{_SUFFIXES[x.dtype]}"
    held = (x, frames, parts, grad, grad_x, grad_parts, shares)  # alive until run
    after = (channels, length, *_layout(x, parts), int(per_clip), LEVEL_FLOOR, MASK_MARGIN)
    after += (leash / x.numel(), LEASH_LOGIT)
    before = tuple(t.data_ptr() for t in held)
    KERNELS.over_rows(kernel, batch * channels, x.numel() >= PARALLEL_WORK, before, after)
    grad_scale = shares.sum(1, keepdim=True).to(x.dtype)  # (B, 1, 1) or (B, 1, L)
    return grad_x, grad_scale, grad_parts


class _GatedMask(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale, parts, leash):
        ctx.leash, ctx.native = leash, _takes(x, scale, parts)
        if ctx.native:
            frames = _per_frame(scale, x)  # (B, L), read again by backward
            ctx.save_for_backward(x, frames, parts)
            ctx.per_clip = scale.shape[-1] == 1
            return _native_forward(x, frames, parts)
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
        if ctx.native:
            return *_native_backward(*ctx.saved_tensors, grad, ctx.leash, ctx.per_clip), None
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
    batch, channels, length = x.shape
    if parts.shape != (batch, 4 * channels, length) or scale.shape not in (
        (batch, 1, 1),
        (batch, 1, length),
    ):
        raise ValueError(
            f"gated_mask takes x (B, K, L), scale (B, 1, 1) or (B, 1, L) and parts (B, 4K, L), "
            f"got {tuple(x.shape)}, {tuple(scale.shape)} and {tuple(parts.shape)}"
        )
    training = torch.is_grad_enabled() and parts.requires_grad
    # Under bf16 autocast the output map hands over bf16 parts while x stays float32: the
    # mask computes in x's precision, where the kernels take it (on the mixed dtypes its torch
    # operators ran, fwd+bwd 1.3x as long at the training step's shape: `python
    # benchmarks/mask_speed.py --parts bfloat16`); the cast's backward returns bf16.
    parts = parts.to(x.dtype)
    return _GatedMask.apply(x, scale, parts, leash if training else 0.0)
