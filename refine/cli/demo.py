"""A first look at refine: build an LRU_UNet, run noisy synthetic audio through it, and print
the shape after every stage and how fast it runs on this CPU.

    python -m refine.cli.demo [--seconds 1] [--batch 4] [--d-model 32] [--n-layers 3] ...

The network is untrained: this shows the machinery (shapes, speed, exact streaming of the
causal variant), not denoising.
"""

import argparse
import math

import torch
from torch import nn

from refine.cli.arguments import refuse_below
from refine.networks.unet import LRU_UNet
from refine.runtime import tune_allocator
from refine.timing import best_time


def noisy_chords(batch: int, samples: int, sample_rate: int) -> torch.Tensor:
    """Decaying three-note chords with harmonics, plus white noise at 0 dB SNR: (B, 1, T)."""
    t = torch.arange(samples) / sample_rate  # (T,)
    root = 110.0 * 2 ** (torch.randint(0, 24, (batch, 1, 1)) / 12)  # (B, 1, 1) Hz
    clean = torch.zeros(batch, 1, samples)
    for semitones in (0, 4, 7):  # a major triad
        for harmonic in (1, 2, 3):
            freq = root * 2 ** (semitones / 12) * harmonic
            clean += torch.sin(2 * math.pi * freq * t) / harmonic
    clean *= torch.exp(-3 * t)  # decaying envelope
    clean /= clean.std(dim=-1, keepdim=True)
    return clean + torch.randn_like(clean)


def stage_shapes(net: LRU_UNet, audio_net: nn.Module, audio: torch.Tensor) -> list[tuple]:
    """(stage name, output shape as (B, C, T)) for every stage, from forward hooks."""
    stages = [(f"encoder {i + 1}: LRU block", m) for i, m in enumerate(net.encoder)]
    stages += [(f"encoder {i + 1}: downsample", m) for i, m in enumerate(net.down)]
    stages += [("bottleneck: LRU block", net.bottleneck)]
    stages += [(f"decoder {i + 1}: upsample", m) for i, m in enumerate(net.up)]
    stages += [(f"decoder {i + 1}: LRU block", m) for i, m in enumerate(net.decoder)]
    seen = []
    hooks = [
        module.register_forward_hook(
            lambda _m, _i, out, name=name: seen.append(
                (name, tuple((out[0] if isinstance(out, tuple) else out).mT.shape))
            )
        )
        for name, module in stages
    ]
    with torch.no_grad():
        audio_net(audio)
    for hook in hooks:
        hook.remove()
    return seen


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build an LRU_UNet and run audio through it.")
    parser.add_argument("--seconds", type=float, default=1.0, help="audio length per clip")
    parser.add_argument("--sample-rate", type=int, default=16000)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--d-model", type=int, default=32, help="channels of the first stage")
    parser.add_argument("--d-state", type=int, default=32, help="complex LRU state size")
    parser.add_argument("--n-layers", type=int, default=3, help="down/up stages")
    parser.add_argument("--factor", type=int, default=2, help="downsample factor per stage")
    args = parser.parse_args(argv)
    refuse_below(
        parser,
        ("--sample-rate", args.sample_rate, 1), ("--batch", args.batch, 1),
        ("--d-model", args.d_model, 1), ("--d-state", args.d_state, 1),
        ("--n-layers", args.n_layers, 0), ("--factor", args.factor, 1),
    )  # fmt: skip
    stride = args.factor**args.n_layers  # the U-Net's total stride
    samples = round(args.seconds * args.sample_rate) if math.isfinite(args.seconds) else 0
    if samples < stride:
        parser.error(
            f"--seconds {args.seconds:g} at {args.sample_rate} Hz is {samples} samples, fewer than "
            f"the network's total stride ({args.factor}^{args.n_layers} = {stride}): give more"
        )

    tune_allocator()
    torch.manual_seed(0)
    audio = noisy_chords(args.batch, samples, args.sample_rate)  # (B, 1, T)
    net = LRU_UNet(args.d_model, args.d_state, args.n_layers, args.factor)
    # 1x1 convolutions lift mono audio to d_model channels and back.
    audio_net = nn.Sequential(nn.Conv1d(1, args.d_model, 1), net, nn.Conv1d(args.d_model, 1, 1))
    params = sum(p.numel() for p in audio_net.parameters())

    print(
        f"LRU_UNet(d_model={args.d_model}, d_state={args.d_state}, n_layers={args.n_layers}, "
        f"downsample_factor={args.factor}): {params / 1e6:.2f} M parameters, "
        f"total stride {net.total_stride}"
    )
    print(
        f"input: {args.batch} clips of {args.seconds:g} s at {args.sample_rate} Hz "
        f"-> {tuple(audio.shape)} (B, C, T)"
    )
    for name, shape in stage_shapes(net, audio_net, audio):
        print(f"  {name:28s} {shape}")

    with torch.no_grad():
        forward = best_time(lambda: audio_net(audio))
    backward = best_time(lambda: audio_net(audio).square().mean().backward())
    audio_seconds = args.batch * args.seconds
    print(
        f"forward          {forward * 1e3:8.1f} ms  real-time factor {forward / audio_seconds:.3f}"
    )
    print(f"forward+backward {backward * 1e3:8.1f} ms  ({torch.get_num_threads()} threads)")

    causal = LRU_UNet(args.d_model, args.d_state, args.n_layers, args.factor, causal=True).eval()
    lift = audio_net[0]
    with torch.no_grad():
        features = lift(audio)[..., : samples - samples % causal.total_stride]
        chunk = max(
            causal.total_stride, args.sample_rate // 10 // causal.total_stride * causal.total_stride
        )
        pieces, state = [], None
        for piece in features.split(chunk, dim=-1):
            out, state = causal.stream(piece, state)
            pieces.append(out)
        gap = (torch.cat(pieces, -1) - causal(features)).abs().max().item()
    print(
        f"causal variant streamed in {chunk}-sample chunks: max |stream - offline| = {gap:.1e}; "
        f"no look-ahead, {causal.total_stride - 1} samples buffered per {causal.total_stride}"
    )


if __name__ == "__main__":
    main()
