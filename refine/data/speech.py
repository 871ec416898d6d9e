"""Synthetic speech from the Debian speakers espeak-ng and flite, in many voices.

Real speech corpora cannot be downloaded here, so the training corpus speaks sentences
(refine.data.sentences) through two formant/diphone synthesisers with every voice drawn at
random: espeak-ng's English accents (and a few other languages reading English, for other
phonetics) with one of its human-like variants, speed and pitch, or one of flite's four
voices with a drawn pitch and duration stretch. No single synthesiser sounds like a person;
many voices and two engines keep a model from learning one synthesiser's artefacts.

    apt-get install espeak-ng flite
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import torch

from refine.audio import load_audio

ESPEAK_LANGUAGES = (
    "en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd",
    "en-029", "en-us-nyc",
)  # fmt: skip
ESPEAK_FOREIGN = ("de", "fr-fr", "es", "it", "nl", "pl", "pt", "sv")  # read English with accents
ESPEAK_VARIANTS = (
    "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5", "klatt",
    "klatt2", "klatt3", "klatt4", "adam", "Alicia", "Andrea", "Andy", "Annie", "aunty",
    "belinda", "benjamin", "caleb", "david", "ed", "edward", "grandma", "grandpa", "john",
    "linda", "max", "Michael", "paul", "quincy", "rob", "robert", "shelby", "steph",
    "travis", "victor", "zac", "whisper", "whisperf", "croak",
)  # fmt: skip
FLITE_VOICES = ("kal16", "awb", "rms", "slt")
FOREIGN_FRACTION = 0.2  # of espeak utterances spoken by a non-English voice
FLITE_FRACTION = 0.3  # of utterances spoken by flite

PROGRAMS = ("espeak-ng", "flite")  # each from the Debian package of the same name


def missing_speech_tools() -> list[str]:
    """The Debian packages the speech corpus needs that are not installed."""
    return [program for program in PROGRAMS if shutil.which(program) is None]


def _espeak_command(rng: np.random.Generator, text: str, wav: Path) -> tuple[list[str], str]:
    languages = ESPEAK_FOREIGN if rng.random() < FOREIGN_FRACTION else ESPEAK_LANGUAGES
    voice = f"{languages[rng.integers(len(languages))]}+"
    voice += ESPEAK_VARIANTS[rng.integers(len(ESPEAK_VARIANTS))]
    speed, pitch = int(rng.integers(120, 200)), int(rng.integers(25, 75))
    command = ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", str(wav), text]
    return command, f"espeak-ng {voice} s{speed} p{pitch}"


def _flite_command(rng: np.random.Generator, text: str, wav: Path) -> tuple[list[str], str]:
    voice = FLITE_VOICES[rng.integers(len(FLITE_VOICES))]
    stretch = round(float(rng.uniform(0.8, 1.3)), 2)
    pitch = int(rng.integers(90, 220))
    command = ["flite", "-voice", voice, "--setf", f"duration_stretch={stretch}"]
    command += ["--setf", f"int_f0_target_mean={pitch}", "-t", text, "-o", str(wav)]
    return command, f"flite {voice} stretch{stretch} f0 {pitch}"


def speak(rng: np.random.Generator, text: str, sample_rate: int) -> tuple[torch.Tensor, str]:
    """`text` spoken by a voice drawn from rng: ((1, T) float32 at sample_rate, voice)."""
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "speech.wav"
        engine = _flite_command if rng.random() < FLITE_FRACTION else _espeak_command
        command, voice = engine(rng, text, wav)
        subprocess.run(command, check=True, capture_output=True, timeout=60)
        audio, _ = load_audio(wav, sample_rate)  # (1, T)
    return audio.mean(0, keepdim=True), voice
