"""Where a model's SI-SDR goes: how much of the clean signal and how much of the noise it
keeps. A mask model's output is each bin of the mixture scaled by a gain; that gain, measured
as |Y| / |X| on an STFT of the output Y and the mixture X, applied to the clean signal S and
the noise N = X − S apart, tells whether a loss comes from taking the signal (less of S kept)
or from leaving the noise (more of N kept). Run on the test folders of real_noise.py or
real_recordings.py (<set>/{noisy,clean}/, paired by name) for two models, at their default
steps, it prints per set each model's kept shares (dB: 10·log10 of the energy kept over the
energy in) and B − A.

    python experiments/pretrained/kept.py A.pt B.pt data/real_noise --names a b [--sets s ...]
"""

import argparse
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
from tqdm import tqdm

from refine.inference.enhance import enhance, load_model

N_FFT, HOP = 512, 128


def kept_db(noisy: np.ndarray, clean: np.ndarray, output: np.ndarray) -> tuple[float, float]:
    """(signal kept, noise kept) in dB: the gain |Y| / |X| of each STFT bin applied to the
    clean signal's and the noise's magnitudes, energy out over energy in. (T,) arrays."""
    window = torch.hann_window(N_FFT, dtype=torch.float64)

    def magnitude(audio: np.ndarray) -> torch.Tensor:
        signal = torch.from_numpy(np.asarray(audio, dtype=np.float64))
        return torch.stft(signal, N_FFT, HOP, window=window, return_complex=True).abs()

    mixture = magnitude(noisy)
    gain = magnitude(output) / mixture.clamp_min(1e-9)
    shares = []
    for part in (clean, noisy - clean):
        energy = magnitude(part).square()
        shares.append(10 * np.log10((gain.square() * energy).sum().item() / energy.sum().item()))
    return shares[0], shares[1]


def measure(models: list, folder: Path) -> np.ndarray:
    """(models, clips, 2): each clip's (signal kept, noise kept) in dB under each model, clips
    sorted by name, each read once."""
    rows = []
    for noisy_path in tqdm(sorted((folder / "noisy").glob("*.wav")), desc=folder.name, leave=False):
        noisy, rate = sf.read(noisy_path, dtype="float32")
        clean, _ = sf.read(folder / "clean" / noisy_path.name, dtype="float32")
        rows.append([kept_db(noisy, clean, enhance(noisy, rate, model)) for model in models])
    return np.array(rows).transpose(1, 0, 2)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("data", type=Path, help="a folder of <set>/{noisy,clean}/")
    parser.add_argument("--names", nargs=2, default=("A", "B"))
    parser.add_argument("--sets", nargs="*", help="only these sets (default: every one)")
    args = parser.parse_args(argv)
    sets = args.sets or sorted(p.name for p in args.data.iterdir() if (p / "noisy").is_dir())
    a, b = args.names
    print(f"| set | {a}: signal / noise kept (dB) | {b}: signal / noise kept (dB) | "
          f"{b} − {a}: signal / noise (dB) |")  # fmt: skip
    print("|---|--:|--:|--:|")
    models = [load_model(args.a), load_model(args.b)]
    every = []
    for name in sets:
        first, second = measure(models, args.data / name)
        every.append((first, second))
        print(_row(name, first, second))
    print(_row("**all**", *(np.concatenate(part) for part in zip(*every, strict=True))))
    return 0


def _row(name: str, first: np.ndarray, second: np.ndarray) -> str:
    (s_a, n_a), (s_b, n_b), (s_d, n_d) = first.mean(0), second.mean(0), (second - first).mean(0)
    return (
        f"| {name} | {s_a:+.2f} / {n_a:+.2f} | {s_b:+.2f} / {n_b:+.2f} | {s_d:+.2f} / {n_d:+.2f} |"
    )


if __name__ == "__main__":
    raise SystemExit(main())
