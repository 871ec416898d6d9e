"""Where a model loses to the oracle ideal ratio mask, band by band: for each frequency band,
the share of the oracle's SI-SDR gain the model would reach if its output took the oracle's
STFT in that band and kept its own everywhere else. A band whose substitution moves the
share most holds most of the shortfall.

    python experiments/pretrained/bands.py data/real/music_pink --snr 0 \
        --checkpoint runs/pretrained_tuned2/checkpoint.pt \
        --checkpoint refine/pretrained/refine_default.pt

The set's clips are the real_recordings.py files whose names end in _snr{SNR}; the model
runs its default steps (refine.inference.enhance); the oracle and the bands use the
512-point STFT of refine.study.classical (31.25 Hz bins at 16 kHz). Prints a markdown table.
"""

import argparse
from pathlib import Path

import torch

from refine.audio import load_audio
from refine.inference.enhance import enhance, load_model
from refine.study.classical import STFT, oracle_irm
from refine.study.metrics import si_sdr

BANDS = {  # name: STFT bins [first, last + 1) at n_fft 512, 16 kHz
    "0-31 Hz": (0, 2),
    "62-219 Hz": (2, 8),
    "250-969 Hz": (8, 32),
    "1-8 kHz": (32, 257),
}


def oracle_clips(pairs: list[tuple[Path, Path]]) -> list[tuple]:
    """Each clip as (noisy (1, T), clean (1, T), the oracle's STFT (1, 1, F, L), the noisy
    SI-SDR, the oracle's gain): loaded and masked once for every checkpoint."""
    clips = []
    for noisy_path, clean_path in pairs:
        noisy, rate = load_audio(noisy_path)  # (1, T)
        clean, _ = load_audio(clean_path)
        if rate != 16000:
            raise ValueError(f"{noisy_path}: {rate} Hz; the bands assume 16 kHz")
        oracle = oracle_irm(noisy[None], clean[None])[0]  # (1, T)
        before = si_sdr(noisy, clean).item()
        gain = si_sdr(oracle, clean).item() - before
        clips.append((noisy, clean, STFT.stft(oracle[None]), before, gain))
    return clips


def band_shares(checkpoint: Path, clips: list[tuple]) -> dict[str, float]:
    """{"model": share of the oracle's mean gain, band: share with that band oracle's}."""
    model = load_model(checkpoint)
    gains = {name: 0.0 for name in ["model", *BANDS]}
    for noisy, clean, best, before, _ in clips:
        output = enhance(noisy, 16000, model=model)  # (1, T)
        gains["model"] += si_sdr(output, clean).item() - before
        own = STFT.stft(output[None])  # (1, 1, F, L)
        for name, (first, last) in BANDS.items():
            mixed = own.clone()
            mixed[..., first:last, :] = best[..., first:last, :]
            audio = STFT.istft(mixed, noisy.shape[-1])[0]  # (1, T)
            gains[name] += si_sdr(audio, clean).item() - before
    oracle_gain = sum(clip[-1] for clip in clips)
    return {name: gain / oracle_gain for name, gain in gains.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("set", type=Path, help="a real_recordings.py set: noisy/ and clean/")
    parser.add_argument("--snr", type=int, default=0, help="input SNR of the clips (dB)")
    parser.add_argument("--checkpoint", type=Path, action="append", required=True)
    args = parser.parse_args()
    names = sorted(p.name for p in (args.set / "clean").glob(f"*_snr{args.snr}.wav"))
    if not names:
        parser.error(f"{args.set}/clean: no *_snr{args.snr}.wav clips")
    pairs = [(args.set / "noisy" / name, args.set / "clean" / name) for name in names]
    print(f"{args.set.name}, {args.snr} dB, {len(pairs)} clips: share of the oracle IRM's gain")
    print(f"\n| checkpoint | model | {' | '.join(f'oracle {band}' for band in BANDS)} |")
    print("|---|--:|" + "--:|" * len(BANDS))
    with torch.inference_mode():
        clips = oracle_clips(pairs)
        for checkpoint in args.checkpoint:
            shares = band_shares(checkpoint, clips)
            cells = " | ".join(f"{100 * share:.1f} %" for share in shares.values())
            print(f"| `{checkpoint}` | {cells} |")


if __name__ == "__main__":
    main()
