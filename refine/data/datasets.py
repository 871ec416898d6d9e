"""Datasets of (noisy, clean, noise) triples for training and evaluating the refiner.

Every dataset returns a dict

    {"noisy": (C, T), "clean": (C, T), "noise": (C, T), "snr_db": float, "noise_kind": str}

and CleanFolderDataset with content_of also "content": int, the clip's content label
(refine.networks.content: unknown, speech, music), from the subfolder its clean file is in.

float32, with noisy == clean + noise exactly: the refiner's per-step targets are built from
clean and noise, so the three must agree to the last bit.

- SyntheticDataset: synth_music + colored_noise, generated on the fly; needs no files.
- PairedFolderDataset: noisy/clean files paired by name (or by trailing number).
- CleanFolderDataset: clean files in generated coloured noise at a drawn SNR.
- CleanNoiseFolderDataset: clean and noise files mixed on the fly at a drawn SNR.
- write_synthetic_folders: a SyntheticDataset written as paired WAV folders.

Determinism. An item is a pure function of (seed, split, index): its torch.Generator is
seeded from numpy's SeedSequence([seed, crc32(split), index]), a hash that decorrelates
neighbouring indices and splits. So the same index gives the same example in any worker and
any order, and "train", "val" and "test" draw from unrelated streams.
"""

import os
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset
from tqdm import tqdm

from refine.audio import load_audio, save_audio
from refine.data.folders import (
    ClipFolder,
    crop_or_pad,
    match_lengths,
    pair_files,
    subfolders_with_audio,
)
from refine.data.noise import NOISE_KINDS, colored_noise, mix_at_snr, snr_db
from refine.data.noise_layers import NoiseLayers
from refine.data.noise_perturbation import NoisePerturbation
from refine.data.noise_sources import NoiseFiles, NoiseKinds
from refine.data.synth import synth_music
from refine.networks.content import UNKNOWN, content_index


def item_generator(seed: int, split: str, index: int) -> torch.Generator:
    """The generator of item `index` of `split`: a hash of all three, stable across runs."""
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    split_code = zlib.crc32(split.encode())
    state = np.random.SeedSequence([seed, split_code, index]).generate_state(1, np.uint64)
    return torch.Generator().manual_seed(int(state[0]))


def _check_index(index: int, size: int) -> int:
    if not -size <= index < size:
        raise IndexError(f"index {index} out of range for a dataset of {size} examples")
    return index % size


def _check_snr_range(snr_range: tuple[float, float]) -> tuple[float, float]:
    low, high = snr_range
    if low > high:
        raise ValueError(f"snr_range must be (low, high) with low <= high, got {snr_range}")
    return float(low), float(high)


def _check_sizes(num_examples: int, segment_seconds: float) -> None:
    if num_examples < 0:
        raise ValueError(f"num_examples must be non-negative, got {num_examples}")
    if segment_seconds <= 0:
        raise ValueError(f"segment_seconds must be positive, got {segment_seconds}")


def _check_noise_kinds(noise_kinds: Sequence[str]) -> tuple[str, ...]:
    if isinstance(noise_kinds, str):
        raise ValueError(f"noise_kinds must be a sequence of kinds, got {noise_kinds!r}")
    unknown = [kind for kind in noise_kinds if kind not in NOISE_KINDS]
    if not noise_kinds or unknown:
        raise ValueError(
            f"noise_kinds must be a non-empty selection of {NOISE_KINDS}, got {tuple(noise_kinds)}"
        )
    return tuple(noise_kinds)


def _uniform(generator: torch.Generator, low: float, high: float) -> float:
    return low + (high - low) * torch.rand((), generator=generator, dtype=torch.float64).item()


class SyntheticDataset(Dataset):
    """Synthetic music (synth_music) in coloured noise (colored_noise), mono: C = 1.

    Args:
        num_examples: the dataset's length.
        segment_seconds, sample_rate: each example is round(segment_seconds·sample_rate)
            samples.
        snr_range: SNRs are drawn uniformly from [low, high] dB ...
        snr_values: ... unless fixed SNRs are given: example i has snr_values[i % n]. For
            evaluation sets, e.g. (0, 5, 10).
        noise_kinds: kinds drawn uniformly per example ...
        cycle_noise_kinds: ... or cycled so that every (snr, kind) combination appears
            equally often: kind = noise_kinds[(i // n) % len(noise_kinds)], n =
            len(snr_values) (1 without snr_values).
        seed, split: the streams to draw from; see the module docstring.
    """

    def __init__(
        self,
        num_examples: int,
        segment_seconds: float = 0.5,
        sample_rate: int = 16000,
        snr_range: tuple[float, float] = (-5.0, 30.0),
        noise_kinds: Sequence[str] = ("white", "pink"),
        seed: int = 0,
        split: str = "train",
        snr_values: Sequence[float] | None = None,
        cycle_noise_kinds: bool = False,
    ):
        _check_sizes(num_examples, segment_seconds)
        self.noise_kinds = _check_noise_kinds(noise_kinds)
        if snr_values is not None and len(snr_values) == 0:
            raise ValueError("snr_values must be None (draw from snr_range) or non-empty")
        item_generator(seed, split, 0)  # validates the seed now, not in a worker later
        self.num_examples = num_examples
        self.sample_rate = sample_rate
        self.num_samples = round(segment_seconds * sample_rate)
        self.snr_range = _check_snr_range(snr_range)
        self.snr_values = None if snr_values is None else tuple(float(v) for v in snr_values)
        self.cycle_noise_kinds = cycle_noise_kinds
        self.seed, self.split = seed, split

    def __len__(self) -> int:
        return self.num_examples

    def __getitem__(self, index: int) -> dict:
        index = _check_index(index, self.num_examples)
        generator = item_generator(self.seed, self.split, index)
        if self.snr_values is not None:
            snr = self.snr_values[index % len(self.snr_values)]
        else:
            snr = _uniform(generator, *self.snr_range)
        if self.cycle_noise_kinds:
            cycle = len(self.snr_values) if self.snr_values is not None else 1
            kind = self.noise_kinds[(index // cycle) % len(self.noise_kinds)]
        else:
            choice = torch.randint(len(self.noise_kinds), (), generator=generator).item()
            kind = self.noise_kinds[choice]
        clean = synth_music(self.num_samples, self.sample_rate, generator)[None]  # (1, T)
        noise = colored_noise(kind, self.num_samples, generator)[None]  # (1, T)
        noisy, noise = mix_at_snr(clean, noise, snr)
        return {"noisy": noisy, "clean": clean, "noise": noise, "snr_db": snr, "noise_kind": kind}


class PairedFolderDataset(Dataset):
    """Noisy and clean recordings in two folders, paired by file name (see pair_files).

    Files are resampled to sample_rate and keep their channels. With segment_seconds, each
    item is a deterministic random window (per seed and index) of that length, zero-padded
    at the end when the file is shorter; without, items are whole files. noise is
    noisy − clean, and "noisy" is returned as clean + noise, which equals the file's noisy
    signal to float32 rounding. snr_db is measured; noise_kind is "unknown".
    """

    def __init__(
        self,
        noisy_dir: str | os.PathLike,
        clean_dir: str | os.PathLike,
        sample_rate: int = 16000,
        segment_seconds: float | None = None,
        seed: int = 0,
    ):
        if segment_seconds is not None and segment_seconds <= 0:
            raise ValueError(f"segment_seconds must be positive or None, got {segment_seconds}")
        self.pairs = pair_files(Path(noisy_dir), Path(clean_dir))
        self.sample_rate = sample_rate
        self.num_samples = None if segment_seconds is None else round(segment_seconds * sample_rate)
        self.seed = seed
        item_generator(seed, "paired", 0)  # validates the seed

    def __len__(self) -> int:
        return len(self.pairs)

    def __getitem__(self, index: int) -> dict:
        index = _check_index(index, len(self.pairs))
        noisy_path, clean_path = self.pairs[index]
        noisy, _ = load_audio(noisy_path, self.sample_rate)  # (C, T)
        clean, _ = load_audio(clean_path, self.sample_rate)  # (C, T)
        noisy, clean = match_lengths(noisy, clean, noisy_path, clean_path)
        if self.num_samples is not None:
            both = torch.cat([noisy, clean])  # (2C, T): one window for both
            both = crop_or_pad(both, self.num_samples, item_generator(self.seed, "paired", index))
            noisy, clean = both.chunk(2)
        noise = noisy - clean
        return {
            "noisy": clean + noise,
            "clean": clean,
            "noise": noise,
            "snr_db": snr_db(clean, noise),
            "noise_kind": "unknown",
        }


class CleanFolderDataset(Dataset):
    """Clean recordings from a folder in noise at a drawn SNR: generated colours, or the
    recorded kinds of a noise corpus (refine.data.noise_sources.NoiseKinds).

    Item i picks a clean file, an SNR (uniform on snr_range), a noise kind (uniform on
    noise_kinds), a window of the file (cropped, or zero-padded when shorter) and the noise,
    all from its (seed, split, i) generator. This is the shipped model's training set.
    snr_db is measured (−inf for a silent clean window, where the noise is left unscaled);
    noise_kind is the kind. noise_dir: the noise corpus whose subfolders are the recorded
    kinds. noise_seconds: generated noise is a window of a noise this long (colored_noise's
    period), so pink and brown noise drift within a clip as in a long recording; None makes
    it at the clip's length. noise_only_under: {kind: clean subfolder or list of them} keeps
    a kind to the clean files under those subfolders (music noise under speech only).
    noise_kinds_under: {clean subfolder: kinds} the files under a subfolder draw their kind
    from its own list instead of noise_kinds (voices over music more often); a subfolder
    with no files among those drawn is refused. file_weighting: "uniform" draws every file
    equally often; "duration" in proportion to its length. clean_subfolders: draw only from
    these top-level subfolders of clean_dir (None: all of it). noise_perturbation: how the
    recorded kinds' windows are played (refine.data.noise_perturbation; None: as recorded).
    content_of: {clean subfolder: speech or music} items carry "content", the label of the
    subfolder their clean file is under (unknown for files under none of them), for a
    content-conditioned model; a key naming no subfolder of the drawn files is refused.
    noise_layers: a second kind under a share of the clips (refine.data.noise_layers; None:
    one kind per clip), labelled "<first>+<second>". Loaded files are cached in memory, per
    worker.
    """

    def __init__(
        self,
        clean_dir: str | os.PathLike,
        num_examples: int,
        sample_rate: int = 16000,
        segment_seconds: float = 1.0,
        snr_range: tuple[float, float] = (0.0, 20.0),
        noise_kinds: Sequence[str] = NOISE_KINDS,
        seed: int = 0,
        split: str = "train",
        noise_seconds: float | None = None,
        file_weighting: str = "uniform",
        noise_dir: str | os.PathLike | None = None,
        noise_only_under: dict[str, str | list[str]] | None = None,
        clean_subfolders: Sequence[str] | None = None,
        noise_perturbation: NoisePerturbation | None = None,
        noise_kinds_under: dict[str, list[str]] | None = None,
        content_of: dict[str, str] | None = None,
        noise_layers: NoiseLayers | None = None,
    ):
        _check_sizes(num_examples, segment_seconds)
        if noise_seconds is not None and noise_seconds < segment_seconds:
            raise ValueError(
                f"noise_seconds ({noise_seconds}) must be null or at least segment_seconds "
                f"({segment_seconds}): the noise is a window of a noise that long"
            )
        self.clean = ClipFolder(clean_dir, sample_rate, file_weighting, clean_subfolders)
        period = None if noise_seconds is None else round(noise_seconds * sample_rate)
        _check_parts(self.clean, noise_kinds_under or {}, "noise_kinds_under")
        _check_parts(self.clean, content_of or {}, "content_of")
        self.content_of = None
        if content_of is not None:
            self.content_of = {part: content_index(name) for part, name in content_of.items()}
        self.noises = NoiseKinds(
            noise_kinds,
            sample_rate,
            noise_dir,
            period,
            noise_only_under,
            noise_perturbation,
            noise_kinds_under,
            noise_layers,
        )
        kept_under = {  # {subfolder: a kind kept under it}, as NoiseKinds reads the setting
            part: kind for kind, parts in self.noises.only_under.items() for part in parts
        }
        _check_parts(self.clean, kept_under, "noise_only_under")
        self.num_examples = num_examples
        self.sample_rate = sample_rate
        self.num_samples = round(segment_seconds * sample_rate)
        self.snr_range = _check_snr_range(snr_range)
        self.seed, self.split = seed, split
        item_generator(seed, split, 0)  # validates the seed

    def __len__(self) -> int:
        return self.num_examples

    def __getitem__(self, index: int) -> dict:
        index = _check_index(index, self.num_examples)
        generator = item_generator(self.seed, self.split, index)
        path = self.clean.draw(generator)
        snr = _uniform(generator, *self.snr_range)
        relative = path.relative_to(self.clean.folder)  # its subfolder picks the kinds
        kind = self.noises.draw_kind(generator, relative)
        clean = crop_or_pad(self.clean.load(path), self.num_samples, generator)  # (C, T)
        noise = self.noises.noise(kind, generator, clean.shape[0], self.num_samples)  # (C, T)
        noise, kind = self.noises.with_second_layer(noise, kind, generator, relative)
        item = _mixed_item(clean, noise, snr, kind)
        if self.content_of is not None:
            item["content"] = self.content_of.get(relative.parts[0], UNKNOWN)
        return item


def _check_parts(clean: ClipFolder, by_part: dict, setting: str) -> None:
    """Refuse a setting's subfolders (the keys of noise_kinds_under and content_of, the
    values of noise_only_under) that are no subfolder of the drawn clean files: what they
    name would never be read."""
    present = subfolders_with_audio(clean.folder, clean.files)
    unknown = sorted(set(by_part) - set(present))
    if unknown:
        raise ValueError(
            f"{setting} names {', '.join(unknown)}: no subfolder of {clean.folder} "
            f"with clean audio drawn has that name; its subfolders with audio are "
            f"{', '.join(present) or 'none'}"
        )


def _mixed_item(clean: torch.Tensor, noise: torch.Tensor, snr: float, kind: str) -> dict:
    """clean and noise (C, T) mixed at `snr` over all channels together: a dataset item."""
    channels = clean.shape[0]
    noisy, noise = mix_at_snr(clean.reshape(1, -1), noise.reshape(1, -1), snr)  # (1, C·T)
    noisy, noise = noisy.reshape(channels, -1), noise.reshape(channels, -1)  # (C, T)
    return {
        "noisy": noisy,
        "clean": clean,
        "noise": noise,
        "snr_db": snr_db(clean, noise),
        "noise_kind": kind,
    }


class CleanNoiseFolderDataset(Dataset):
    """Clean recordings mixed on the fly with noise recordings at a drawn SNR.

    Item i picks a clean file, a noise file, an SNR (uniform on snr_range) and windows, all
    from its (seed, split, i) generator. The clean file is cropped to a random window or
    zero-padded; the noise is cropped, or looped when shorter than the segment. A mono noise
    is copied to every clean channel; noise with other channel counts is mixed to mono first.
    The SNR is over all channels together. snr_db is measured (−inf for a silent clean
    window, where the noise is left unscaled); noise_kind is the noise file's path relative
    to noise_dir, without extension. file_weighting applies to the clean files.
    noise_perturbation: how each noise window is played (refine.data.noise_perturbation;
    None: as recorded). Loaded files are cached in memory, per worker.
    """

    def __init__(
        self,
        clean_dir: str | os.PathLike,
        noise_dir: str | os.PathLike,
        num_examples: int,
        sample_rate: int = 16000,
        segment_seconds: float = 1.0,
        snr_range: tuple[float, float] = (-5.0, 15.0),
        seed: int = 0,
        split: str = "train",
        file_weighting: str = "uniform",
        noise_perturbation: NoisePerturbation | None = None,
    ):
        _check_sizes(num_examples, segment_seconds)
        self.clean = ClipFolder(clean_dir, sample_rate, file_weighting)
        self.noises = NoiseFiles(noise_dir, sample_rate, perturbation=noise_perturbation)
        self.num_examples = num_examples
        self.num_samples = round(segment_seconds * sample_rate)
        self.sample_rate = sample_rate
        self.snr_range = _check_snr_range(snr_range)
        self.seed, self.split = seed, split
        item_generator(seed, split, 0)  # validates the seed

    def __len__(self) -> int:
        return self.num_examples

    def __getitem__(self, index: int) -> dict:
        index = _check_index(index, self.num_examples)
        generator = item_generator(self.seed, self.split, index)
        clean_path = self.clean.draw(generator)
        noise_path = self.noises.draw(generator)
        snr = _uniform(generator, *self.snr_range)
        clean = crop_or_pad(self.clean.load(clean_path), self.num_samples, generator)  # (C, T)
        noise = self.noises.noise(noise_path, generator, clean.shape[0], self.num_samples)
        return _mixed_item(clean, noise, snr, self.noises.kind(noise_path))


def write_synthetic_folders(
    out_dir: str | os.PathLike, num_examples: int, *, progress: bool = True, **synthetic_kwargs
) -> tuple[Path, Path]:
    """Write SyntheticDataset(num_examples, **synthetic_kwargs) as out_dir/noisy/noisy_001.wav
    and out_dir/clean/clean_001.wav, ... (numbers from 1, zero-padded to at least 3 digits).

    Files are 32-bit float WAV, so reading them back (PairedFolderDataset) gives the same
    clean signal exactly and noisy = clean + noise to float32 rounding. Returns
    (noisy_dir, clean_dir).
    """
    dataset = SyntheticDataset(num_examples, **synthetic_kwargs)
    noisy_dir, clean_dir = Path(out_dir) / "noisy", Path(out_dir) / "clean"
    digits = max(3, len(str(num_examples)))
    noisy_dir.mkdir(parents=True, exist_ok=True)
    clean_dir.mkdir(parents=True, exist_ok=True)
    for index in tqdm(range(num_examples), desc="writing examples", disable=not progress):
        item = dataset[index]
        number = f"{index + 1:0{digits}d}"
        save_audio(noisy_dir / f"noisy_{number}.wav", item["noisy"], dataset.sample_rate, "FLOAT")
        save_audio(clean_dir / f"clean_{number}.wav", item["clean"], dataset.sample_rate, "FLOAT")
    return noisy_dir, clean_dir
