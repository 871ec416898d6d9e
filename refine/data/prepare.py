"""Prepare the shipped model's clean training corpus: rendered music, synthetic speech,
synthetic music and (when asked) recorded speech and produced music, as mono FLAC files, one
folder per kind.

    python -m refine.cli.prepare data/corpus [--music 240] [--speech 600] [--synth 240]
                                             [--voices 0] [--soundtracks 0]

    data/corpus/music/music_0001.flac    music21 scores played by fluidsynth (refine.data.scores)
    data/corpus/speech/speech_0001.flac  sentences spoken by espeak-ng / flite (refine.data.speech)
    data/corpus/synth/synth_0001.flac    the synthetic music generator (refine.data.synth)
    data/corpus/voices/voices_0001.flac  recorded human speech from Debian packages
                                         (refine.data.voices; the manifest names each licence)
    data/corpus/soundtracks/soundtracks_0001.flac  30 s of a game's recorded soundtrack
                                         (refine.data.soundtracks; licences in the manifest)
    data/corpus/manifest.csv             file, kind, seconds and what each file holds
    data/corpus/skipped.csv              items that could not be made, and why
    data/corpus/corpus.json              the seed and rate it was made with

The command is cached: a file already there is kept, and an item in skipped.csv is not
tried again, so an interrupted preparation resumes and a finished one returns at once. A
rerun with a smaller count deletes the kind's files beyond it (training reads the folder,
not the manifest); the kinds it does not ask for (a count of 0) keep their files and rows,
so the corpus grows part by part. A folder made with another seed or rate, or holding
anything but this corpus, is refused (`refine.data.corpus_folder`), so that no file is
reused for what it is not or overwritten. Item i of a kind is a pure function of (seed,
kind, i), so the corpus is the same on every machine with the same package versions. The
noise is not stored: training mixes white, pink, brown and mixed noise in on the fly
(data=clean_folders).
"""

import logging
import zlib
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from refine.audio import save_audio
from refine.data.corpus_folder import claim_folder, keep_to_manifest, read_rows
from refine.data.scores import corpus_scores, render_score
from refine.data.sentences import utterance
from refine.data.speech import speak
from refine.data.synth import synth_music
from refine.tables import write_csv

log = logging.getLogger("refine.prepare")

SILENCE_DB = -50.0  # leading and trailing audio this far below the peak is trimmed
MIN_SECONDS = 1.0  # shorter items (after trimming) are dropped
MUSIC_SECONDS = 30.0  # each rendered piece's opening, at most
SYNTH_SECONDS = 8.0
MANIFEST_COLUMNS = ["file", "kind", "seconds", "holds"]


def item_rng(seed: int, kind: str, index: int) -> np.random.Generator:
    """The generator of item `index` of `kind`: independent of every other item."""
    return np.random.default_rng([seed, zlib.crc32(kind.encode()), index])


def trim_silence(audio: torch.Tensor) -> torch.Tensor:
    """(1, T) -> (1, T'): without the leading and trailing samples SILENCE_DB below the peak."""
    loud = (audio.abs() > audio.abs().max() * 10 ** (SILENCE_DB / 20)).any(0).nonzero()
    return audio[:, loud[0] : loud[-1] + 1] if len(loud) else audio[:, :0]


def make_item(
    kind: str, index: int, seed: int, rate: int, scores: list[Path], recorded: dict | None = None
):
    """Item `index` of `kind`, drawn from item_rng(seed, kind, index): ((1, T) audio at
    `rate`, what it holds). Music plays scores[index] (corpus_scores' order); a recorded kind
    (voices, soundtracks) is recorded[kind][index] (refine.data.voices.voice_recordings,
    refine.data.soundtracks.soundtrack_pieces: ((T,) audio at `rate`, what))."""
    if recorded and kind in recorded:
        audio, description = recorded[kind][index]
        return torch.from_numpy(audio).float()[None], description
    rng = item_rng(seed, kind, index)
    if kind == "music":
        return render_score(scores[index % len(scores)], rng, rate, MUSIC_SECONDS)
    if kind == "speech":
        text = utterance(rng, sentences=int(rng.integers(1, 4)))
        audio, voice = speak(rng, text, rate)
        return audio, f"{voice}: {text}"
    if kind == "synth":
        generator = torch.Generator().manual_seed(int(rng.integers(2**62)))
        return synth_music(round(SYNTH_SECONDS * rate), rate, generator)[None], "synth_music"
    raise ValueError(
        f"unknown corpus kind {kind!r}: music, speech, synth, or voices or soundtracks (recorded)"
    )


def prepare(
    out: Path,
    counts: dict[str, int],
    seed: int = 0,
    sample_rate: int = 16000,
    recorded: dict[str, list] | None = None,
) -> Path:
    """Write the corpus (see the module docstring); returns the manifest's path. recorded:
    {kind: the recordings its items are} for the recorded kinds (voices:
    refine.data.voices.voice_recordings, soundtracks: refine.data.soundtracks.
    soundtrack_pieces), at most as many items as there are recordings."""
    claim_folder(out, "clean", {"seed": seed, "sample_rate": sample_rate}, MANIFEST_COLUMNS)
    manifest_path, skipped_path = out / "manifest.csv", out / "skipped.csv"
    previous, previously_skipped = read_rows(manifest_path), read_rows(skipped_path)
    scores = corpus_scores(item_rng(seed, "music-order", 0)) if counts.get("music") else []
    recorded = recorded or {}
    for kind in ("voices", "soundtracks"):
        installed = len(recorded.get(kind, []))
        if installed < counts.get(kind, 0):
            log.warning("%d %s asked, %d recordings installed", counts[kind], kind, installed)
            counts = counts | {kind: installed}
    rows, failed = [], []
    for kind, count in counts.items():
        digits = max(4, len(str(count)))
        for index in tqdm(range(count), desc=kind, unit="file"):
            name = f"{kind}/{kind}_{index + 1:0{digits}d}.flac"
            if (out / name).is_file() and name in previous:
                rows.append(previous[name])
                continue
            if name in previously_skipped:  # the same draw would fail the same way
                failed.append(previously_skipped[name])
                continue
            try:
                audio, description = make_item(kind, index, seed, sample_rate, scores, recorded)
            except Exception as error:  # a score music21 cannot parse, a synthesiser failure
                reason = f"{type(error).__name__}: {str(error)[:120]}"
                failed.append({"file": name, "reason": reason})
                continue
            audio = trim_silence(audio)
            if audio.shape[-1] < MIN_SECONDS * sample_rate:
                reason = f"shorter than {MIN_SECONDS} s after trimming silence"
                failed.append({"file": name, "reason": reason})
                continue
            audio = audio * min(1.0, 0.99 / audio.abs().max().item())  # no clipping
            save_audio(out / name, audio, sample_rate, "PCM_16")
            seconds = round(audio.shape[-1] / sample_rate, 2)
            rows.append({"file": name, "kind": kind, "seconds": seconds, "holds": description})
    rows = keep_to_manifest(out, rows, previous)
    write_csv(manifest_path, rows, MANIFEST_COLUMNS)
    write_csv(skipped_path, failed, ["file", "reason"])
    for row in failed:
        log.warning("skipped %s: %s", row["file"], row["reason"])
    kinds = dict.fromkeys(row["kind"] for row in rows)
    hours = {k: sum(float(r["seconds"]) for r in rows if r["kind"] == k) / 3600 for k in kinds}
    log.info(
        "%d files in %s (%s); %d skipped",
        len(rows),
        out,
        ", ".join(f"{kind} {h:.2f} h" for kind, h in hours.items()),
        len(failed),
    )
    return manifest_path
