"""Produced, recorded music for the clean corpus: the `soundtracks` part of refine.cli.prepare.

Every other clean music file is made here: General MIDI renders of music21's scores
(fluidsynth) and the synthetic generator. The real music a model meets (and the held-out
tests' ringtones and music on hold, experiments/pretrained) is produced: mixed, mastered,
orchestral or electronic. These are games' soundtracks from Debian packages, each track cut
into pieces of at most MUSIC_SECONDS as the renders are, from packages that no test reads.
"""

from pathlib import Path

from refine.data.noise_corpus import Source, load_recordings
from refine.data.prepare import MUSIC_SECONDS, item_rng

SOUNDTRACKS = (
    Source(
        "widelands-data", "GPL-2+ (ingame_24-26: CC-BY-SA-3.0)",
        "/usr/share/games/widelands/data/music", "*.ogg", "Widelands' soundtrack (orchestral)",
    ),
    Source(
        "fillets-ng-data", "GPL-2+", "/usr/share/games/fillets-ng/music", "*.ogg",
        "Fish Fillets NG's soundtrack",
    ),
    Source(
        "lincity-ng-data", "GPL-2+", "/usr/share/games/lincity-ng/music", "*.ogg",
        "LinCity-NG's soundtrack",
    ),
)  # fmt: skip
PACKAGES = sorted({source.package for source in SOUNDTRACKS})
MIN_PIECE_SECONDS = 10.0  # a track's last piece is kept when at least this long


def soundtrack_pieces(seed: int, rate: int) -> list:
    """[((T,) float64 at `rate`, what it holds)] of every installed SOUNDTRACKS track cut into
    consecutive pieces of MUSIC_SECONDS (the last kept when MIN_PIECE_SECONDS or longer), in
    an order drawn by `seed` (item i of the corpus's soundtracks is the i-th); "what" names
    the track, where the piece starts, its package and licence, for the manifest."""
    piece, shortest = round(MUSIC_SECONDS * rate), round(MIN_PIECE_SECONDS * rate)
    pieces = []
    for name, audio, source in load_recordings(SOUNDTRACKS, rate):
        for start in range(0, len(audio), piece):
            part = audio[start : start + piece]
            if len(part) >= shortest:
                what = f"{source.what}: {Path(name).name} from {start // rate} s"
                pieces.append((part, f"{what} ({source.package}, {source.licence})"))
    order = item_rng(seed, "soundtracks-order", 0).permutation(len(pieces))
    return [pieces[i] for i in order]
