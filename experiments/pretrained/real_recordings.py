"""Real recordings from Debian packages, mixed with white and pink noise at 0 and 5 dB: the
shipped model's test of generalisation. No file here was seen in training.

    python experiments/pretrained/real_recordings.py data/real
    python experiments/pretrained/real_recordings.py data/real_clean_end --snrs 20 30

    speech  alsa-utils: a woman naming loudspeakers (8 files, 48 kHz studio recordings);
            asterisk-core-sounds-en-wav: Allison Smith's telephone prompts (16 files of
            at least 3 s, chosen by seed; 8 kHz, so nothing above 4 kHz)
    music   lomiri-sounds: the ringtones (31 produced pieces: guitar, piano, marimba, koto,
            synthesisers; 44.1 kHz stereo, mixed to mono); asterisk-moh-opsound-wav: five
            CC-BY-SA tracks of music on hold (8 kHz), two windows each

Every clean clip is at most CLIP_SECONDS, at 16 kHz. It is written into
OUT/<content>_<colour>/{noisy,clean}/<name>_snr<S>.wav for S in SNRS (--snrs; float WAV), so
`refine-eval data.source=paired_folders` pairs them by name and bins them by input SNR.
The noise of clip i is drawn from a generator seeded with (seed, i, colour, SNR).

    apt-get install alsa-utils asterisk-core-sounds-en-wav asterisk-moh-opsound-wav lomiri-sounds
"""

import argparse
import sys
from pathlib import Path

import torch

from refine.audio import load_audio, save_audio
from refine.data.noise import colored_noise, mix_at_snr
from refine.data.prepare import item_rng, trim_silence

RATE = 16000
CLIP_SECONDS = 4.0
SNRS = (0.0, 5.0)
COLOURS = ("white", "pink")
ALSA = Path("/usr/share/sounds/alsa")
ALLISON = Path("/usr/share/asterisk/sounds/en_US_f_Allison")
RINGTONES = Path("/usr/share/sounds/lomiri/ringtones")
MUSIC_ON_HOLD = Path("/usr/share/asterisk/moh")
PACKAGES = {
    ALSA: "alsa-utils",
    ALLISON: "asterisk-core-sounds-en-wav",
    RINGTONES: "lomiri-sounds",
    MUSIC_ON_HOLD: "asterisk-moh-opsound-wav",
}
ALLISON_CLIPS = 16
MOH_OFFSETS = (30.0, 90.0)  # s: two windows of each music-on-hold track


def _mono(path: Path) -> torch.Tensor:
    audio, _ = load_audio(path, RATE)  # (C, T)
    return audio.mean(0, keepdim=True)  # (1, T)


def speech_clips(seed: int) -> dict[str, torch.Tensor]:
    clips = {f"alsa_{p.stem}": _mono(p) for p in sorted(ALSA.glob("*.wav")) if p.stem != "Noise"}
    prompts = [p for p in sorted(ALLISON.glob("*.wav")) if p.stat().st_size > 3 * 8000 * 2]
    for index in item_rng(seed, "allison", 0).permutation(len(prompts))[:ALLISON_CLIPS]:
        clips[f"allison_{prompts[index].stem}"] = _mono(prompts[index])
    return clips


def music_clips() -> dict[str, torch.Tensor]:
    clips = {
        f"ringtone_{p.stem.replace(' ', '_')}": _mono(p) for p in sorted(RINGTONES.glob("*.ogg"))
    }
    for path in sorted(MUSIC_ON_HOLD.glob("*.wav")):
        track = _mono(path)
        for offset in MOH_OFFSETS:
            start = round(offset * RATE)
            if start + CLIP_SECONDS * RATE > track.shape[-1]:
                continue  # a track shorter than this window
            clips[f"moh_{path.stem}_{offset:.0f}s"] = track[
                :, start : start + round(CLIP_SECONDS * RATE)
            ]
    return clips


def write_pair(folder: Path, name: str, snr: float, clean: torch.Tensor, noise: torch.Tensor):
    """clean (1, T) mixed with noise (1, T) at `snr` dB, saved as the pair
    folder/{noisy,clean}/<name>_snr<S>.wav (float WAV) that eval_real.sh reads."""
    noisy, _ = mix_at_snr(clean, noise, snr)
    file = f"{name}_snr{snr:g}.wav"
    save_audio(folder / "noisy" / file, noisy, RATE, "FLOAT")
    save_audio(folder / "clean" / file, clean, RATE, "FLOAT")


def write_coloured_pairs(
    out: Path,
    content: str,
    name: str,
    clean: torch.Tensor,
    seed: int,
    key: str,
    index: int,
    snrs: tuple[float, ...] = SNRS,
):
    """clean (1, T) in each of COLOURS at each of `snrs`, as out/<content>_<colour>/ pairs;
    the noise drawn from a generator seeded with (seed, "<key>-<colour>-<SNR>", index)."""
    for colour in COLOURS:
        for snr in snrs:
            rng = item_rng(seed, f"{key}-{colour}-{snr:g}", index)
            generator = torch.Generator().manual_seed(int(rng.integers(2**62)))
            noise = colored_noise(colour, clean.shape[-1], generator)[None]  # (1, T)
            write_pair(out / f"{content}_{colour}", name, snr, clean, noise)


def write_test_sets(out: Path, seed: int = 0, snrs: tuple[float, ...] = SNRS) -> None:
    for content, clips in (("speech", speech_clips(seed)), ("music", music_clips())):
        for index, (name, audio) in enumerate(sorted(clips.items())):
            clean = trim_silence(audio)[:, : round(CLIP_SECONDS * RATE)]  # (1, T)
            write_coloured_pairs(out, content, name, clean, seed, content, index, snrs)
        print(f"{content}: {len(clips)} clips x {len(COLOURS)} colours x {len(snrs)} SNRs")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder for the <content>_<colour> test sets")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--snrs", type=float, nargs="+", default=SNRS, help="input SNRs (dB)")
    args = parser.parse_args()
    missing = sorted({package for folder, package in PACKAGES.items() if not folder.is_dir()})
    if missing:
        print(f"missing Debian packages: apt-get install {' '.join(missing)}", file=sys.stderr)
        return 2
    write_test_sets(args.out, args.seed, tuple(args.snrs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
