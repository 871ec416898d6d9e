"""refine-train: train a refiner (step network + refinement process) with Hydra configs.

    refine-train                                  # the defaults: about 9 minutes on 2 cores
    refine-train domain=waveform model.steps=4    # any group choice or key override
    refine-train -m model.steps=1,4,8             # a sweep (hydra/launcher=parallel, slurm)
    torchrun --nproc-per-node 2 -m refine.train   # data-parallel (refine.train.distributed)

Hydra's run folder is the training run's (`refine.train.loop` says what it receives);
`hydra.run.dir=` pointing at a run folder that holds a checkpoint resumes it exactly. This
module only turns the config into plain arguments: the refiner's spec (`refine.process.build`),
the datasets (`refine.data`) and `TrainSettings`, after checking every setting
(`refine.cli.settings`); the loop is `refine.train.loop.train`.
"""

import dataclasses
import logging
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import MissingMandatoryValue

from refine.cli import CONFIG_DIR
from refine.cli.settings import check_training
from refine.data import (
    CleanFolderDataset,
    CleanNoiseFolderDataset,
    PairedFolderDataset,
    SyntheticDataset,
)
from refine.data.noise import NOISE_KINDS
from refine.data.noise_layers import NoiseLayers
from refine.data.noise_perturbation import NoisePerturbation
from refine.runtime import warnings_to_log
from refine.train import distributed
from refine.train.loop import TrainSettings, format_table, train

log = logging.getLogger(__name__)


def refiner_spec(cfg: DictConfig) -> dict:
    """The refiner's constructor arguments as plain dicts (what checkpoints store)."""
    return {
        "model": OmegaConf.to_container(cfg.model, resolve=True),
        "domain": OmegaConf.to_container(cfg.domain, resolve=True),
        "schedule": OmegaConf.to_container(cfg.schedule, resolve=True),
        "audio_channels": 1,
    }


# The data keys each source reads (besides the validation set's and the clip format, which
# every source reads): a key the chosen source does not read is refused, not ignored, except
# the synthetic training keys that every group inherits from synthetic.yaml.
COMMON_DATA_KEYS = {
    "source",
    "sample_rate",
    "segment_seconds",
    "noise_kinds",
    "val_examples",
    "val_snrs",
    "val_segment_seconds",
    "seed",
}
SOURCE_KEYS = {
    "synthetic": {"train_examples", "snr_range"},
    "paired_folders": {"noisy_dir", "clean_dir"},
    "clean_noise_folders": {
        "clean_dir",
        "noise_dir",
        "train_examples",
        "snr_range",
        "file_weighting",
        "noise_speed_range",
        "noise_eq_db",
    },
    "clean_folders": {
        "clean_dir",
        "train_examples",
        "snr_range",
        "noise_seconds",
        "file_weighting",
        "noise_dir",
        "noise_only_under",
        "noise_kinds_under",
        "content_of",
        "clean_subfolders",
        "noise_speed_range",
        "noise_eq_db",
        "noise_layer_share",
        "noise_layer_db",
        "noise_layer_kinds",
        "noise_layer_over",
    },
}


def check_data_keys(data: DictConfig) -> None:
    """Refuse a data config whose source would ignore a key it sets, or lacks one it reads,
    naming the keys and the group that holds the source's keys."""
    if data.source not in SOURCE_KEYS:
        raise ValueError(f"unknown data.source {data.source!r}: {', '.join(SOURCE_KEYS)}")
    given, read = set(data.keys()), COMMON_DATA_KEYS | SOURCE_KEYS[data.source]
    ignored = sorted(given - read - SOURCE_KEYS["synthetic"])
    missing = sorted(read - given)
    if ignored or missing:
        problems = [f"ignores data.{', data.'.join(ignored)}"] if ignored else []
        problems += [f"needs data.{', data.'.join(missing)}"] if missing else []
        raise ValueError(
            f"data.source={data.source} {' and '.join(problems)}: choose the source with its "
            f"config group (data={data.source}), which holds the keys it reads"
        )


def build_datasets(data: DictConfig) -> tuple:
    """(training set, validation set) from the data config. Validation is synthetic music in
    the generated colours among data.noise_kinds (white and pink when there are none)."""
    check_data_keys(data)
    common = dict(sample_rate=data.sample_rate, segment_seconds=data.segment_seconds)
    colours = [kind for kind in data.noise_kinds if kind in NOISE_KINDS] or ["white", "pink"]
    validation = SyntheticDataset(
        data.val_examples,
        snr_values=list(data.val_snrs),
        noise_kinds=colours,
        cycle_noise_kinds=True,
        seed=data.seed,
        split="val",
        segment_seconds=data.val_segment_seconds,
        sample_rate=data.sample_rate,
    )
    if data.source == "synthetic":
        train = SyntheticDataset(
            data.train_examples,
            snr_range=tuple(data.snr_range),
            noise_kinds=list(data.noise_kinds),
            seed=data.seed,
            split="train",
            **common,
        )
    elif data.source == "paired_folders":
        train = PairedFolderDataset(data.noisy_dir, data.clean_dir, seed=data.seed, **common)
    elif data.source == "clean_noise_folders":
        train = CleanNoiseFolderDataset(
            data.clean_dir,
            data.noise_dir,
            data.train_examples,
            snr_range=tuple(data.snr_range),
            seed=data.seed,
            file_weighting=data.file_weighting,
            noise_perturbation=noise_perturbation(data),
            **common,
        )
    else:  # clean_folders
        train = CleanFolderDataset(
            data.clean_dir,
            data.train_examples,
            snr_range=tuple(data.snr_range),
            noise_kinds=list(data.noise_kinds),
            seed=data.seed,
            noise_seconds=data.noise_seconds,
            file_weighting=data.file_weighting,
            noise_dir=data.noise_dir,
            noise_only_under=(
                OmegaConf.to_container(data.noise_only_under) if data.noise_only_under else None
            ),
            clean_subfolders=(
                None if data.clean_subfolders is None else list(data.clean_subfolders)
            ),
            noise_perturbation=noise_perturbation(data),
            noise_kinds_under=(
                OmegaConf.to_container(data.noise_kinds_under) if data.noise_kinds_under else None
            ),
            content_of=OmegaConf.to_container(data.content_of) if data.content_of else None,
            noise_layers=NoiseLayers.from_settings(
                data.noise_layer_share,
                data.noise_layer_db,
                data.noise_layer_kinds,
                data.noise_layer_over,
            ),
            **common,
        )
    return train, validation


def noise_perturbation(data: DictConfig) -> NoisePerturbation:
    """How the recorded noise is played: data.noise_speed_range and data.noise_eq_db."""
    return NoisePerturbation.from_settings(data.noise_speed_range, data.noise_eq_db)


def train_settings(t: DictConfig) -> TrainSettings:
    """cfg.train as TrainSettings; a key that TrainSettings lacks (read by nobody) or one
    missing from the config is refused by name."""
    keys = OmegaConf.to_container(t, resolve=True)
    fields = [field.name for field in dataclasses.fields(TrainSettings)]
    unknown, missing = sorted(keys.keys() - set(fields)), [f for f in fields if f not in keys]
    if unknown or missing:
        raise ValueError(
            f"train settings: unknown {unknown}, missing {missing}; the keys are {fields}"
        )
    return TrainSettings(**keys)


def train_from_config(cfg: DictConfig, run_dir: Path) -> list:
    """Train (or resume) the refiner that cfg describes in run_dir; returns the history."""
    check_training(cfg)
    return train(
        refiner_spec(cfg),
        *build_datasets(cfg.data),
        train_settings(cfg.train),
        run_dir,
        config=OmegaConf.to_container(cfg, resolve=True),
    )


@hydra.main(config_path=CONFIG_DIR, config_name="config", version_base="1.3")
def main(cfg: DictConfig) -> None:
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        with warnings_to_log(log):
            history = train_from_config(cfg, run_dir)
        distributed.stop()
    except MissingMandatoryValue as error:
        log.error("missing setting: %s (set it on the command line, key=value)", error.full_key)
        sys.exit(2)
    except (ValueError, OSError, ImportError) as error:  # bad data, settings, files, packages
        log.error("%s", error)
        sys.exit(2)
    except KeyboardInterrupt:  # Ctrl-C: the burst processes ignore it and go down with us
        log.warning(
            "interrupted: %s keeps the checkpoint of the last validation (every "
            "train.val_every steps); the same command resumes from it",
            run_dir,
        )
        sys.exit(130)
    if history:
        log.info(
            "per-step validation after %d steps:\n%s",
            history[-1]["train_step"],
            format_table(history[-1]),
        )


if __name__ == "__main__":
    main()
