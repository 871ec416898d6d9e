"""refine-eval: how quality evolves step by step, and how many steps to run.

    refine-eval checkpoint=runs/<run>/checkpoint.pt [max_steps=64] [write_defaults=true]
    refine-eval method=wiener                     # a classical method or oracle, same test set

Evaluates a checkpoint on a test set (synthetic by default, or paired folders) at every step
t = 0 … max_steps (which may exceed the trained T) and with until-convergence stopping for
several tolerances, then chooses: the best step per metric, the knee (the smallest t within
δ dB of the best), the best step within a real-time-factor limit, and the tolerance that
stays within δ of the best fixed count with the fewest average steps. The run folder gets:

    per_step.json     one record per step: means and 95 % intervals, overall and per bucket
    per_clip.csv      every clip × step
    convergence.csv   every clip × tolerance: steps taken, final quality, divergence
    summary.json      the choices, the convergence summary, the RTF per step, the cost
    example/          the audio of x̂_0 … x̂_N and the clean signal of one clip

PESQ (wide-band) and STOI/ESTOI join the metrics when the clips are declared speech
(`data.content=speech`; the synthetic set is music) or with `speech_metrics=true`.
`write_defaults=true` stores the knee step in the checkpoint as `refine-denoise`'s default step
count, and the chosen tolerance beside it as a record (`--tol` is always given explicitly).
Figures: `refine-plot <this folder>`.
"""

import json
import logging
import sys
from contextlib import nullcontext
from pathlib import Path

import hydra
import torch
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig
from omegaconf.errors import MissingMandatoryValue

from refine.cli import CONFIG_DIR
from refine.data import PairedFolderDataset, SyntheticDataset
from refine.networks.content import CONTENTS
from refine.process.checkpoint import (
    CheckpointError,
    load_refiner,
    store_inference,
    trained_sample_rate,
)
from refine.runtime import tune_allocator, warnings_to_log
from refine.study.choose import best_step, calibrate_tolerance, knee_step, step_within_rtf
from refine.study.classical import METHODS, ClassicalRefiner
from refine.study.complexity import macs_per_second, parameter_count
from refine.study.measure import convergence_runs, groups_of, per_step_metrics
from refine.study.records import (
    clip_rows,
    convergence_summary,
    step_records,
    write_convergence,
    write_example,
    write_per_clip,
    write_per_step,
    write_summary,
)
from refine.study.settling import settling

log = logging.getLogger(__name__)


def test_set(data: DictConfig, sample_rate: int):
    """The evaluation clips: the synthetic test split, or paired folders."""
    if data.source == "synthetic":
        return SyntheticDataset(
            data.examples,
            segment_seconds=data.segment_seconds,
            sample_rate=sample_rate,
            snr_values=list(data.snrs),
            noise_kinds=list(data.noise_kinds),
            cycle_noise_kinds=True,
            seed=data.seed,
            split="test",
        )
    if data.source == "paired_folders":
        return PairedFolderDataset(
            data.noisy_dir, data.clean_dir, sample_rate, data.segment_seconds, seed=data.seed
        )
    raise ValueError(f"unknown data.source {data.source!r}: synthetic or paired_folders")


def clips_per_batch(cfg: DictConfig) -> int:
    """cfg.batch_size, or 1 for whole folder files (data.segment_seconds null): files of
    different lengths do not stack, and padding them would change their metrics."""
    whole_files = cfg.data.source != "synthetic" and cfg.data.segment_seconds is None
    return 1 if whole_files else cfg.batch_size


def wants_speech_metrics(cfg: DictConfig) -> bool:
    """speech_metrics=auto: on when the test clips are declared speech (data.content); the
    synthetic test set is music. PESQ and STOI are defined for speech only."""
    setting = cfg.speech_metrics
    if setting not in ("auto", True, False):
        raise ValueError(f"speech_metrics must be auto, true or false, got {setting!r}")
    content = cfg.data.content or ("music" if cfg.data.source == "synthetic" else None)
    if content not in ("speech", "music", None):
        raise ValueError(f"data.content must be speech or music, got {content!r}")
    if setting == "auto":
        if content is None:
            log.info("data.content not set: no speech metrics (set data.content=speech)")
        return content == "speech"
    return setting


def told_content(cfg: DictConfig, refiner) -> str | None:
    """What a content-conditioned model is told: the clips' declared content (data.content)
    with tell_content=true, a content named by tell_content (speech or music, whatever the
    clips hold: what a wrong label costs), None (unknown) with false, and for every other
    model."""
    told = cfg.tell_content
    if told not in (True, False, *CONTENTS[1:]):
        raise ValueError(
            f"tell_content must be true, false or one of {', '.join(CONTENTS[1:])}, got {told!r}"
        )
    if told is False or not getattr(refiner, "knows_content", False):
        return None
    return cfg.data.content if told is True else told


def format_table(records: list[dict], trained_steps: int) -> str:
    """The printed per-step table: mean and 95 % interval of SI-SDR, SNR, segSNR, update;
    a dash where a step has no finite mean (a diverged refinement)."""

    def cell(value, width: int, digits: int = 2) -> str:
        return f"{'–':>{width}s}" if value is None else f"{value:{width}.{digits}f}"

    snr_buckets = [g for g in records[0]["buckets"] if g.endswith("dB")]
    lines = [
        f"{'step':>4s} {'SI-SDR dB (95% CI)':>21s} {'SNR dB':>8s} {'segSNR':>8s} {'update':>8s}"
        + "".join(f"{'SI-SDR@' + g:>13s}" for g in snr_buckets)
    ]
    for r in records:
        low, high = r["si_sdr_ci"] or (None, None)
        mark = " <- trained T" if r["step"] == trained_steps else ""
        lines.append(
            f"{r['step']:4d} {cell(r['si_sdr'], 7)} [{cell(low, 5)}, {cell(high, 5)}] "
            f"{cell(r['snr'], 8)} {cell(r['seg_snr'], 8)} {cell(r['update_norm'], 8, 4)}"
            + "".join(cell(r["buckets"][g]["si_sdr"], 13) for g in snr_buckets)
            + mark
        )
    return "\n".join(lines)


def binned_snrs(snrs: torch.Tensor, width: float) -> torch.Tensor:
    """Measured input SNRs (dB) to the nearest multiple of `width`, so that a folder's clips
    mixed at 5 dB (4.99998 and 5.00001 when measured) fall in one group."""
    return (snrs / width).round() * width + 0.0  # + 0.0: no −0


def evaluate(cfg: DictConfig, run_dir: Path) -> dict:
    """Evaluate cfg.checkpoint into run_dir; returns the summary."""
    tune_allocator()
    if (cfg.checkpoint is None) == (cfg.method is None):
        raise ValueError(
            "give checkpoint=PATH (a trained refiner) or method=NAME (a classical method or "
            f"oracle: {', '.join(sorted(METHODS))}), not both and not neither"
        )
    if cfg.method is not None:
        if cfg.write_defaults:
            raise ValueError("write_defaults stores steps in a checkpoint: not for a method")
        if cfg.past_decay is not None or cfg.schedule_steps is not None:
            raise ValueError("past_decay, schedule_steps: a refiner's steps, not for a method")
        sample_rate = cfg.sample_rate
        refiner = ClassicalRefiner(cfg.method, sample_rate)
    else:
        refiner, contents = load_refiner(cfg.checkpoint)
        sample_rate = trained_sample_rate(contents)
        if cfg.past_decay is not None:
            refiner.past_decay = cfg.past_decay
    respaced_from = None
    if cfg.schedule_steps is not None:
        if cfg.schedule_steps < 1:
            raise ValueError(f"schedule_steps must be >= 1, got {cfg.schedule_steps}")
        if cfg.write_defaults:
            raise ValueError("write_defaults stores the trained schedule's steps: not respaced")
        respaced_from, refiner = refiner.steps, refiner.respaced(cfg.schedule_steps)
    trained_steps = refiner.steps
    max_steps = cfg.max_steps if cfg.max_steps is not None else 4 * trained_steps
    convergence_steps = (
        cfg.convergence_max_steps if cfg.convergence_max_steps is not None else 8 * trained_steps
    )
    bin_width = cfg.data.get("snr_bin_db")
    if bin_width is not None and not bin_width > 0:
        raise ValueError(f"data.snr_bin_db={bin_width}: must be > 0 dB (folder clips' SNR groups)")
    dataset = test_set(cfg.data, sample_rate)
    if cfg.example_clip is not None and not 0 <= cfg.example_clip < len(dataset):
        raise ValueError(
            f"example_clip={cfg.example_clip}: the test set has {len(dataset)} clips, numbered "
            f"0 to {len(dataset) - 1}; pick one of them, or example_clip=null for no example"
        )
    batch_size = clips_per_batch(cfg)
    speech = wants_speech_metrics(cfg)
    what = cfg.checkpoint or cfg.method
    told = told_content(cfg, refiner)
    log.info("evaluating %s on %d clips, steps 0-%d", what, len(dataset), max_steps)
    with refiner.content_is(told) if told else nullcontext():
        metrics = per_step_metrics(
            refiner,
            dataset,
            steps=max_steps,
            eta=cfg.eta,
            batch_size=batch_size,
            speech=speech,
            example_clip=cfg.example_clip,
        )
        rows = convergence_runs(
            refiner,
            dataset,
            list(cfg.tolerances),
            convergence_steps,
            cfg.eta,
            batch_size,
            cfg.anderson,
            cfg.spectral_radius,
        )
    binned = cfg.data.source != "synthetic"  # measured SNRs: group them into bins
    if binned:
        metrics["input_snr"] = binned_snrs(metrics["input_snr"], cfg.data.snr_bin_db)
    records = step_records(metrics, groups_of(metrics), speech)
    write_per_step(run_dir, records)
    write_per_clip(run_dir, clip_rows(metrics, speech))
    if rows and binned:  # the convergence runs grouped into the same bins
        snrs = binned_snrs(torch.tensor([row["input_snr_db"] for row in rows]), cfg.data.snr_bin_db)
        for row, snr in zip(rows, snrs.tolist(), strict=True):
            row["input_snr_db"] = snr
    if rows:
        write_convergence(run_dir, rows)
    rtf_per_step = metrics["seconds"] / max(1, max_steps) / metrics["audio_seconds"]
    curve = [r["si_sdr"] for r in records]
    best = best_step(curve)
    summary = {
        "checkpoint": None if cfg.checkpoint is None else str(cfg.checkpoint),
        "method": cfg.method,
        "trained_steps": trained_steps,  # respaced: the N steps the schedule spans here
        "respaced_from": respaced_from,  # respaced: the T the model was trained for
        "max_steps": max_steps,
        "convergence_max_steps": convergence_steps,
        "past_decay": getattr(refiner, "past_decay", None),
        "told_content": told,  # what a content-conditioned model was told (None: nothing)
        "sample_rate": sample_rate,
        "clips": len(dataset),
        "rtf_per_step": round(rtf_per_step, 6),
        "parameters": parameter_count(refiner),
        "macs_per_second_per_step": None  # FFT-based methods: not counted
        if cfg.method is not None
        else macs_per_second(refiner, sample_rate),
        "choice": {
            "best_step": {"si_sdr": best, "snr": best_step([r["snr"] for r in records])},
            "knee": {
                "delta_db": cfg.delta_db,
                "metric": "si_sdr",
                "step": knee_step(curve, cfg.delta_db),
            },
            "within_rtf": {  # the best step within the RTF limit ("budget" in older records)
                "rtf_limit": cfg.rtf_limit,
                "step": None
                if cfg.rtf_limit is None
                else step_within_rtf(curve, rtf_per_step, cfg.rtf_limit),
            },
        },
        "convergence": convergence_summary(rows) if rows else [],
    }
    summary["choice"]["tolerance"] = calibrate_tolerance(
        summary["convergence"], curve[best], best, cfg.delta_db
    )
    summary["settling"] = settling(
        curve, metrics["update_norm"].numpy(), summary["convergence"], trained_steps
    )
    write_summary(run_dir, summary)
    if metrics["example"] is not None:
        *path, clean = metrics["example"]
        write_example(run_dir, path, clean, sample_rate)
    if cfg.write_defaults:
        write_defaults(Path(cfg.checkpoint), summary, cfg)
    log.info("per-step metrics (%d clips):\n%s", len(dataset), format_table(records, trained_steps))
    log.info("choice: %s", json.dumps(summary["choice"]))
    return summary


def write_defaults(path: Path, summary: dict, cfg: DictConfig) -> None:
    """Store the knee step, the calibrated tolerance and the iteration's settings in the
    checkpoint (atomically)."""
    stored = store_inference(
        path,
        steps=summary["choice"]["knee"]["step"],
        tol=summary["choice"]["tolerance"]["tol"],
        max_steps=summary["convergence_max_steps"],
        eta=cfg.eta,
        past_decay=summary["past_decay"],
        anderson=cfg.anderson,
        chosen_by="refine-eval",
    )
    log.info("wrote inference defaults %s into %s", stored, path)


@hydra.main(config_path=CONFIG_DIR, config_name="eval", version_base="1.3")
def main(cfg: DictConfig) -> None:
    try:
        with warnings_to_log(log):
            evaluate(cfg, Path(HydraConfig.get().runtime.output_dir))
    except MissingMandatoryValue as error:
        log.error("missing setting: %s (set it on the command line, key=value)", error.full_key)
        sys.exit(2)
    except (CheckpointError, ValueError, OSError, ImportError) as error:
        log.error("%s", error)
        sys.exit(2)


if __name__ == "__main__":
    main()
