"""The data layer: synthetic music, coloured noise, mixing, and datasets of
(noisy, clean, noise) triples. File I/O lives in refine.audio."""

from refine.data.datasets import (
    CleanFolderDataset,
    CleanNoiseFolderDataset,
    PairedFolderDataset,
    SyntheticDataset,
    item_generator,
    write_synthetic_folders,
)
from refine.data.folders import find_audio_files, pair_files
from refine.data.noise import NOISE_KINDS, colored_noise, mix_at_snr, snr_db
from refine.data.synth import synth_music

__all__ = [
    "NOISE_KINDS",
    "CleanFolderDataset",
    "CleanNoiseFolderDataset",
    "PairedFolderDataset",
    "SyntheticDataset",
    "colored_noise",
    "find_audio_files",
    "item_generator",
    "mix_at_snr",
    "pair_files",
    "snr_db",
    "synth_music",
    "write_synthetic_folders",
]
