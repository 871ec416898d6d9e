"""Held-in test sets: the training corpora's own speech in the noise corpus's own noise, to
tell a noise kind that a model has not learned from one it has learned but does not carry
to recordings it never heard (the held-out test, real_noise.py); and the corpus's rendered
music in white and pink noise, to look at a model's behaviour past T on music without
looking at the real recordings.

    python experiments/pretrained/held_in.py data/held_in

    synthetic/speech_<kind>  the clean corpus's synthetic speech (espeak-ng, flite)
    recorded/speech_<kind>   the clean corpus's recorded speech (refine.data.voices)
    music_noise/music_<kind> the clean corpus's rendered scores (fluidsynth)
    soundtracks_noise/music_<kind>  its produced soundtracks (refine.data.soundtracks),
                             where the corpus has them
    music/music_<colour>     the same scores in white and pink noise made as
                             real_recordings.py makes it

in babble, typing and ambience from data/noise, at 0 and 5 dB: CLIPS files of each, drawn by
seed, at most CLIP_SECONDS (music_noise: to ask whether music under the training babble is
removed, where music under the held-out babble is not). Written as real_noise.py writes
(noisy/ and clean/ WAV pairs) for eval_real.sh. The files are training material: a model has
heard each noise recording (and the new model each voice, every model each score), though
not these mixtures.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

from refine.audio import load_audio
from refine.data import noise_makers
from refine.data.prepare import item_rng, trim_silence

sys.path.insert(0, str(Path(__file__).parent))
from real_recordings import (  # noqa: E402
    CLIP_SECONDS,
    COLOURS,
    RATE,
    SNRS,
    write_coloured_pairs,
    write_pair,
)

CLIPS = 16
TARGETS = {"synthetic": "speech", "recorded": "voices"}  # set folder: clean corpus subfolder
KINDS = ("babble", "typing", "ambience")


def drawn_files(folder: Path, rng: np.random.Generator, count: int) -> list[Path]:
    files = sorted(folder.glob("*.flac"))
    return [files[i] for i in sorted(rng.choice(len(files), count, replace=False))]


def write_sets(out: Path, corpus: Path, noise: Path, seed: int = 0) -> None:
    noises = {kind: sorted((noise / kind).glob("*.flac")) for kind in KINDS}
    for target, part in TARGETS.items():
        clips = drawn_files(corpus / part, item_rng(seed, f"held-in-{target}", 0), CLIPS)
        for kind in KINDS:
            write_in_noise(out / target / f"speech_{kind}", clips, noises[kind],
                           f"held-in-{target}-{kind}", seed)  # fmt: skip
            print(f"{target}/speech_{kind}: {len(clips)} clips x {len(SNRS)} SNRs")
    write_music_sets(out / "music", corpus, seed)
    write_music_in_noise(out / "music_noise", corpus / "music", noises, "held-in-music", seed)
    if (corpus / "soundtracks").is_dir():
        write_music_in_noise(out / "soundtracks_noise", corpus / "soundtracks", noises,
                             "held-in-soundtracks", seed)  # fmt: skip


def write_music_in_noise(out: Path, music_folder: Path, noises: dict[str, list[Path]],
                         key: str, seed: int) -> None:  # fmt: skip
    """CLIPS files of `music_folder` in each of KINDS: out/music_<kind>."""
    music = drawn_files(music_folder, item_rng(seed, key, 0), CLIPS)
    for kind in KINDS:
        write_in_noise(out / f"music_{kind}", music, noises[kind], f"{key}-{kind}", seed)
        print(f"{out.name}/music_{kind}: {len(music)} clips x {len(SNRS)} SNRs")


def write_in_noise(folder: Path, clips: list[Path], noises: list[Path], key: str, seed: int):
    """Each clip (trimmed, at most CLIP_SECONDS) in a window of one of `noises` at each SNR,
    the noise drawn from (seed, "<key>-<SNR>", clip index)."""
    for index, path in enumerate(clips):
        clean = trim_silence(load_audio(path, RATE)[0])[:, : round(CLIP_SECONDS * RATE)]
        for snr in SNRS:
            rng = item_rng(seed, f"{key}-{snr:g}", index)
            recording = load_audio(noises[rng.integers(len(noises))], RATE)
            noise = noise_makers.cut(recording[0][0].double().numpy(), rng, clean.shape[-1])
            write_pair(folder, path.stem, snr, clean, noise.to(clean))


def write_music_sets(out: Path, corpus: Path, seed: int) -> None:
    clips = drawn_files(corpus / "music", item_rng(seed, "held-in-music", 0), CLIPS)
    for index, path in enumerate(clips):
        clean = trim_silence(load_audio(path, RATE)[0])[:, : round(CLIP_SECONDS * RATE)]
        write_coloured_pairs(out, "music", path.stem, clean, seed, "held-in-music", index)
    print(f"music/music_<colour>: {len(clips)} clips x {len(COLOURS)} colours x {len(SNRS)} SNRs")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder for the <target>/<content>_<noise> sets")
    parser.add_argument("--corpus", type=Path, default=Path("data/corpus"))
    parser.add_argument("--noise", type=Path, default=Path("data/noise"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    needed = [args.corpus / part for part in (*TARGETS.values(), "music")]
    needed += [args.noise / kind for kind in KINDS]
    missing = [str(folder) for folder in needed if not folder.is_dir()]
    if missing:
        print(f"missing {', '.join(missing)}: run python -m refine.cli.prepare "
              f"{args.corpus} --voices 400 and python -m refine.cli.noise_corpus {args.noise}",
              file=sys.stderr)  # fmt: skip
        return 2
    write_sets(args.out, args.corpus, args.noise, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
