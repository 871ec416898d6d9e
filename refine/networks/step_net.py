"""The step network f_θ shared by every refinement step: a backbone between two 1x1 maps.

    features x (B, K, L) -> lift to d_model -> [FiLM by t/T] -> backbone -> h
    f(x) = x ⊙ gain(h) + shift(h)          (gain, shift: 1x1 maps d_model -> K)

The lift and lower maps let any backbone of d_model channels (LRU_UNet by default) work in
any domain (K = 1 for mono waveforms, 2·257 for a 512-point complex STFT). Four choices:
- The output gates the input channel by channel. With K > d_model (spectrograms) a plain
  1x1 output map has rank d_model and cannot even pass the input's bins through, let alone
  pick the noisy ones; a per-bin gain can (the spectral-mask idea). The additive part keeps
  the map general. In a 300-step trial of the default training on the complex STFT, the
  plain map reached +2.6 dB SI-SDR at 0 dB input, the gated one +7.6 dB.
- The input is divided by its RMS and the output multiplied back, so the network is
  scale-equivariant: a quiet recording is refined exactly like a loud one. The RMS of the
  whole input (normalisation="clip") looks at the future; normalisation="causal" divides
  each frame by the RMS of the frames up to it instead, so that a causal backbone makes a
  causal step network that streams exactly (`stream`, `refine.inference.streaming`).
- The lower map starts at zero, so an untrained refiner leaves its input unchanged and
  training starts from the identity, not from noise added at every step.
- `bin_gate` adds to the gain a soft threshold on each bin's own level,
      gain += w(h) ⊙ σ(a(h) ⊙ log(|x|/rms + ε) + b(h)),
  the form of a classical spectral gain: keep a bin well above a noise floor, remove one at
  or below it. The floor (the log level −b/a) can be smooth across bins, as noise spectra
  are, which a rank-d_model map can say; the decision is per bin: a mask that resolves the
  harmonics of a voice or an instrument, which a gain of rank d_model over K = 257 bins
  cannot (+6 to +9 points of the oracle IRM's gain on real recordings,
  experiments/pretrained/pilots). w starts at zero, so the identity start is kept.
- `update="mask"` makes the output a bounded mask, f(x) = x ⊙ m with m in [0, 1], so a step
  x − η·f(x) = x ⊙ (1 − η·m) with η ≤ 1 never enlarges a feature: every |x_k| is
  non-increasing over the steps and bounded below by 0, so the iteration cannot blow up
  and every feature converges, whatever the weights. m = clamp((1 + 2τ)·σ(gain) − τ, 0, 1),
  a sigmoid stretched by τ = 1 % past both ends: smooth and never without a gradient in
  between, like a sigmoid, yet exactly 0 for gain below about −4.6, where a bin the network
  judges clean is left exactly as it is (a fixed point, not a point the iterate slides
  through at a rate σ(gain)). Past an end only the gradient that points back inside passes
  (`bounded_mask`): the clamp's own gradient and a straight-through one both trained the
  mask into a fixed on/off pattern. The mask starts at m = 1/2, not at the identity. The
  affine output (the default) can also add and rotate, which the waveform domain needs.
  `mask_leash` > 0 pulls a pre-activation back once it is well past the range where the
  sigmoid still has a slope (`refine.networks.gated_mask.leash_gradient`): it costs no mask
  the update can express, and keeps a growing backbone from freezing the mask.
- `inject=True` gives the network the noisy observation (the domain features of the input
  to step 1) beside the iterate at every step, each divided by its own RMS: without it,
  any signal the network takes for clean is a fixed point (Bai et al. 2019, "Deep
  Equilibrium Models"; Bansal et al. 2022, arXiv 2202.05826, call it recall).
- `output_norm=True` LayerNorms the backbone's output before the output map, so a residual
  stream grown by orders of magnitude cannot drive every mask logit flat (the collapse of
  wide networks at a high learning rate, experiments/anytime/budget_4x/failed/). Off by
  default: it stops the freeze but not the growth, which it hides, and the default recipe
  trained with it stalled 0.97 dB lower at T (experiments/anytime, collapse.sh).
- `gradient_step=True` makes the network's output a gradient (Hurault et al., ICLR 2022,
  "Gradient step denoiser for convergent plug-and-play"): Noise(x) = ∇ₓE(x) with the
  learned energy E(x) = ½‖f(x)‖² + (λ/2)‖x − y‖², f the network above and y the noisy
  observation (λ = `data_weight`; 0: no data term). The refiner's step x ← x − η·Noise(x) is
  then gradient descent on E, which cannot rise for η < 2/Lip(∇E), so the iteration past T
  settles at a stationary point of E whatever it learnt; with λ > 0 that point is tied to
  y. E is 2-homogeneous (f is 1-homogeneous), so Noise stays scale-equivariant. Training
  differentiates ∇ₓE, a second derivative: the backbone's LRUs need a twice-differentiable
  scan (`model.scan=twice`) and the mask runs through autograd, not the fused kernel. It
  needs the mask update: the affine output starts at f ≡ 0, where ∇ₓE and its gradient in
  the weights both vanish, so it would never leave its start.
Conditioning (off by default: the pure weight-shared recurrence of the seed question) scales
and shifts the lifted features (FiLM) by a sinusoidal embedding of a scalar the refiner
passes: the progress t/T, or the noise level left in the step's input (`refine.process.refiner`).
`content=True` also scales and shifts them by a learnt vector per content label (unknown,
speech, music: `refine.networks.content`), which starts at zero, so a network given the
input starts as the network it was made from, whatever it is told.
`level_input=True` lifts each channel's log level log(|x|/rms + ε) (the bin gate's) beside
x/rms, through a second 1x1 map that starts at zero. The lift of x/rms is linear in the
magnitudes, so a bin 40 dB below the loudest weighs 1 % of it in every lifted feature: the
quiet harmonics of a voice under babble, or music's upper partials, reach the backbone only
as a rounding of the loud ones. Compressed spectral inputs (log, power 0.3) are what speech
enhancement networks read for that reason; the zero start keeps the identity start, and a
trained network made to read levels (`refine.process.level_input`) starts as itself.
"""

import math

import torch
from torch import nn

from refine.networks.content import CONTENTS, labels_for_batch
from refine.networks.gated_mask import LEVEL_FLOOR, MASK_MARGIN, gated_mask, leash_gradient

NORMALISATIONS = ("clip", "causal")
UPDATES = ("affine", "mask")
GRADIENT_STEP_UPDATES = ("mask",)  # the affine output starts at f ≡ 0, where ∇E's gradient is 0
MASK_GRADIENTS = ("inward", "straight", "clamp")  # past the mask's ends: see bounded_mask


def conditioning_embedding(value: torch.Tensor, size: int) -> torch.Tensor:
    """Sinusoidal features of a scalar in about [0, 1] (t/T or a noise level) at frequencies
    1 … 2^(size/2−1) cycles: (B,) -> (B, size)."""
    freqs = 2.0 ** torch.arange(size // 2, device=value.device, dtype=value.dtype)
    angles = math.pi * value[:, None] * freqs  # (B, size/2)
    return torch.cat([torch.sin(angles), torch.cos(angles)], -1)


def filmed(h: torch.Tensor, film: torch.Tensor) -> torch.Tensor:
    """FiLM: h (B, C, L) scaled by 1 + gain and shifted, (gain, shift) = film (B, 2C)."""
    gain, shift = film.chunk(2, -1)  # (B, C) each
    return h * (1 + gain[..., None]) + shift[..., None]


def clip_rms(x: torch.Tensor) -> torch.Tensor:
    """The RMS of each example's whole input, floored at 1e-8: (B, K, L) -> (B, 1, 1)."""
    return x.square().mean(dim=(1, 2), keepdim=True).sqrt().clamp(min=1e-8)


def pointwise(conv: nn.Conv1d, x: torch.Tensor, divisor: torch.Tensor | None = None):
    """conv(x / divisor) for a Conv1d of kernel size 1, as one matmul over every frame of the
    batch: (B, C_in, L), divisor (B, 1, 1) or (B, 1, L) -> (B, C_out, L), a view of a
    (C_out, B, L) buffer. (C_out, C_in) @ (C_in, B·L) is one well-shaped product where a
    batched matmul over B, (C_out, C_in) @ (C_in, L) with L = 63 frames, ran at two thirds of
    its speed (the 64 -> 2056 output map: 3.5 ms against 5.5 forward, 2-core CPU). x laid out
    as (C_in, B, L) in memory, as the refiner's training iterates are, is read in place; any
    other layout is copied once. The map is linear in each frame, so the divisor divides its
    C_out outputs instead of its C_in inputs: 8x fewer divisions, forward and backward, for
    the lift. mkldnn's convolution took 1.5x as long as the batched matmul."""
    batch, channels, length = x.shape
    weight = conv.weight.squeeze(-1)  # (C_out, C_in)
    columns = x.transpose(0, 1).reshape(channels, batch * length)  # (C_in, B·L)
    if divisor is None and conv.bias is not None:
        y = torch.addmm(conv.bias[:, None], weight, columns)
        return y.view(-1, batch, length).transpose(0, 1)
    y = (weight @ columns).view(-1, batch, length).transpose(0, 1)
    if divisor is not None:
        y = y.div_(divisor)
    return y if conv.bias is None else y.add_(conv.bias[:, None])


def log_level(x: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """Each channel's level log(|x|/s + ε) (B, K, L), ε = LEVEL_FLOOR: what the bin gate
    thresholds and a level-reading lift sees; scale (B, 1, 1) or (B, 1, L)."""
    return torch.log((x / scale).abs() + LEVEL_FLOOR)


def bin_gated(gain, weight, slope, offset, x, scale) -> torch.Tensor:
    """The bin gate added to the gain, g = gain + w ⊙ σ(a ⊙ log(|x|/s + ε) + b), through
    autograd (the fused mask's slow twin): every argument (B, K, L) but the scale, (B, 1, 1)
    or (B, 1, L)."""
    return gain + weight * torch.sigmoid(slope * log_level(x, scale) + offset)


class _InwardClamp(torch.autograd.Function):
    """clamp(v, 0, 1), whose gradient passes where v is inside [0, 1] and, past an end, only
    when descent would move v back inside (v < 0 with ∂E/∂m < 0, v > 1 with ∂E/∂m > 0).

    The clamp's own gradient (zero past both ends) leaves a bin that crossed an end there for
    good; passing every gradient straight through lets the loss keep pushing a bin the mask
    cannot serve (a channel that would need m < 0 or m > 1) further out at every step, and
    the network's output grows until every bin sits far past an end. Both trained the default
    recipe's mask into a fixed on/off pattern (experiments/convergence, dead_zone.md).
    Passing only the inward half keeps a bin at an end where the loss wants it beyond, and
    lets it back as soon as the loss wants it inside."""

    @staticmethod
    def forward(ctx, v):
        ctx.save_for_backward(v)
        return v.clamp(0.0, 1.0)

    @staticmethod
    def backward(ctx, grad):
        (v,) = ctx.saved_tensors
        inward = ((v >= 0) | (grad < 0)) & ((v <= 1) | (grad > 0))
        return grad * inward


class _Leash(torch.autograd.Function):
    """The identity on the mask's pre-activation g, whose backward adds the leash's gradient
    (`refine.networks.gated_mask.leash_gradient`): the autograd path's twin of the fused
    mask's leash."""

    @staticmethod
    def forward(ctx, logits, strength):
        ctx.save_for_backward(logits)
        ctx.strength = strength
        return logits.view_as(logits)

    @staticmethod
    def backward(ctx, grad):
        (logits,) = ctx.saved_tensors
        return grad + leash_gradient(logits, ctx.strength), None


def leashed(logits: torch.Tensor, strength: float) -> torch.Tensor:
    """g unchanged, with the leash λ = `strength` on its gradient (none at 0)."""
    return _Leash.apply(logits, strength) if strength else logits


def bounded_mask(gain: torch.Tensor, gradient: str = "inward") -> torch.Tensor:
    """The mask update's m = clamp((1 + 2τ)·σ(gain) − τ, 0, 1): in [0, 1], exactly 0 (and 1)
    beyond |gain| ≈ 4.6, smooth in between. Past an end its gradient is the sigmoid's when it
    points back inside and zero when it points further out ("inward", `_InwardClamp`); the
    two it was measured against: the sigmoid's always ("straight" through the clamp) and the
    clamp's own, zero past both ends ("clamp")."""
    stretched = (1 + 2 * MASK_MARGIN) * torch.sigmoid(gain) - MASK_MARGIN
    if gradient == "inward":
        return _InwardClamp.apply(stretched)
    clamped = stretched.clamp(0.0, 1.0)
    if gradient == "clamp":
        return clamped
    if gradient == "straight":
        return clamped.detach() + (stretched - stretched.detach())  # + exactly 0
    raise ValueError(f"gradient must be one of {MASK_GRADIENTS}, got {gradient!r}")


def check_gradient_step(gradient_step: bool, data_weight: float, update: str, leash: float):
    """A clear error for gradient-step settings no network can train with."""
    if data_weight < 0:
        raise ValueError(f"data_weight must be >= 0, got {data_weight}")
    if not gradient_step:
        if data_weight:
            raise ValueError("data_weight is the gradient step's data term: set gradient_step")
        return
    if update not in GRADIENT_STEP_UPDATES:
        raise ValueError(
            f"a gradient-step network needs update=mask, got {update!r}: the affine output "
            "starts at f = 0, where ∇E and its gradient in the weights are both zero"
        )
    if leash:
        raise ValueError(
            "a gradient-step network's output is a backward pass, which the mask's leash "
            "would alter: set mask_leash=0"
        )


class StepNetwork(nn.Module):
    """f_θ(x[, c][, observation][, content]): (B, K, L) -> (B, K, L).

    Args:
        channels: K, feature channels of the domain.
        backbone: a module (B, d_model, L) -> (B, d_model, L), e.g. `LRU_UNet`.
        d_model: the backbone's channels.
        condition: FiLM-condition on a scalar c per example (t/T or a noise level).
        embedding_size: size of the conditioning embedding.
        normalisation: "clip" (the RMS of the whole input) or "causal" (of the frames so far).
        bin_gate: add a soft threshold on each channel's own level to the gain.
        update: "affine" (x ⊙ gain + shift) or "mask" (x ⊙ m, m = `bounded_mask`(gain) in
            [0, 1]: bounded).
        mask_gradient: the mask's gradient past its ends, "inward", "straight" or "clamp".
        inject: also see the noisy observation at every step.
        output_norm: LayerNorm the backbone's output over its channels before the output map.
        mask_leash: λ of the leash on the mask's pre-activation (`leash_gradient`): 0 (none)
            or a positive strength; like mask_gradient, unused by the affine update.
        gradient_step: output ∇ₓE(x), E = ½‖f(x)‖² + (data_weight/2)‖x − y‖², instead of f(x).
        data_weight: λ ≥ 0 of the gradient step's data term (needs the observation y).
        content: FiLM-condition on a content label per example (unknown, speech, music).
        content_lr_scale: the labels' learning rate over the base rate (an optimiser hint,
            `refine.train.optim`): a label added to a trained network at zero moves little
            at a fine-tuning rate.
        level_input: also lift each channel's log level, through a map that starts at zero.
    """

    def __init__(
        self,
        channels: int,
        backbone: nn.Module,
        d_model: int,
        condition: bool = False,
        embedding_size: int = 16,
        normalisation: str = "clip",
        bin_gate: bool = False,
        update: str = "affine",
        inject: bool = False,
        mask_gradient: str = "inward",
        output_norm: bool = False,
        mask_leash: float = 0.0,
        gradient_step: bool = False,
        data_weight: float = 0.0,
        content: bool = False,
        content_lr_scale: float = 1.0,
        level_input: bool = False,
    ):
        super().__init__()
        if normalisation not in NORMALISATIONS:
            raise ValueError(
                f"normalisation must be one of {NORMALISATIONS}, got {normalisation!r}"
            )
        if update not in UPDATES:
            raise ValueError(f"update must be one of {UPDATES}, got {update!r}")
        if mask_gradient not in MASK_GRADIENTS:
            raise ValueError(
                f"mask_gradient must be one of {MASK_GRADIENTS}, got {mask_gradient!r}"
            )
        if mask_leash < 0:
            raise ValueError(f"mask_leash must be 0 (none) or positive, got {mask_leash}")
        check_gradient_step(gradient_step, data_weight, update, mask_leash)
        if not content_lr_scale > 0 or (content_lr_scale != 1 and not content):
            raise ValueError(
                f"content_lr_scale must be > 0, and 1 without content labels, got "
                f"{content_lr_scale} (content={content})"
            )
        self.channels, self.condition, self.embedding_size = channels, condition, embedding_size
        self.normalisation, self.bin_gate = normalisation, bin_gate
        self.update, self.inject, self.mask_gradient = update, inject, mask_gradient
        self.mask_leash = mask_leash
        self.gradient_step, self.data_weight = gradient_step, data_weight
        self.lift = nn.Conv1d((2 if inject else 1) * channels, d_model, 1)
        # Each channel's log level -> d_model, from zero: a network starts as the one without.
        self.lift_level = nn.Conv1d(channels, d_model, 1, bias=False) if level_input else None
        if level_input:
            nn.init.zeros_(self.lift_level.weight)
        self.backbone = backbone
        # Per channel: the gain (and the shift of the affine update), and with the bin gate
        # its weight, slope and offset.
        parts = (1 if update == "mask" else 2) + (3 if bin_gate else 0)
        self.lower = nn.Conv1d(d_model, parts * channels, 1)
        nn.init.zeros_(self.lower.weight)
        nn.init.zeros_(self.lower.bias)
        self.film = nn.Linear(embedding_size, 2 * d_model) if condition else None
        self.output_norm = nn.LayerNorm(d_model) if output_norm else None
        # (1 + gain, shift) per content label, from zero: every label starts as the identity.
        self.content = nn.Embedding(len(CONTENTS), 2 * d_model) if content else None
        if content:
            nn.init.zeros_(self.content.weight)
            self.content.weight._optim = {"lr_scale": content_lr_scale}

    def scale(self, x: torch.Tensor, energy: tuple | None = None) -> tuple[torch.Tensor, tuple]:
        """The RMS that x (B, K, L) is divided by, (B, 1, 1) or per frame (B, 1, L), and the
        running (sum of frame energies, frames) that a stream carries to its next chunk."""
        if self.normalisation == "clip":
            return clip_rms(x), ()
        frames = x.square().mean(1, keepdim=True).double()  # (B, 1, L) in float64: long sums
        total, count = energy or (frames.new_zeros(x.shape[0], 1, 1), 0)
        running = total + frames.cumsum(-1)  # (B, 1, L)
        counts = count + torch.arange(1, x.shape[-1] + 1, device=x.device, dtype=torch.float64)
        rms = (running / counts).sqrt().to(x.dtype).clamp(min=1e-8)
        return rms, (running[..., -1:], count + x.shape[-1])

    def _lifted(self, x, scale, conditioning, seen, content=None) -> torch.Tensor:
        """The lift of x/scale (B, K, L) and, with injection, of `seen`, the observation
        already divided by its own RMS (B, K, L); FiLM by the conditioning (B,) and by the
        content labels (n,) with B = k·n (None: unknown)."""
        if self.inject:
            if seen is None:
                raise ValueError("this step network sees the noisy observation: pass observation")
            h = pointwise(self.lift, torch.cat([x / scale, seen], 1))  # from (B, 2K, L)
        else:
            h = pointwise(self.lift, x, scale)  # (B, d_model, L)
        if self.lift_level is not None:
            h = h + pointwise(self.lift_level, log_level(x, scale))  # (B, d_model, L)
        if self.film is not None:
            if conditioning is None:
                raise ValueError("this step network is conditioned: pass its conditioning")
            embedding = conditioning_embedding(conditioning, self.embedding_size)
            h = filmed(h, self.film(embedding))
        if self.content is not None:
            h = filmed(h, self.content(labels_for_batch(content, h.shape[0], h.device)))
        elif content is not None:
            raise ValueError("this step network was not trained with content labels")
        return h

    def gain(self, x: torch.Tensor, h: torch.Tensor, scale: torch.Tensor) -> tuple:
        """The output map's gain (B, K, L), before the mask's squashing, and the affine
        update's shift (B, K, L) or None, from the backbone's output h (B, d_model, L)."""
        parts = pointwise(self.lower, h).split(self.channels, dim=1)  # (B, K, L) each
        gain, rest = parts[0], parts[1:]
        shift = None
        if self.update == "affine":
            shift, rest = rest[0], rest[1:]
        if rest:
            weight, slope, offset = rest
            gain = bin_gated(gain, weight, slope, offset, x, scale)
        return gain, shift

    @property
    def needs_observation(self) -> bool:
        """Whether forward needs the noisy observation: to see it, or for the data term."""
        return self.inject or (self.gradient_step and self.data_weight > 0)

    def _lowered(self, x: torch.Tensor, h: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
        fusable = self.mask_gradient == "inward" and not self.gradient_step  # once-differentiable
        if self.update == "mask" and self.bin_gate and fusable:
            return gated_mask(x, scale, pointwise(self.lower, h), self.mask_leash)  # fused
        gain, shift = self.gain(x, h, scale)
        if shift is None:
            return x * bounded_mask(leashed(gain, self.mask_leash), self.mask_gradient)
        return x * gain + shift * scale

    def forward(
        self,
        x: torch.Tensor,
        conditioning: torch.Tensor | None = None,
        observation: torch.Tensor | None = None,
        content: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """x (B, K, L), conditioning (B,) (needed when conditioned), the noisy observation
        (B, K, L) (needed with injection and the data term), content labels (n,) with
        B = k·n (None: unknown; only for a content-conditioned network) -> (B, K, L)."""
        if self.gradient_step:
            return self._energy_gradient(x, conditioning, observation, content)
        return self._residual(x, conditioning, observation, content)

    def _residual(self, x, conditioning, observation, content=None) -> torch.Tensor:
        """f(x) (B, K, L): the output map on the backbone's output."""
        return self._lowered(x, *self._backbone_output(x, conditioning, observation, content))

    def energy(self, x, conditioning=None, observation=None, content=None) -> torch.Tensor:
        """A gradient-step network's E(x) = ½‖f(x)‖² + (λ/2)‖x − y‖² per example: (B,)."""
        if not self.gradient_step:
            raise ValueError("energy: this step network outputs f(x), not a gradient")
        energy = 0.5 * self._residual(x, conditioning, observation, content).square().sum((1, 2))
        if self.data_weight:
            if observation is None:
                raise ValueError("this step network's energy has a data term: pass observation")
            energy = energy + 0.5 * self.data_weight * (x - observation).square().sum((1, 2))
        return energy

    def _energy_gradient(self, x, conditioning, observation, content) -> torch.Tensor:
        """∇ₓE (B, K, L), itself differentiable (in x and the weights) when grad is enabled:
        the refiner's unroll trains through it. Examples are independent, so the gradient of
        the batch's summed energy is each example's own."""
        training = torch.is_grad_enabled()
        with torch.enable_grad():
            point = x if x.requires_grad else x.detach().requires_grad_()
            energy = self.energy(point, conditioning, observation, content).sum()
            (gradient,) = torch.autograd.grad(energy, point, create_graph=training)
        return gradient

    def mask_logits(
        self,
        x: torch.Tensor,
        conditioning: torch.Tensor | None = None,
        observation: torch.Tensor | None = None,
        content: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """The mask update's pre-activation g (B, K, L), the gain with the bin gate, that
        forward squashes into the mask: to look at, not to train through. Where |g| is large
        the mask's sigmoid is flat and passes no gradient back (`refine.study.saturation`)."""
        if self.update != "mask":
            raise ValueError("mask_logits: this step network's update is affine, not a mask")
        return self.gain(x, *self._backbone_output(x, conditioning, observation, content))[0]

    def _backbone_output(self, x, conditioning, observation, content=None) -> tuple:
        """The backbone's output h (B, d_model, L) for x (B, K, L) and the RMS scale of x,
        (B, 1, 1) or (B, 1, L), that the output map reads: what forward and mask_logits share."""
        scale, _ = self.scale(x)
        seen = None
        if self.inject and observation is not None:
            seen = observation / self.scale(observation)[0]
        h = self._lifted(x, scale, conditioning, seen, content)  # (B, d_model, L)
        return self._normed(self.backbone(h)), scale

    def _normed(self, h: torch.Tensor) -> torch.Tensor:
        """The backbone's output h (B, d_model, L), LayerNormed over its channels when the
        network has an output norm."""
        if self.output_norm is None:
            return h
        return self.output_norm(h.mT).mT  # over (B, L, d_model)

    def stream(self, x, conditioning=None, state: dict | None = None, last=False, content=None):
        """One chunk of a stream: x (B, K, L), state -> (f(x) (B, K, L), state); content
        labels as in forward.

        Chunks are multiples of the backbone's stride except the `last`, which is padded the
        way `forward` pads. With causal normalisation and a causal backbone the outputs equal
        `forward` on the whole stream; with a non-causal backbone too, when every chunk is a
        multiple of the stride (its look-ahead stays inside a stride)."""
        if self.normalisation != "causal":
            raise ValueError("streaming needs normalisation='causal': the clip RMS sees the future")
        if self.inject or self.gradient_step:
            raise ValueError(
                "streaming a step network that sees the observation or outputs a gradient "
                "is not supported"
            )
        state = state or {"energy": None, "backbone": None}
        scale, energy = self.scale(x, state["energy"])
        h = self._lifted(x, scale, conditioning, None, content)
        length = h.shape[-1]
        if last:
            h = nn.functional.pad(h, (0, self.backbone.valid_length(length) - length))
        h, backbone_state = self.backbone.stream(h, state["backbone"])
        return self._lowered(x, self._normed(h[..., :length]), scale), {
            "energy": energy,
            "backbone": backbone_state,
        }
