"""Audio file I/O: every file the data code reads or writes goes through here.

Audio is a float32 tensor (C, T), channels first like torch's own convolution layouts, with
full scale at ±1. Reading goes through soundfile (libsndfile: WAV of any integer or float
subtype, FLAC, OGG and the rest of `soundfile.available_formats()`), resampling through soxr
at quality "HQ": band-limited and fast, and torchaudio is deliberately not a dependency.

Failures to read raise `AudioError`, a ValueError that names the file and says what is wrong
with it, so a bad file in a folder of thousands is found from the message alone.

Writes are atomic (a temporary file in the same folder, then `os.replace`): an interrupted
run never leaves a truncated file that a later run would read as data.
"""

import os
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr
import torch

from refine.files import atomic_path

RESAMPLE_QUALITY = "HQ"


class AudioError(ValueError):
    """A file that cannot be used as audio: missing, unreadable, or empty."""


def resample(audio: torch.Tensor, from_rate: int, to_rate: int) -> torch.Tensor:
    """Band-limited resampling with soxr: (C, T) -> (C, T') with T' ≈ T · to_rate / from_rate.

    float64 input stays float64; anything else is resampled as float32.
    """
    if audio.dim() != 2:
        raise ValueError(f"resample expects audio of shape (C, T), got {tuple(audio.shape)}")
    if from_rate <= 0 or to_rate <= 0:
        raise ValueError(f"sample rates must be positive, got {from_rate} -> {to_rate}")
    if from_rate == to_rate:
        return audio
    dtype = np.float64 if audio.dtype == torch.float64 else np.float32
    frames = np.ascontiguousarray(audio.detach().cpu().numpy().T, dtype=dtype)  # (T, C)
    out = soxr.resample(frames, from_rate, to_rate, quality=RESAMPLE_QUALITY)  # (T', C)
    return torch.from_numpy(np.ascontiguousarray(out.T)).to(audio.device)  # (C, T')


def load_audio(path: str | os.PathLike, sample_rate: int | None = None) -> tuple[torch.Tensor, int]:
    """Read an audio file as float32 (C, T), resampled to `sample_rate` when given.

    Returns (audio, rate), where rate is `sample_rate` if given, else the file's own rate.
    Raises AudioError for a missing, unreadable or empty file.
    """
    path = Path(path)
    if not path.exists():
        raise AudioError(f"{path}: no such file")
    if not path.is_file():
        raise AudioError(f"{path}: not a file (a folder?)")
    try:
        data, rate = sf.read(path, dtype="float32", always_2d=True)  # (T, C)
    except (sf.SoundFileError, RuntimeError) as error:
        raise AudioError(
            f"{path}: not readable as audio ({error}); soundfile reads WAV, FLAC, OGG and "
            f"the formats in soundfile.available_formats()"
        ) from error
    if data.shape[0] == 0:
        raise AudioError(f"{path}: the file holds no samples (0 frames)")
    audio = torch.from_numpy(np.ascontiguousarray(data.T))  # (C, T)
    if sample_rate is not None and sample_rate != rate:
        audio, rate = resample(audio, rate, sample_rate), sample_rate
    return audio, rate


def save_audio(
    path: str | os.PathLike,
    audio: torch.Tensor,
    sample_rate: int,
    subtype: str | None = None,
) -> None:
    """Write (C, T) audio atomically; the format comes from the extension (.wav, .flac, ...).

    subtype: a soundfile subtype ("PCM_16", "PCM_24", "FLOAT", ...), or None for the format's
    default (PCM_16 for WAV and FLAC). Integer subtypes clip to [-1, 1]; use "FLOAT" to keep
    values exactly. Parent folders are created.
    """
    path = Path(path)
    if audio.dim() != 2:
        raise ValueError(f"save_audio expects audio of shape (C, T), got {tuple(audio.shape)}")
    if sample_rate <= 0:
        raise ValueError(f"{path}: sample_rate must be positive, got {sample_rate}")
    file_format = path.suffix[1:].upper()
    if file_format not in sf.available_formats():
        raise ValueError(
            f"{path}: cannot tell the audio format from the extension {path.suffix!r}; use one "
            f"of .wav, .flac, .ogg or another of soundfile.available_formats()"
        )
    if subtype is not None and not sf.check_format(file_format, subtype):
        raise ValueError(
            f"{path}: subtype {subtype!r} is not valid for {file_format}; valid subtypes: "
            f"{sorted(sf.available_subtypes(file_format))}"
        )
    frames = audio.detach().cpu().float().numpy().T  # (T, C)
    with atomic_path(path) as temporary:
        sf.write(temporary, frames, sample_rate, subtype=subtype, format=file_format)
