"""Folders of recordings: finding audio files, pairing noisy with clean files, windows of
recordings, and a folder of clips to draw windows from (`ClipFolder`), which the folder
datasets (refine.data.datasets) and the noise sources (refine.data.noise_sources) share.
"""

import os
import re
from collections.abc import Collection
from pathlib import Path

import soundfile as sf
import torch

from refine.audio import load_audio

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg")
# Noisy and clean lengths may differ by this fraction (resampling, encoder padding) and are
# then cropped to the shorter; a larger difference means the files are not a pair.
LENGTH_TOLERANCE = 0.01
FILE_WEIGHTINGS = ("uniform", "duration")


def find_audio_files(
    folder: str | os.PathLike, suffixes: Collection[str] = AUDIO_EXTENSIONS
) -> list[Path]:
    """Audio files (.wav, .flac, .ogg, or `suffixes`; any case) under folder, recursively,
    sorted by path.

    Hidden files are skipped: macOS "._name.wav" metadata and save_audio's temporary files.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder}: not a folder")
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in suffixes and not p.name.startswith(".")
    )
    if not files:
        raise ValueError(f"{folder}: no audio files ({', '.join(suffixes)}) in it")
    return files


def crop_or_pad(audio: torch.Tensor, length: int, generator: torch.Generator) -> torch.Tensor:
    """A random window of `length` samples, or the whole, zero-padded at the end: (C, T) ->
    (C, length), a new tensor (never a view into a cached file). The generator is advanced by
    one draw either way, so later draws do not depend on the file's length."""
    offset = torch.randint(0, 2**31 - 1, (), generator=generator).item()
    if audio.shape[-1] >= length:
        offset %= audio.shape[-1] - length + 1
        return audio[:, offset : offset + length].clone()
    return torch.nn.functional.pad(audio, (0, length - audio.shape[-1]))


def _trailing_number(path: Path) -> int | None:
    match = re.search(r"(\d+)$", path.stem)
    return None if match is None else int(match.group(1))


def pair_files(noisy_dir: Path, clean_dir: Path) -> list[tuple[Path, Path]]:
    """[(noisy, clean)] paired by identical relative path, else by the trailing number of the
    file stem within the same subfolder (noisy_001.wav ↔ clean_001.wav)."""
    noisy = {p.relative_to(noisy_dir): p for p in find_audio_files(noisy_dir)}
    clean = {p.relative_to(clean_dir): p for p in find_audio_files(clean_dir)}
    if noisy.keys() == clean.keys():
        return [(noisy[name], clean[name]) for name in sorted(noisy)]

    def by_number(files: dict[Path, Path]) -> dict[tuple[Path, int], Path] | None:
        keyed = {(name.parent, _trailing_number(name)): path for name, path in files.items()}
        if any(number is None for _, number in keyed) or len(keyed) != len(files):
            return None  # a stem without a number, or two files with the same number
        return keyed

    noisy_numbered, clean_numbered = by_number(noisy), by_number(clean)
    if (
        noisy_numbered is not None
        and clean_numbered is not None
        and noisy_numbered.keys() == clean_numbered.keys()
    ):
        return [(noisy_numbered[key], clean_numbered[key]) for key in sorted(noisy_numbered)]
    only_noisy = sorted(str(name) for name in noisy.keys() - clean.keys())[:3]
    only_clean = sorted(str(name) for name in clean.keys() - noisy.keys())[:3]
    raise ValueError(
        f"cannot pair {len(noisy)} files in {noisy_dir} with {len(clean)} files in "
        f"{clean_dir}: files pair by identical names, or else by the number that ends each "
        f"file name (noisy_001.wav with clean_001.wav), and neither matches every file "
        f"(e.g. only noisy: {only_noisy}; only clean: {only_clean})"
    )


def match_lengths(
    noisy: torch.Tensor, clean: torch.Tensor, noisy_path: Path, clean_path: Path
) -> tuple[torch.Tensor, torch.Tensor]:
    """Check channels and lengths agree; crop a small length difference to the shorter."""
    if noisy.shape[0] != clean.shape[0]:
        raise ValueError(
            f"{noisy_path} has {noisy.shape[0]} channels but its clean pair {clean_path} has "
            f"{clean.shape[0]}"
        )
    length = min(noisy.shape[-1], clean.shape[-1])
    if max(noisy.shape[-1], clean.shape[-1]) - length > LENGTH_TOLERANCE * length:
        raise ValueError(
            f"{noisy_path} ({noisy.shape[-1]} samples) and its clean pair {clean_path} "
            f"({clean.shape[-1]} samples) differ in length by more than "
            f"{LENGTH_TOLERANCE:.0%}: are they really a pair?"
        )
    return noisy[:, :length], clean[:, :length]


def durations(files: list[Path]) -> torch.Tensor:
    """Each file's length in seconds, from its header: (N,) float64."""
    durations = []
    for path in files:
        try:
            durations.append(sf.info(path).duration)
        except RuntimeError as error:  # soundfile's errors: not audio, a truncated header
            raise ValueError(f"{path}: cannot read its length ({error})") from None
    if not sum(durations):
        raise ValueError(f"{files[0].parent}: every file is empty, nothing to draw from")
    return torch.tensor(durations, dtype=torch.float64)


def looped_window(audio: torch.Tensor, length: int, generator: torch.Generator) -> torch.Tensor:
    """(C, N) -> (C, length): a random window, wrapping around (looping) when N < length. A
    long recording is windowed without wrapping; a short one starts anywhere in its loop.
    One draw of the generator either way."""
    size = audio.shape[-1]
    offset = torch.randint(0, 2**31 - 1, (), generator=generator).item()
    span = size - length + 1 if size >= length else size
    positions = (offset % span + torch.arange(length)) % size  # (length,)
    return audio[:, positions]


def subfolders_with_audio(folder: Path, files: list[Path]) -> list[str]:
    """The top-level subfolders of folder that hold any of `files` (under folder), sorted."""
    parts = [path.relative_to(folder).parts for path in files]
    return sorted({part[0] for part in parts if len(part) > 1})


def files_under(folder: Path, files: list[Path], subfolders: Collection[str]) -> list[Path]:
    """The files (under folder) whose first path component below it is one of `subfolders`;
    a subfolder that holds none of them is refused by name, with the ones that exist."""
    top = {path: path.relative_to(folder).parts[0] for path in files}
    present = subfolders_with_audio(folder, files)
    unknown = [name for name in subfolders if name not in present]
    if unknown or not subfolders:
        raise ValueError(
            f"{folder}: no audio files under the subfolder(s) {', '.join(unknown) or '(none)'}; "
            f"its subfolders with audio are {', '.join(present) or 'none'}"
        )
    return [path for path in files if top[path] in subfolders and top[path] != path.name]


class ClipFolder:
    """The audio files under a folder, drawn uniformly or in proportion to their length, and
    loaded (resampled to `sample_rate`) once per process: a cache per data-loader worker.

    file_weighting: "uniform" draws every file equally often; "duration" in proportion to its
    length (from the headers), so every second of the folder is equally likely. subfolders:
    only the files under these top-level subfolders (None: every file), so that a corpus
    that has grown a part keeps serving the composition a run was measured on.
    """

    def __init__(
        self,
        folder: str | os.PathLike,
        sample_rate: int,
        file_weighting: str = "uniform",
        subfolders: Collection[str] | None = None,
    ):
        if file_weighting not in FILE_WEIGHTINGS:
            raise ValueError(f"file_weighting must be uniform or duration, got {file_weighting!r}")
        self.folder = Path(folder)
        self.files = find_audio_files(self.folder)
        if subfolders is not None:
            self.files = files_under(self.folder, self.files, subfolders)
        self.weights = None if file_weighting == "uniform" else durations(self.files)
        self.sample_rate = sample_rate
        self._cache: dict[Path, torch.Tensor] = {}

    def draw(self, generator: torch.Generator) -> Path:
        """One file, by one draw of the generator."""
        if self.weights is None:
            return self.files[torch.randint(len(self.files), (), generator=generator)]
        return self.files[torch.multinomial(self.weights, 1, generator=generator)]

    def load(self, path: Path) -> torch.Tensor:
        """The file's audio (C, T) at the folder's rate, from the cache after the first time."""
        if path not in self._cache:
            self._cache[path] = load_audio(path, self.sample_rate)[0]
        return self._cache[path]
