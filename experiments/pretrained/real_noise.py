"""The held-out real-noise test: the real recordings of real_recordings.py mixed with recorded
noise that no training run sees, at 0 and 5 dB. Nothing here chooses a setting: it is
measured once a model is made (run.sh), never tuned on.

    python experiments/pretrained/real_noise.py data/real_noise

    babble   3-7 real talkers at once, voices no training file has: Dutch voice acting
             (fillets-ng-data-nl) and a Russian IVR voice (asterisk-core-sounds-ru-wav)
    typing   key clicks at a typist's rhythm from the Model M keys that refine.data.noise_corpus
             keeps out of training (the same keyboard, other keys: the only real keyboard in
             Debian), and qabcs-data's burst of typing on another keyboard
    clatter  household transients at random times: a clock, dice, a zipper, spoons, a jar,
             chalk, paper, a camera, ... (qabcs-data)
    street   a city street, a helicopter and car engines (btanks-data)
    nature   forest, countryside and swamp ambience (btanks-data)
    music    a rock band with real guitars (fretsonfire-songs-muldjord), under speech only

Written into OUT/<content>_<kind>/{noisy,clean}/<name>_snr<S>.wav (float WAV), so
`refine-eval data.source=paired_folders` pairs them by name and bins them by input SNR
(eval_real.sh). Clip i's noise comes from a generator seeded with (seed, content, kind, SNR, i).

    apt-get install alsa-utils asterisk-core-sounds-en-wav asterisk-moh-opsound-wav \
        lomiri-sounds bucklespring-data qabcs-data btanks-data fillets-ng-data-nl \
        asterisk-core-sounds-ru-wav fretsonfire-songs-muldjord
"""

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

from refine.data import noise_makers
from refine.data.noise_corpus import KEYS, Source, held_out_key, load_recordings
from refine.data.prepare import item_rng, trim_silence

sys.path.insert(0, str(Path(__file__).parent))
from real_recordings import (  # noqa: E402
    CLIP_SECONDS,
    PACKAGES,
    RATE,
    SNRS,
    music_clips,
    speech_clips,
    write_pair,
)

QABCS = "/usr/share/qabcs/abcs/all/noises"
CLATTER = (
    "boot button camera_lens chalkboard clock dice jar jug lunchbox newspaper paper_airplane pen "
    "ratchet rubber_ball spoons umbrella vase watch zipper"
).split()
BTANKS = "/usr/share/games/btanks/data/sounds"
FRETSONFIRE = "/usr/share/games/fretsonfire/data/songs/muldjord"
TEST_SOURCES = {
    "babble": (
        Source("fillets-ng-data-nl", "GPL-2+", "/usr/share/games/fillets-ng/sound", "*/nl/*.ogg",
               "Dutch voice acting"),
        Source("asterisk-core-sounds-ru-wav", "CC-BY-3.0",
               "/usr/share/asterisk/sounds/ru_RU_f_IvrvoiceRU", "**/*.wav", "Russian IVR voice"),
    ),
    "typing": (Source("qabcs-data", "GPL-3+", QABCS, "keyboard.ogg", "a burst of typing"),),
    "clatter": tuple(
        Source("qabcs-data", "GPL-3+", QABCS, f"{name}.ogg", name) for name in CLATTER
    ),
    "street": (
        Source("btanks-data", "Battle Tanks licence (GPL-2+ with exception)", BTANKS,
               "ambient/city.ogg", "city street"),
        Source("btanks-data", "Battle Tanks licence", BTANKS, "helicopter.ogg", "helicopter"),
        Source("btanks-data", "Battle Tanks licence", BTANKS, "engine-*.ogg", "engines"),
    ),
    "nature": (
        Source("btanks-data", "Battle Tanks licence", BTANKS, "ambient/[cfs]*.ogg",
               "forest, country, swamp"),
    ),
    "music": (
        Source("fretsonfire-songs-muldjord", "CC-BY-SA-3.0", FRETSONFIRE, "*/song.ogg",
               "a rock band"),
    ),
}  # fmt: skip
KINDS = tuple(TEST_SOURCES)
UNDER_SPEECH_ONLY = ("music",)
EVENTS_PER_SECOND = (1.0, 3.0)  # clatter


def materials() -> dict[str, list[np.ndarray]]:
    """Each kind's recordings at RATE: (T,) arrays."""
    loaded = {}
    for kind, sources in TEST_SOURCES.items():
        shortest = 0.0 if kind == "clatter" else 1.0  # clatter: single events
        loaded[kind] = [
            audio for _, audio, _ in load_recordings(sources, RATE, min_seconds=shortest)
        ]
    clicks = load_recordings([KEYS], RATE, min_seconds=0.0)
    held_keys = [audio for name, audio, _ in clicks if held_out_key(name)]
    loaded["typing_keys"] = held_keys
    loaded["clatter_events"] = [trim_silence(torch.from_numpy(a)[None])[0].numpy()
                                for a in loaded["clatter"]]  # fmt: skip
    return loaded


def make_noise(kind: str, stock: dict, rng: np.random.Generator, length: int) -> torch.Tensor:
    """(1, length) unit-RMS noise of a held-out kind."""
    if kind == "babble":
        return noise_makers.babble(stock["babble"], rng, length, RATE)
    if kind == "typing":
        if rng.random() < 0.5:
            return noise_makers.cut(stock["typing"][0], rng, length)  # the other keyboard
        return noise_makers.typing(stock["typing_keys"], rng, length, RATE)
    if kind == "clatter":
        per_second = rng.uniform(*EVENTS_PER_SECOND)
        return noise_makers.scattered(stock["clatter_events"], rng, length, RATE, per_second)
    pieces = stock[kind]
    return noise_makers.cut(pieces[int(rng.integers(len(pieces)))], rng, length)


def write_test_sets(out: Path, seed: int = 0) -> None:
    stock = materials()
    for content, clips in (("speech", speech_clips(seed)), ("music", music_clips())):
        for kind in KINDS:
            if kind in UNDER_SPEECH_ONLY and content != "speech":
                continue
            for index, (name, audio) in enumerate(sorted(clips.items())):
                clean = trim_silence(audio)[:, : round(CLIP_SECONDS * RATE)]  # (1, T)
                for snr in SNRS:
                    rng = item_rng(seed, f"real-noise-{content}-{kind}-{snr:g}", index)
                    noise = make_noise(kind, stock, rng, clean.shape[-1])  # (1, T)
                    write_pair(out / f"{content}_{kind}", name, snr, clean, noise)
            print(f"{content}_{kind}: {len(clips)} clips x {len(SNRS)} SNRs")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder for the <content>_<kind> test sets")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sources = [s for kind in TEST_SOURCES.values() for s in kind] + [KEYS]
    missing = sorted({s.package for s in sources if not Path(s.root).exists()})
    missing += sorted({p for folder, p in PACKAGES.items() if not folder.is_dir()})
    if missing:
        print(f"missing Debian packages: apt-get install {' '.join(missing)}", file=sys.stderr)
        return 2
    write_test_sets(args.out, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
