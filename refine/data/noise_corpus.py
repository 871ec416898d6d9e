"""Prepare the noise corpus: real recorded noise from Debian packages and noise made from real
material, as mono FLAC files in one folder per kind, beside the clean corpus.

    python -m refine.cli.noise_corpus data/noise [--corpus data/corpus]

    data/noise/babble/babble_0001.flac      2-8 talkers at once (real voices, and the clean
                                            corpus's synthetic ones)
    data/noise/shouts/shouts_0001.flac      2-8 voices at once of short shouted lines (15
                                            voice packs of Hedgewars, none in the babble)
    data/noise/typing/typing_0001.flac      an IBM Model M's key clicks at a typist's rhythm
    data/noise/hum/hum_0001.flac            50/60 Hz mains hum with harmonics, drifting
    data/noise/music/music_0001.flac        the clean corpus's rendered music, as interference
    data/noise/ambience/ambience_0001.flac  recorded ambience: crowds, engines, traffic,
                                            machinery, footsteps, doors, wind, water, fire
    data/noise/events/events_0001.flac      recorded sound events at random times: birds,
                                            crickets, frogs, wolves, farm animals, hammering,
                                            sawing, smithing, falling tools (Widelands)
    data/noise/impacts/impacts_0001.flac    recorded impacts at random times: hits, anvils,
                                            mining, felling, hooves, splashes (MegaGlest)
    data/noise/everyday/everyday_0001.flac  recorded animals and household sounds at random
                                            times: birds, insects, farm and wild animals,
                                            dishes, tools, fireworks, thunder (Tux Paint)
    data/noise/vehicles/vehicles_0001.flac  recorded vehicles at random times: trains, buses,
                                            trucks, planes, horns, a level crossing,
                                            machinery, farm animals, wind (OpenTTD's OpenSFX)
    data/noise/manifest.csv                 file, kind, seconds, source package, licence, what
    data/noise/skipped.csv                  items that could not be made, and why

Training draws these kinds with `data.noise_dir=data/noise data.noise_kinds=[...]` beside the
generated colours (refine.data.datasets.CleanFolderDataset). The packages are listed in
TRAIN_PACKAGES; `make noise-packages` installs them. The held-out test's noise comes from
other packages and from the key clicks that `held_out_key` keeps out of training
(experiments/pretrained/real_noise.py), so no test noise file is seen in training.

Cached and seeded like refine.data.prepare: item i of a kind is a pure function of
(seed, kind, i) and the material it draws from (the installed packages, the clean corpus);
files already in the manifest are kept (a kind with no material this time keeps its earlier
files and rows), in a folder whose record (corpus.json: the seed, the rate and the clean
corpus, `refine.data.corpus_folder`) matches this run's.
"""

import fnmatch
import io
import logging
import os
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
from tqdm import tqdm

from refine.audio import resample, save_audio
from refine.data import noise_makers
from refine.data.corpus_folder import claim_folder, keep_to_manifest, read_rows
from refine.data.prepare import item_rng
from refine.tables import write_csv

log = logging.getLogger("refine.noise_corpus")

RATE = 16000
MANIFEST_COLUMNS = ["file", "kind", "seconds", "source", "licence", "holds"]
SECONDS = 10.0  # each made noise file (babble, typing, hum, music)
AMBIENCE_PIECE = 10.0  # recorded ambience is cut into pieces of at most this many seconds
MIN_SECONDS = 1.0  # shorter recordings are not used
BABBLE_POOL = 400  # utterances loaded for babble (drawn by seed from all sources)
SHOUT_MIN_SECONDS = 0.3  # a game's lines are short: half under a second (shouts)
KEY_HOLDOUT = 5  # one key in KEY_HOLDOUT is kept out of training (held_out_key)


@dataclass(frozen=True)
class Source:
    """Recordings from a Debian package: files matching `pattern` under `root`, or the
    members matching `pattern` of the zip archive `root` (.zip, .pk3 or .wz), less those
    whose path below `root` matches one of the fnmatch patterns in `exclude` (a `*` there
    crosses folders: "symbols/*" leaves out a whole folder, "*_desc*" a kind of file)."""

    package: str
    licence: str
    root: str
    pattern: str
    what: str
    exclude: tuple[str, ...] = ()

    def files(self) -> list[tuple[str, Callable[[], tuple[np.ndarray, int]]]]:
        """[(name, read)] where read() gives ((T,) mono float64, rate); sorted by name."""
        root = Path(self.root)
        if root.suffix == ".cat":  # OpenTTD's sound archive: patterns match the sounds' titles
            titled = [(title, wav) for title, wav in cat_sounds(root) if fnmatch.fnmatchcase(
                title, self.pattern) and not self._excluded(title)]  # fmt: skip
            return [(f"{root.name}:{title}", _bytes_reader(wav)) for title, wav in sorted(titled)]
        if root.suffix in (".zip", ".pk3", ".wz"):
            with zipfile.ZipFile(root) as archive:
                names = sorted(n for n in archive.namelist() if Path(n).match(self.pattern))
            kept = [n for n in names if not self._excluded(n)]
            return [(f"{root.name}:{name}", _zip_reader(root, name)) for name in kept]
        paths = sorted(root.glob(self.pattern))
        kept = [p for p in paths if not self._excluded(p.relative_to(root).as_posix())]
        return [(str(p), _file_reader(p)) for p in kept]

    def _excluded(self, relative: str) -> bool:
        return any(fnmatch.fnmatchcase(relative, pattern) for pattern in self.exclude)


def _file_reader(path: Path):
    return lambda: _mono(*sf.read(path, dtype="float64", always_2d=True))


def _zip_reader(archive: Path, name: str):
    def read():
        with zipfile.ZipFile(archive) as opened:
            return _mono(*sf.read(io.BytesIO(opened.read(name)), dtype="float64", always_2d=True))

    return read


def _bytes_reader(wav: bytes):
    return lambda: _mono(*sf.read(io.BytesIO(wav), dtype="float64", always_2d=True))


def cat_sounds(archive: Path) -> list[tuple[str, bytes]]:
    """[(title, WAV file's bytes)] of an OpenTTD sound archive (.cat), in its order, less
    its empty placeholders. The archive opens with a table of (offset, size) pairs, uint32
    little-endian (an offset's top bit is a flag), the first offset marking the table's end;
    each entry is a name's length (one byte), the name, then a RIFF WAV file. Names read
    '"Title". By ... License: ...': the title is what the quotes hold."""
    data = archive.read_bytes()
    count = (int.from_bytes(data[:4], "little") & 0x7FFFFFFF) // 8
    sounds = []
    for entry in range(count):
        offset, size = struct.unpack_from("<II", data, 8 * entry)
        offset &= 0x7FFFFFFF
        name_length = data[offset]
        name = data[offset + 1 : offset + 1 + name_length].rstrip(b"\0").decode("latin-1")
        wav = data[offset + 1 + name_length : offset + size]
        if wav[:4] != b"RIFF":  # a placeholder with no sound ("Unused/Nothing")
            continue
        title = name.split('"')[1] if name.count('"') >= 2 else name
        sounds.append((title, wav))
    return sounds


def _mono(data: np.ndarray, rate: int) -> tuple[np.ndarray, int]:
    return data.mean(1), rate


SPEECH = (
    Source(
        "fillets-ng-data-cs", "GPL-2+", "/usr/share/games/fillets-ng/sound", "*/cs/*.ogg",
        "Czech voice acting (Fish Fillets NG)",
    ),
    Source(
        "asterisk-core-sounds-fr-wav", "CC-BY-SA-3.0", "/usr/share/asterisk/sounds/fr_CA_f_June",
        "**/*.wav", "June Wallack's French prompts (8 kHz)",
    ),
    Source(
        "asterisk-core-sounds-it-wav", "CC-BY-SA-3.0", "/usr/share/asterisk/sounds/it_IT_m_Carlo",
        "**/*.wav", "Carlo Flora's Italian prompts (8 kHz)",
    ),
)  # fmt: skip
# Hedgewars' voice packs: about 60 short lines each ("Yessir", "Kamikaze", taunts), British,
# Russian, Ukrainian, Polish and Spanish voices among them, read by other people than any
# voice of the babble's sources.
SHOUTS = Source(
    "hedgewars-data", "GFDL-1.3", "/usr/share/games/hedgewars/Data/Sounds/voices", "*/*.ogg",
    "Hedgewars' 15 voice packs: short shouted game lines",
)  # fmt: skip
KEYS = Source(
    "bucklespring-data", "GPL-2+", "/usr/share/buckle/wav", "*.wav",
    "IBM Model M key presses and releases",
)  # fmt: skip
AMBIENCE = (
    Source(
        "ufoai-sound", "GPL-2+/CC-BY-SA-3.0/public domain (per file)",
        "/usr/share/games/ufoai/base/0snd.pk3", "sound/ambience/*.ogg",
        "UFO:AI ambience: machinery, hum, pumps, wind, water, fire, city",
    ),
    Source(
        "ufoai-sound", "GPL-2+/CC-BY-SA-3.0/public domain (per file)",
        "/usr/share/games/ufoai/base/0snd.pk3", "sound/footsteps/*.ogg", "UFO:AI footsteps",
    ),
    Source(
        "etw-data", "GPL-2+", "/usr/share/games/etw", "**/crowd*.wav", "stadium crowd",
    ),
    Source(
        "lincity-ng-data", "GPL-2+", "/usr/share/games/lincity-ng/sounds", "*.wav",
        "city ambience: traffic, rail, markets, crowds, industry (11 kHz)",
    ),
    Source(
        "searchandrescue-data", "GPL-2+", "/usr/share/games/searchandrescue/sounds",
        "**/*engine*.wav", "helicopter and jet engines (11 kHz)",
    ),
    Source(
        "minetest-data", "CC-BY-SA-3.0/CC0 (per file)", "/usr/share/games/minetest/games",
        "**/sounds/*.ogg", "footsteps, doors, digging, water, fire",
    ),
)  # fmt: skip
EVENTS = Source(
    "widelands-data", "GPL-2+ (per file: the package's data/sound/wl-sound-docu.csv)",
    "/usr/share/games/widelands/data/sound", "**/*.ogg",
    "Widelands sound events: birds, crickets, frogs, wolves, farm animals, hammering, sawing, "
    "smithing, falling tools, taverns",
)  # fmt: skip
_MEGAGLEST_SOUNDS = "/usr/share/games/megaglest/techs/megapack/commondata/sounds"
IMPACTS = tuple(
    Source("megaglest-data", "CC-BY-SA-3.0", _MEGAGLEST_SOUNDS, pattern, what)
    for pattern, what in (
        ("air_hit*", "MegaGlest hits from the air"),
        ("arrow_hit*", "MegaGlest arrows striking"),
        ("catapult_hit*", "MegaGlest catapult stones striking"),
        ("tower_hit*", "MegaGlest towers struck"),
        ("*_walk*", "MegaGlest footsteps of horses, golems and catapults"),
        ("anvil*", "MegaGlest anvil strokes"),
        ("worker_[bhmw]*", "MegaGlest work: building, felling, mining"),
        ("technician_build*", "MegaGlest building work"),
        ("tech_building_fall*", "MegaGlest falling buildings"),
    )
) + (
    Source(
        "megaglest-data", "CC-BY-SA-3.0", "/usr/share/games/megaglest/data/core/water_sounds",
        "*.wav", "MegaGlest splashes",
    ),
)  # fmt: skip
# Tux Paint's stamps, less their spoken descriptions and letters, instruments and voices.
EVERYDAY = Source(
    "tuxpaint-stamps-default", "GPL-2", "/usr/share/tuxpaint/stamps", "**/*.ogg",
    "Tux Paint stamps' sounds: animals, birds, insects, household objects, tools, fireworks, "
    "thunder, a fire engine",
    exclude=("*_desc*", "symbols/*", "hobbies/music/*", "town/roadsigns/*", "military/*",
             "space/*", "seasonal/hanukkah/*", "seasonal/christmas/santahat*",
             "seasonal/halloween/ghost*"),
)  # fmt: skip
# OpenTTD's sounds, less its cartoon Toyland mixes, jingles, tones and crowds' voices.
VEHICLES = Source(
    "openttd-opensfx", "CC-BY-SA-3.0 (per sound: CC-BY-3.0, CC-BY-SA-3.0 or CC0, in its title)",
    "/usr/share/games/openttd/baseset/opensfx/opensfx.cat", "*",
    "OpenTTD's OpenSFX: trains, buses, trucks, planes, a helicopter, ships' horns, a level "
    "crossing, a car horn, crashes, machinery, a jackhammer, a chainsaw, farm animals, wind",
    exclude=("Toyland:*", "Good Year", "Bad Year", "Beep", "Morse", "Applause", "Oooh sound"),
)  # fmt: skip
EVENTS_PER_SECOND = (0.5, 4.0)  # the scattered kinds' rate, drawn per file


def scattered_sources() -> dict[str, tuple[Source, ...]]:
    """{kind: its sources} of the kinds made of recordings at random times (looked up when
    called, as train_sources)."""
    return {
        "events": (EVENTS,), "impacts": IMPACTS, "everyday": (EVERYDAY,), "vehicles": (VEHICLES,)
    }  # fmt: skip


SCATTERED = tuple(scattered_sources())


def train_sources() -> tuple[Source, ...]:
    """Every source the training noise is read from (looked up when called, so that a test's
    stand-ins for them count)."""
    scattered = [source for sources in scattered_sources().values() for source in sources]
    return (*SPEECH, SHOUTS, KEYS, *AMBIENCE, *scattered)


TRAIN_PACKAGES = sorted({s.package for s in train_sources()})
KINDS = ("babble", "shouts", "typing", "hum", "music", *SCATTERED, "ambience")
# Made files per kind (ambience: every recording, cut).
COUNTS = {"babble": 200, "shouts": 120, "typing": 120, "hum": 60, "music": 120, "events": 120,
          "impacts": 120, "everyday": 120, "vehicles": 120}  # fmt: skip
MADE = {
    "babble": "2-8 talkers at once",
    "shouts": "2-8 voices at once of short shouted lines",
    "typing": "key clicks at a typist's rhythm (training keys)",
    "hum": "50/60 Hz mains hum with harmonics",
    "music": "rendered music as interference",
    "events": "recorded sound events at random times",
    "impacts": "recorded impacts and work sounds at random times",
    "everyday": "recorded animals and household sounds at random times",
    "vehicles": "recorded vehicles, horns and machinery at random times",
}


def held_out_key(name: str) -> bool:
    """Whether a bucklespring clip (<scancode>-<0 press|1 release>.wav) belongs to a key kept
    out of training: one scancode in KEY_HOLDOUT, by a hash, both its press and release."""
    scancode = Path(name).stem.split("-")[0]
    return zlib.crc32(scancode.encode()) % KEY_HOLDOUT == 0


def load_recordings(
    sources, rate: int, rng=None, limit: int | None = None, min_seconds: float = MIN_SECONDS
) -> list:
    """[(name, (T,) float64 at `rate`, source)] of the sources' recordings at least
    `min_seconds` long and not silent; with `limit`, that many drawn by rng (the babble pool).
    Missing packages are skipped with a log line."""
    listed = []
    for source in sources:
        if not Path(source.root).exists():
            log.warning("%s missing: apt-get install %s", source.root, source.package)
            continue
        listed += [(name, read, source) for name, read in source.files()]
    if limit is not None and len(listed) > limit:
        listed = [listed[i] for i in sorted(rng.choice(len(listed), limit, replace=False))]
    loaded = []
    for name, read, source in tqdm(listed, desc="reading recordings", unit="file", leave=False):
        audio, own_rate = read()
        audio = resample(torch.from_numpy(audio)[None], own_rate, rate)[0].numpy()
        if len(audio) >= min_seconds * rate and np.abs(audio).max() > 0:
            loaded.append((name, audio, source))
    return loaded


def corpus_files(corpus: Path | None, part: str, rate: int, rng, limit: int) -> list:
    """[(name, (T,) at rate, None)] of up to `limit` files of the clean corpus's `part`."""
    if corpus is None or not (corpus / part).is_dir():
        return []
    paths = sorted((corpus / part).glob("*.flac"))
    if len(paths) > limit:
        paths = [paths[i] for i in sorted(rng.choice(len(paths), limit, replace=False))]
    return [(str(p), _load(p, rate), None) for p in paths]


def _load(path: Path, rate: int) -> np.ndarray:
    audio, own_rate = _mono(*sf.read(path, dtype="float64", always_2d=True))
    return resample(torch.from_numpy(audio)[None], own_rate, rate)[0].numpy()


def make_item(kind: str, rng: np.random.Generator, materials: dict, rate: int) -> torch.Tensor:
    """Item of `kind` (babble, shouts, typing, hum, music or a SCATTERED kind) drawn by rng
    from the materials ({kind: [(T,) recordings at rate]}): (1, SECONDS·rate), unit RMS."""
    length = round(SECONDS * rate)
    if kind in ("babble", "shouts"):
        return noise_makers.babble(materials[kind], rng, length, rate)
    if kind == "typing":
        return noise_makers.typing(materials["typing"], rng, length, rate)
    if kind == "hum":
        return noise_makers.mains_hum(rng, length, rate)
    if kind == "music":
        pieces = materials["music"]
        return noise_makers.cut(pieces[int(rng.integers(len(pieces)))], rng, length)
    if kind in SCATTERED:
        per_second = rng.uniform(*EVENTS_PER_SECOND)
        return noise_makers.scattered(materials[kind], rng, length, rate, per_second)
    raise ValueError(
        f"unknown made noise kind {kind!r}: babble, shouts, typing, hum, music, "
        f"{', '.join(SCATTERED)}"
    )


def gather_materials(corpus: Path | None, seed: int, rate: int) -> tuple[dict, dict]:
    """({kind: [(T,) recordings]}, {kind: [where they come from]}) for the made kinds."""
    pool = item_rng(seed, "babble-pool", 0)
    speech = load_recordings(SPEECH, rate, pool, BABBLE_POOL)
    speech += corpus_files(corpus, "speech", rate, pool, BABBLE_POOL // 2)
    shouts = load_recordings([SHOUTS], rate, min_seconds=SHOUT_MIN_SECONDS)
    clicks = load_recordings([KEYS], rate, min_seconds=0.0)  # each a fraction of a second
    keys = [key for key in clicks if not held_out_key(key[0])]
    music = corpus_files(corpus, "music", rate, item_rng(seed, "music-pool", 0), 80)
    loaded = {"babble": speech, "shouts": shouts, "typing": keys, "hum": [], "music": music}
    for kind, sources in scattered_sources().items():  # many recordings under a second
        loaded[kind] = load_recordings(sources, rate, min_seconds=0.0)
    materials = {kind: [audio for _, audio, _ in items] for kind, items in loaded.items()}
    origins = {
        kind: sorted({"clean corpus" if source is None else source.package for *_, source in items})
        for kind, items in loaded.items()
    }
    return materials, origins | {"hum": ["generated"]}


def prepare_noise(out: Path, corpus: Path | None, seed: int = 0, rate: int = RATE) -> Path:
    """Write the noise corpus (see the module docstring); returns the manifest's path."""
    clean = None if corpus is None else os.path.normpath(corpus)
    settings = {"seed": seed, "sample_rate": rate, "clean_corpus": clean}
    claim_folder(out, "noise", settings, MANIFEST_COLUMNS)
    manifest_path = out / "manifest.csv"
    previous = read_rows(manifest_path)
    materials, origins = gather_materials(corpus, seed, rate)
    rows = []
    for kind, count in COUNTS.items():
        if kind != "hum" and not materials[kind]:
            log.warning("no material for %s noise: skipped (see the warnings above)", kind)
            continue
        for index in tqdm(range(count), desc=kind, unit="file"):
            name = f"{kind}/{kind}_{index + 1:04d}.flac"
            if (out / name).is_file() and name in previous:
                rows.append(previous[name])
                continue
            audio = make_item(kind, item_rng(seed, kind, index), materials, rate)
            rows.append(_write(out, name, audio, rate, kind, origins[kind], MADE[kind]))
    rows = keep_to_manifest(out, rows + _ambience(out, previous, rate), previous)
    write_csv(manifest_path, rows, MANIFEST_COLUMNS)
    minutes = {k: sum(float(r["seconds"]) for r in rows if r["kind"] == k) / 60 for k in KINDS}
    summary = ", ".join(f"{kind} {m:.1f} min" for kind, m in minutes.items())
    log.info("%d files in %s (%s)", len(rows), out, summary)
    return manifest_path


def _licence(sources: list[str]) -> str:
    """The licences of the packages a file was made from."""
    packages = {s.package: s.licence for s in train_sources()}
    named = {"generated": "generated here", "clean corpus": "the clean corpus (its manifest)"}
    return "; ".join(f"{p}: {packages[p]}" if p in packages else named[p] for p in sources)


def _write(out: Path, name: str, audio, rate: int, kind: str, sources: list[str], holds: str):
    """Save one noise file (peak at half scale: the mixing sets the level); its manifest row."""
    audio = audio * (0.5 / max(1e-9, audio.abs().max().item()))
    save_audio(out / name, audio, rate, "PCM_16")
    return {
        "file": name,
        "kind": kind,
        "seconds": round(audio.shape[-1] / rate, 2),
        "source": ", ".join(sources),
        "licence": _licence(sources),
        "holds": holds,
    }


def _ambience(out: Path, previous: dict, rate: int) -> list[dict]:
    """Every ambience recording, cut into pieces of at most AMBIENCE_PIECE seconds."""
    rows, index = [], 0
    piece = round(AMBIENCE_PIECE * rate)
    for name, recording, source in load_recordings(AMBIENCE, rate):
        for start in range(0, len(recording), piece):
            part = recording[start : start + piece]
            if len(part) < MIN_SECONDS * rate or not np.abs(part).max() > 0:
                continue
            index += 1
            file = f"ambience/ambience_{index:04d}.flac"
            if (out / file).is_file() and file in previous:
                rows.append(previous[file])
                continue
            what = f"{source.what}: {Path(name.split(':')[-1]).name} from {start / rate:.0f} s"
            noise = noise_makers.unit_rms(part)
            rows.append(_write(out, file, noise, rate, "ambience", [source.package], what))
    return rows
