"""Figures and tables from evaluation folders (`refine.study.records`); no metric is
recomputed here, so figures can be redrawn (fonts, subsets, overlays of many runs) without a
model or a GPU and show exactly the numbers the evaluation reported. refine-plot
(`refine.cli.plot`) calls it; the figures themselves are drawn by `refine.study.figures`.
"""

import logging
import math
import re
from pathlib import Path

import numpy as np
import torch

from refine.audio import load_audio
from refine.files import write_text_atomic
from refine.study.choose import knee_step
from refine.study.figures import (
    Band,
    convergence_figure,
    overlay_figure,
    per_step_bands_figure,
    save_figure,
    spectrogram_grid_figure,
)
from refine.study.metrics import mean_with_interval
from refine.study.records import (
    CONVERGENCE,
    EXAMPLE,
    PER_CLIP,
    PER_STEP,
    EvalFolderError,
    EvalRun,
    check_metrics,
    is_number,
    load_clip_scores,
    load_convergence,
    load_run,
    load_update_norms,
    read_json,
)
from refine.tables import write_csv

log = logging.getLogger(__name__)
METRICS = {"si_sdr": "SI-SDR (dB)", "snr": "SNR (dB)"}  # per_step.json key -> axis label
UPDATE_LABEL = "relative update ‖Δx‖/‖x‖ (log)"  # the overlay's convergence panel
MAX_SPECTROGRAMS = 9  # step panels before a subset is drawn (clean comes on top)
STEP_FILE = re.compile(r"step_(\d+)\.wav")
PAIRED_COLUMNS = ("si_sdr_vs_first", "si_sdr_vs_first_low", "si_sdr_vs_first_high")
OVERLAY_COLUMNS = (
    "label",
    "trained_steps",
    "si_sdr_at_T",
    "best_step",
    "si_sdr_at_best",
    "knee_step",
    "si_sdr_gain_at_T",
    "eval_dir",
)


def paired_differences(runs: dict[str, "EvalRun"]) -> dict[str, tuple] | None:
    """Each run's SI-SDR at its T minus the first run's at its T, clip by clip: (mean, low,
    high) of the 95 % t-interval. Paired on the same clips, the interval is far narrower
    than the two runs' own intervals. None unless every folder holds per_clip.csv over the
    same clips."""
    paths = [run.folder / PER_CLIP for run in runs.values()]
    if not all(path.is_file() for path in paths):
        return None
    scores = [
        load_clip_scores(p, r.trained_steps) for p, r in zip(paths, runs.values(), strict=True)
    ]
    if any(s.keys() != scores[0].keys() for s in scores):
        log.info("per_clip.csv files cover different clips: no paired differences")
        return None
    clips = sorted(scores[0])
    first = torch.tensor([scores[0][c] for c in clips])
    return {
        label: mean_with_interval(torch.tensor([s[c] for c in clips]) - first)
        for label, s in zip(runs, scores, strict=True)
    }


def band(records: list[dict], metric: str, bucket: str | None = None) -> Band:
    """One metric's per-step mean and 95 % interval, over all clips or one bucket's."""
    rows = [r if bucket is None else r.get("buckets", {}).get(bucket, {}) for r in records]

    def column(values: list) -> np.ndarray:  # (N+1,), NaN for null
        return np.array([math.nan if v is None else v for v in values], dtype=float)

    intervals = [row.get(f"{metric}_ci") or [None, None] for row in rows]
    return Band(
        column([row.get(metric) for row in rows]),
        column([low for low, _ in intervals]),
        column([high for _, high in intervals]),
    )


def snr_buckets(records: list[dict]) -> list[tuple[float, str]]:
    """The pure input-SNR buckets ("-5dB", "0dB", "2.5dB"; not "0dB_white" or "white") as
    (SNR, key), SNR ascending."""
    found = []
    for key in dict.fromkeys(k for r in records for k in r.get("buckets", {})):
        try:
            found.append((float(key.removesuffix("dB")), key))
        except ValueError:
            continue  # a noise kind, or an SNR and a noise kind
    return sorted(k for k in found if k[1].endswith("dB"))


# --- one evaluation folder -------------------------------------------------------------------


def chosen_steps(run: EvalRun) -> dict[str, dict[str, int]]:
    """summary.json's chosen steps as marks {axis label: {mark label: t}}: the best step of
    each metric and the knee, where they name a step that per_step.json holds."""
    choice = run.summary.get("choice") or {}
    marks: dict[str, dict[str, int]] = {ylabel: {} for ylabel in METRICS.values()}
    for metric, step in (choice.get("best_step") or {}).items():
        if metric in METRICS:
            marks[METRICS[metric]]["best step"] = step
    knee = choice.get("knee") or {}
    if knee.get("step") is not None and knee.get("metric", "si_sdr") in METRICS:
        delta = knee.get("delta_db")
        label = f"knee (within {delta:g} dB of best)" if is_number(delta) else "knee"
        marks[METRICS[knee.get("metric", "si_sdr")]][label] = knee["step"]
    for points in marks.values():
        for label, step in list(points.items()):
            if not (isinstance(step, int) and 0 <= step < len(run.records)):
                log.warning(
                    "%s: %s at step %r is not a step of per_step.json", run.folder, label, step
                )
                del points[label]
    return marks


def headline_figure(run: EvalRun, name: str):
    """SI-SDR and SNR per step: one line per input-SNR bucket and one for all clips."""
    first = run.records[0]
    everyone = f"all clips (n = {first.get('n', '?')})"
    panels = {}
    for metric, ylabel in METRICS.items():
        curves = {}
        for snr, key in snr_buckets(run.records):
            n = first.get("buckets", {}).get(key, {}).get("n", "?")
            curve = band(run.records, metric, key)
            if not np.isnan(curve.mean).all():  # a bucket without clips has no line
                curves[f"input {snr:g} dB (n = {n})"] = curve
        curves[everyone] = band(run.records, metric)
        panels[ylabel] = curves
    title = f"{name}: quality per refinement step, 95 % intervals (trained T = {run.trained_steps})"
    return per_step_bands_figure(panels, everyone, run.trained_steps, chosen_steps(run), title)


def spectrogram_steps(available: list[int], trained_steps: int, most: int = MAX_SPECTROGRAMS):
    """The steps to show: all when there are at most `most`, else the first three, T/2, T and
    the last (each the nearest available step), in order."""
    available = sorted(available)
    if len(available) <= most:
        return available
    wanted = [available[0], 1, 2, round(trained_steps / 2), trained_steps, available[-1]]
    return sorted({min(available, key=lambda s, w=w: abs(s - w)) for w in wanted})


def step_title(t: int, trained_steps: int) -> str:
    if t == 0:
        return "t = 0 (noisy input)"
    return f"t = {t} (trained T)" if t == trained_steps else f"t = {t}"


def spectrogram_figure(run: EvalRun, name: str):
    """The example clip's spectrograms, or None (with a warning) when example/ is missing."""
    example = run.folder / EXAMPLE
    if not example.is_dir():
        log.warning("%s: no example/ folder, so no spectrogram figure", run.folder)
        return None
    files = {int(m[1]): p for p in example.iterdir() if (m := STEP_FILE.fullmatch(p.name))}
    if not files:
        log.warning("%s holds no step_NN.wav files, so no spectrogram figure", example)
        return None
    rate = run.summary.get("sample_rate")
    panels = []
    for t in spectrogram_steps(list(files), run.trained_steps):
        audio, rate = load_audio(files[t], rate)  # (C, T), at the first file's rate if unknown
        panels.append((step_title(t, run.trained_steps), audio.mean(0).numpy()))
    if (example / "clean.wav").is_file():
        panels.append(("clean", load_audio(example / "clean.wav", rate)[0].mean(0).numpy()))
    else:
        log.warning("%s: no clean.wav, so no clean panel", example)
    title = f"{name}: log-magnitude spectrograms of the example clip per refinement step"
    return spectrogram_grid_figure(panels, rate, title=title)


def convergence_figure_of(run: EvalRun, name: str):
    """Update norms per step and steps to convergence; None when no update norm is recorded."""
    norms = band(run.records, "update_norm")
    if np.isnan(norms.mean).all():
        log.warning(
            "%s: per_step.json records no update_norm, so no convergence figure", run.folder
        )
        return None
    per_clip = None
    if (run.folder / PER_CLIP).is_file():
        per_clip = load_update_norms(run.folder / PER_CLIP, len(run.records))
    else:
        log.info("%s: no per_clip.csv, so no per-clip lines", run.folder)
    histograms = None
    if (run.folder / CONVERGENCE).is_file():
        histograms = load_convergence(run.folder / CONVERGENCE)
    else:
        log.info("%s: no convergence.csv, so no steps-to-convergence panel", run.folder)
    title = f"{name}: convergence of the refinement"
    return convergence_figure(norms, per_clip, histograms, run.trained_steps, title)


def plot_eval(folder: Path, out_dir: Path, formats: list[str], label: str | None = None):
    """The figures of one evaluation folder; returns the files written."""
    run = load_run(folder)
    name = label or run.name
    figures = {
        "per_step_snr": headline_figure(run, name),
        "spectrograms": spectrogram_figure(run, name),
        "convergence": convergence_figure_of(run, name),
    }
    return [
        path
        for stem, figure in figures.items()
        if figure is not None
        for path in save_figure(figure, out_dir, stem, formats)
    ]


# --- several evaluation folders --------------------------------------------------------------


def default_labels(folders: list[Path]) -> list[str]:
    """The folder names, or as many trailing path parts as make them differ (a/eval, b/eval)."""
    parts = [folder.resolve().parts for folder in folders]
    for depth in range(1, max(len(p) for p in parts) + 1):
        labels = ["/".join(p[-depth:]) for p in parts]
        if len(set(labels)) == len(labels):
            return labels
    return [f"{folder} ({i})" for i, folder in enumerate(folders, start=1)]  # one folder twice


def overlay_row(label: str, run: EvalRun) -> dict:
    """A run's numbers at its trained T; None where per_step.json or the summary has none.

    The best step is summary.json's choice, or the step of the highest mean SI-SDR when the
    summary gives none (a look-up, not a new metric).
    """
    si_sdr = [r["si_sdr"] for r in run.records]  # (N+1,) mean dB, None if not recorded
    t = run.trained_steps
    at_t = si_sdr[t] if t < len(si_sdr) else None
    best = ((run.summary.get("choice") or {}).get("best_step") or {}).get("si_sdr")
    if not (isinstance(best, int) and 0 <= best < len(si_sdr)):
        recorded = [(v, s) for s, v in enumerate(si_sdr) if v is not None]
        best = max(recorded, key=lambda pair: pair[0])[1] if recorded else None
    knee = ((run.summary.get("choice") or {}).get("knee") or {}).get("step")
    row = {
        "label": label,
        "trained_steps": t,
        "si_sdr_at_T": at_t,
        "best_step": best,
        "si_sdr_at_best": None if best is None else si_sdr[best],
        "knee_step": knee,
        "si_sdr_gain_at_T": None if None in (at_t, si_sdr[0]) else at_t - si_sdr[0],
    }
    for _, key in snr_buckets(run.records):  # the gain at T per input SNR
        bucket = [r.get("buckets", {}).get(key, {}).get("si_sdr") for r in run.records]
        gain = None if t >= len(bucket) or None in (bucket[t], bucket[0]) else bucket[t] - bucket[0]
        row[f"si_sdr_gain_at_T_{key}"] = gain
    return row | {"eval_dir": str(run.folder)}


def write_overlay_tables(rows: list[dict], out_dir: Path) -> list[Path]:
    """overlay_summary.csv (dB to 3 decimals) and overlay_summary.md (a Markdown table)."""

    def cell(value, decimals: int) -> str:
        if value is None:
            return ""
        return f"{value:.{decimals}f}" if isinstance(value, float) else str(value)

    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path, md_path = out_dir / "overlay_summary.csv", out_dir / "overlay_summary.md"
    keys = list(dict.fromkeys(k for row in rows for k in row))
    per_snr = [k for k in keys if k.startswith("si_sdr_gain_at_T_")]
    paired = [k for k in PAIRED_COLUMNS if k in keys]
    columns = [*OVERLAY_COLUMNS[:-1], *per_snr, *paired, OVERLAY_COLUMNS[-1]]
    write_csv(csv_path, [{c: cell(row.get(c), 3) for c in columns} for row in rows], columns)
    header = (
        "| run | trained T | SI-SDR at T (dB) | best step | SI-SDR at best step (dB) "
        "| knee step | SI-SDR gain over the input at T (dB) |"
        + "".join(f" gain at T, input {k.removeprefix('si_sdr_gain_at_T_')} |" for k in per_snr)
        + (" SI-SDR at T minus the first run's, same clips (95 % CI) |" if paired else "")
    )
    lines = [header, "|---|" + "--:|" * (6 + len(per_snr) + bool(paired))]
    for row in rows:
        cells = [cell(row.get(c), 2) or "–" for c in [*OVERLAY_COLUMNS[1:-1], *per_snr]]
        if paired:
            mean, low, high = (cell(row.get(k), 2) for k in PAIRED_COLUMNS)
            cells.append(f"{mean} [{low}, {high}]")
        lines.append("| " + " | ".join([row["label"], *cells]) + " |")
    write_text_atomic(md_path, "\n".join(lines) + "\n")
    return [csv_path, md_path]


def plot_overlay(folders: list[Path], labels: list[str], out_dir: Path, formats: list[str]):
    """The overlay figure and summary tables of several evaluation folders."""
    runs = {label: load_run(folder) for label, folder in zip(labels, folders, strict=True)}
    return plot_runs(runs, out_dir, formats)


def plot_runs(runs: dict[str, EvalRun], out_dir: Path, formats: list[str]) -> list[Path]:
    """The overlay figure and summary tables of labelled runs."""
    curves = {
        label: {ylabel: band(run.records, metric) for metric, ylabel in METRICS.items()}
        for label, run in runs.items()
    }
    updates = {label: band(run.records, "update_norm") for label, run in runs.items()}
    if any(np.isfinite(update.mean).any() for update in updates.values()):
        for label, update in updates.items():  # how each run settles, on a log axis
            curves[label][UPDATE_LABEL] = update
    trained = {label: run.trained_steps for label, run in runs.items()}
    title = f"quality per refinement step, all clips, 95 % intervals: {len(runs)} runs"
    written = save_figure(
        overlay_figure(curves, trained, title), out_dir, "overlay_per_step", formats
    )
    rows = [overlay_row(label, run) for label, run in runs.items()]
    paired = paired_differences(runs)
    if paired is not None:
        for row in rows:
            mean, low, high = paired[row["label"]]
            row.update(si_sdr_vs_first=mean, si_sdr_vs_first_low=low, si_sdr_vs_first_high=high)
    return written + write_overlay_tables(rows, out_dir)


# --- a sweep folder ---------------------------------------------------------------------------


def is_sweep(folder: Path) -> bool:
    """A folder of training runs (a Hydra multirun), not an evaluation folder."""
    return not (folder / PER_STEP).exists() and any(folder.glob("*/history.json"))


def history_run(run_dir: Path, delta_db: float = 0.5) -> EvalRun:
    """A training run's last validation (history.json) as per-step records: means over the
    validation clips, no intervals; the knee is the smallest t within delta_db of the best."""
    path = run_dir / "history.json"
    history = read_json(path)
    try:
        last = history[-1]
        records = [
            {
                "step": t,
                "si_sdr": entry["si_sdr"],
                "snr": entry["snr"],
                "buckets": {
                    key.removeprefix("per_step_"): last[key][t]
                    for key in last
                    if key.startswith("per_step_")
                },
            }
            for t, entry in enumerate(last["per_step"])
        ]
        train_step = last["train_step"]
    except (IndexError, KeyError, TypeError) as error:
        raise EvalFolderError(f"{path}: not a refine-train history ({error!r})") from error
    for record in records:
        check_metrics(record, path, f"step {record['step']}")
    curve = [record["si_sdr"] for record in records]
    summary = {
        "trained_steps": len(records) - 1,
        "source": f"validation after {train_step} training steps",
        "choice": {"knee": {"delta_db": delta_db, "step": knee_step(curve, delta_db)}},
    }
    return EvalRun(run_dir, records, summary)


def sweep_runs(folder: Path) -> dict[str, EvalRun]:
    """Every run of a sweep folder by its name (Hydra names it from its overrides), in natural
    order: its evaluation (RUN/eval/per_step.json) where refine-eval made one, else its last
    validation."""

    def natural(path: Path) -> list:
        return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", path.name)]

    runs = {}
    for run_dir in sorted((p.parent for p in folder.glob("*/history.json")), key=natural):
        evaluated = (run_dir / "eval" / PER_STEP).exists()
        runs[run_dir.name] = load_run(run_dir / "eval") if evaluated else history_run(run_dir)
    return runs
