"""Rendered music: scores from music21's corpus played by fluidsynth with a General MIDI
soundfont, so the training corpus holds sampled instruments without downloads.

music21 (PyPI) ships about 3000 scores: Bach chorales, Palestrina masses, Monteverdi
madrigals, string quartets, folk tunes. Each piece is re-orchestrated at random: every part
gets a General MIDI instrument drawn from INSTRUMENTS, the tempo is drawn, and fluidsynth
renders it with its default reverb and chorus (the FluidR3 soundfont holds recorded
instrument samples). Pieces are picked round-robin over composers, so 1300 Palestrina
masses do not drown the rest.

    apt-get install fluidsynth fluid-soundfont-gm; pip install music21
"""

import shutil
import subprocess
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch

SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
SCORE_SUFFIXES = (".mxl", ".xml", ".musicxml", ".krn", ".abc")
SKIPPED_FOLDERS = ("demos", "theoryExercises", "leadSheet")  # layout tests, exercises, chords
INSTRUMENTS = {  # General MIDI program (0-based): name
    0: "grand piano", 1: "bright piano", 4: "electric piano", 6: "harpsichord",
    8: "celesta", 11: "vibraphone", 12: "marimba", 16: "drawbar organ", 19: "church organ",
    21: "accordion", 24: "nylon guitar", 25: "steel guitar", 26: "jazz guitar",
    27: "clean electric guitar", 32: "acoustic bass", 33: "finger bass", 40: "violin",
    41: "viola", 42: "cello", 43: "contrabass", 45: "pizzicato strings", 46: "harp",
    48: "string ensemble", 52: "choir aahs", 56: "trumpet", 57: "trombone", 60: "french horn",
    61: "brass section", 64: "soprano sax", 65: "alto sax", 66: "tenor sax", 68: "oboe",
    70: "bassoon", 71: "clarinet", 73: "flute", 74: "recorder", 75: "pan flute",
    104: "sitar", 105: "banjo", 108: "kalimba",
}  # fmt: skip
TEMPO_RANGE = (60, 150)  # quarter notes per minute
GAIN = 0.4  # fluidsynth master gain: loud enough, rarely clipping with four parts


def missing_music_tools() -> list[str]:
    """The packages the rendered-music corpus needs that are not installed."""
    missing = [] if shutil.which("fluidsynth") else ["fluidsynth (apt)"]
    if not SOUNDFONT.is_file():
        missing.append("fluid-soundfont-gm (apt)")
    try:
        import music21  # noqa: F401
    except ImportError:
        missing.append("music21 (pip)")
    return missing


def corpus_scores(rng: np.random.Generator) -> list[Path]:
    """Every score in music21's corpus, shuffled by rng within each composer folder, then
    interleaved round-robin over composers."""
    from music21 import common, corpus

    by_composer = defaultdict(list)
    for path in sorted(corpus.getPaths()):
        composer = path.relative_to(common.getCorpusFilePath()).parts[0]
        if path.suffix in SCORE_SUFFIXES and composer not in SKIPPED_FOLDERS:
            by_composer[composer].append(path)
    queues = []
    for composer in sorted(by_composer):
        paths = by_composer[composer]
        queues.append([paths[i] for i in rng.permutation(len(paths))])
    ordered = []
    for turn in range(max(len(queue) for queue in queues)):
        ordered += [queue[turn] for queue in queues if turn < len(queue)]
    return ordered


def _orchestrate(score, rng: np.random.Generator) -> tuple[int, list[str]]:
    """Give every part a drawn instrument and the piece a drawn tempo: (bpm, instruments)."""
    from music21 import instrument, tempo

    programs = list(INSTRUMENTS)
    names = []
    for part in score.parts:
        for old in list(
            part.recurse().getElementsByClass((instrument.Instrument, "MetronomeMark"))
        ):
            old.activeSite.remove(old)
        program = programs[rng.integers(len(programs))]
        part.insert(0, instrument.instrumentFromMidiProgram(program))
        names.append(INSTRUMENTS[program])
    bpm = int(rng.integers(*TEMPO_RANGE))
    for part in score.parts:
        part.insert(0, tempo.MetronomeMark(number=bpm))
    return bpm, names


def _opening(score, quarters: float):
    """The measures that hold the first `quarters` quarter notes (fluidsynth renders all it
    gets, and a whole quartet takes minutes)."""
    bar = score.parts[0].recurse().getElementsByClass("TimeSignature").first()
    bar_quarters = bar.barDuration.quarterLength if bar is not None else 4.0
    last = int(quarters // bar_quarters) + 2
    return score.measures(0, last) if score.parts[0].hasMeasures() else score


def _fluidsynth(midi: Path, sample_rate: int, max_samples: int) -> torch.Tensor:
    """The first max_samples of fluidsynth's rendering of `midi`, mixed to mono: (1, T).

    fluidsynth writes raw 16-bit stereo to a pipe and is stopped once enough is read: some
    of music21's MIDI files keep it rendering silence forever, so a file output could fill
    the disk."""
    command = ["fluidsynth", "-ni", "-q", "-g", str(GAIN), "-r", str(sample_rate)]
    command += ["-T", "raw", "-O", "s16", "-F", "-", str(SOUNDFONT), str(midi)]
    wanted = max_samples * 2 * 2  # bytes: 2 channels of 2 bytes
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as process:
        raw = b""
        while len(raw) < wanted and (block := process.stdout.read(wanted - len(raw))):
            raw += block
        process.kill()
    frames = np.frombuffer(raw[: len(raw) // 4 * 4], dtype="<i2").reshape(-1, 2)  # (T, 2)
    if not len(frames):
        raise ValueError(f"fluidsynth rendered nothing from {midi}")
    return torch.from_numpy(frames.astype(np.float32).mean(1) / 32768)[None]  # (1, T)


def render_score(
    path: Path, rng: np.random.Generator, sample_rate: int, max_seconds: float
) -> tuple[torch.Tensor, str]:
    """The score at `path`, orchestrated from rng and rendered: ((1, T) float32 at
    sample_rate, at most max_seconds, a description). Raises ValueError for a score music21
    cannot turn into parts (a bare melody or an analysis file)."""
    from music21 import converter, stream

    score = converter.parse(path)
    if isinstance(score, stream.Opus):  # a tune book: one tune of it
        score = score.scores[int(rng.integers(len(score.scores)))]
    if not score.parts:
        raise ValueError(f"{path}: no parts to render")
    bpm, instruments = _orchestrate(score, rng)
    score = _opening(score, max_seconds * bpm / 60)
    with tempfile.TemporaryDirectory() as folder:
        midi = Path(folder) / "score.mid"
        score.write("midi", fp=midi)
        audio = _fluidsynth(midi, sample_rate, round(max_seconds * sample_rate))  # (1, T)
    return audio, f"{bpm} bpm: {', '.join(instruments)}"
