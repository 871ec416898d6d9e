"""The evaluation records on disk, written by refine-eval and read by refine-plot and the
experiment scripts: the one place that knows their names and fields.

    per_step.json     one record per step t = 0 … N: means and 95 % intervals of each metric,
                      overall and per bucket (input SNR, noise kind, both)
    per_clip.csv      every clip × step: the clip's input SNR, noise kind and metrics
    convergence.csv   every clip × tolerance: steps taken, final quality, divergence
    summary.json      the trained T, the choices, the convergence summary, RTF and cost
    example/          step_NN.wav (x̂_0 … x̂_N) and clean.wav of one clip

JSON has no NaN: a value that is not finite is null, a CSV cell empty. Reading checks what it
reads and names the file, the line and the field of anything wrong (`EvalFolderError`).
"""

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from refine.audio import save_audio
from refine.files import write_text_atomic
from refine.study.measure import summarise
from refine.tables import write_csv

PER_STEP, PER_CLIP, CONVERGENCE, SUMMARY = (
    "per_step.json",
    "per_clip.csv",
    "convergence.csv",
    "summary.json",
)
EXAMPLE = "example"  # the example clip's folder
BUCKET_METRICS = ("snr", "si_sdr", "seg_snr")  # per_step.json's metrics per bucket
SPEECH_METRICS = ("pesq", "stoi", "estoi")  # when the clips are speech
REQUIRED = ("si_sdr", "snr")  # every per_step.json record has them
CLIP_KEYS = ("clip", "input_snr_db", "noise_kind")  # what identifies a clip in per_clip.csv


# --- writing ---------------------------------------------------------------------------------


def finite(value: float) -> float | None:
    """A value as stored: 4 decimals (dB, scores), or 3 significant figures where that is
    finer (a converging update's norm falls to 1e-6, which 4 decimals would store as 0 and
    a log axis would drop). JSON has no NaN or infinity: missing or unbounded values are null."""
    if value is None or not math.isfinite(value):
        return None
    return round(value, 4) if abs(value) >= 1e-2 else float(f"{value:.3g}")


def with_interval(name: str, values: torch.Tensor) -> dict:
    """{name: mean, name_ci: [low, high]} over clips (nulls when no value is finite)."""
    stats = summarise(values)
    mean = finite(stats["mean"])
    return {name: mean, f"{name}_ci": None if mean is None else [finite(v) for v in stats["ci"]]}


def step_records(metrics: dict, groups: dict[str, torch.Tensor], speech: bool) -> list[dict]:
    """per_step.json: one record per step with means, 95 % intervals and buckets."""
    names = list(BUCKET_METRICS) + ["update_norm"] + (list(SPEECH_METRICS) if speech else [])
    records = []
    for t in range(metrics["si_sdr"].shape[0]):
        record = {"step": t, "n": metrics["si_sdr"].shape[1]}
        for name in names:
            record.update(with_interval(name, metrics[name][t]))
        record["buckets"] = {}
        for group, mask in groups.items():
            entry = {"n": int(mask.sum())}
            for name in BUCKET_METRICS:
                entry.update(with_interval(name, metrics[name][t, mask]))
            record["buckets"][group] = entry
        records.append(record)
    return records


def clip_rows(metrics: dict, speech: bool) -> list[dict]:
    """per_clip.csv rows: every clip × step."""
    names = list(BUCKET_METRICS) + ["update_norm"] + (list(SPEECH_METRICS) if speech else [])
    steps, clips = metrics["si_sdr"].shape
    rows = []
    for clip in range(clips):
        for t in range(steps):
            row = {
                "clip": clip,
                "input_snr_db": round(float(metrics["input_snr"][clip]), 4),
                "noise_kind": metrics["noise_kind"][clip],
                "step": t,
            }
            for name in names:
                value = finite(float(metrics[name][t, clip]))
                row[name] = "" if value is None else value
            rows.append(row)
    return rows


def convergence_summary(rows: list[dict]) -> list[dict]:
    """Per tolerance: mean steps, the share of clips that converged, mean SI-SDR (95 %
    interval), mean SNR, divergences, the fixed-point map's spectral radius (median and
    largest), and the mean steps and SI-SDR per input SNR and noise kind (do easy clips
    stop earlier?)."""
    summary = []
    for tol in sorted({row["tol"] for row in rows}, reverse=True):
        runs = [row for row in rows if row["tol"] == tol]
        radii = torch.tensor([r["spectral_radius"] for r in runs if r["spectral_radius"] != ""])
        record = {
            "tol": tol,
            "mean_steps": round(sum(r["steps"] for r in runs) / len(runs), 3),
            "converged": round(sum(r["converged"] for r in runs) / len(runs), 4),
            **with_interval("si_sdr", torch.tensor([row["si_sdr"] for row in runs])),
            "snr": finite(sum(r["snr"] for r in runs) / len(runs)),
            "diverged": sum(r["diverged"] for r in runs),
            "spectral_radius": None
            if len(radii) == 0
            else {"median": finite(radii.median().item()), "max": finite(radii.max().item())},
            "buckets": {},
        }
        for key, name in (("input_snr_db", "{:g}dB"), ("noise_kind", "{}")):
            for value in sorted({r[key] for r in runs}):
                group = [r for r in runs if r[key] == value]
                record["buckets"][name.format(value)] = {
                    "n": len(group),
                    "mean_steps": round(sum(r["steps"] for r in group) / len(group), 3),
                    "si_sdr": finite(sum(r["si_sdr"] for r in group) / len(group)),
                }
        summary.append(record)
    return summary


def write_per_step(folder: Path, records: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_text_atomic(folder / PER_STEP, json.dumps(records, indent=1))


def write_per_clip(folder: Path, rows: list[dict]) -> None:
    write_csv(folder / PER_CLIP, rows)


def write_convergence(folder: Path, rows: list[dict]) -> None:
    write_csv(folder / CONVERGENCE, rows)


def write_summary(folder: Path, summary: dict) -> None:
    write_text_atomic(folder / SUMMARY, json.dumps(summary, indent=1))


def write_example(folder: Path, path: list, clean: torch.Tensor, sample_rate: int) -> None:
    """The example clip's x̂_0 … x̂_N as step_NN.wav (two digits at least) and clean.wav."""
    digits, example = max(2, len(str(len(path) - 1))), folder / EXAMPLE
    for t, audio in enumerate(path):
        save_audio(example / f"step_{t:0{digits}d}.wav", audio, sample_rate, "FLOAT")
    save_audio(example / "clean.wav", clean, sample_rate, "FLOAT")


# --- reading ---------------------------------------------------------------------------------


class EvalFolderError(ValueError):
    """An evaluation folder, or a file in it, that cannot be drawn: the message names it."""


@dataclass
class EvalRun:
    """What one evaluation folder holds: per_step.json's records and summary.json."""

    folder: Path
    records: list[dict]  # one per step t = 0 … N
    summary: dict

    @property
    def trained_steps(self) -> int:
        return self.summary["trained_steps"]

    @property
    def name(self) -> str:
        """The method's name, the run folder of the checkpoint (where refine-train wrote it),
        else this folder."""
        if self.summary.get("method"):
            return self.summary["method"]
        checkpoint = Path(str(self.summary.get("checkpoint") or ""))
        return checkpoint.parent.name or checkpoint.stem or self.folder.resolve().name


def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def read_json(path: Path):
    if not path.is_file():
        raise EvalFolderError(
            f"{path}: no such file (is {path.parent} a folder written by refine-eval?)"
        )
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise EvalFolderError(f"{path}: not valid JSON ({error})") from error


def check_metrics(values: dict, path: Path, where: str) -> None:
    """Each metric a number or null, each "_ci" a [low, high] pair or null."""
    for metric in (*REQUIRED, "update_norm"):
        value, interval = values.get(metric), values.get(f"{metric}_ci")
        if value is not None and not is_number(value):
            raise EvalFolderError(f"{path}: {where}: {metric} = {value!r} is not a number")
        if interval is not None and not (
            isinstance(interval, list)
            and len(interval) == 2
            and all(v is None or is_number(v) for v in interval)
        ):
            raise EvalFolderError(
                f"{path}: {where}: {metric}_ci = {interval!r} is not a [low, high] pair"
            )


def load_per_step(folder: Path) -> list[dict]:
    """per_step.json's records, checked: steps 0 … N in order, numbers where numbers belong."""
    path = folder / PER_STEP
    records = read_json(path)
    if not (isinstance(records, list) and records and all(isinstance(r, dict) for r in records)):
        raise EvalFolderError(f"{path}: expected a non-empty JSON list of per-step records")
    steps = [record.get("step") for record in records]
    if steps != list(range(len(records))):
        raise EvalFolderError(f"{path}: steps must run 0, 1, …, N in order; got {steps[:12]}")
    for t, record in enumerate(records):
        missing = [metric for metric in REQUIRED if metric not in record]
        if missing:
            raise EvalFolderError(f"{path}: the record of step {t} lacks {missing}")
        check_metrics(record, path, f"step {t}")
        buckets = record.get("buckets", {})
        if not isinstance(buckets, dict) or not all(isinstance(b, dict) for b in buckets.values()):
            raise EvalFolderError(f"{path}: step {t}: buckets must map names to records")
        for key, bucket in buckets.items():
            check_metrics(bucket, path, f"step {t}, bucket {key!r}")
    return records


def load_summary(folder: Path) -> dict:
    """summary.json, which must at least give the trained T as a whole number."""
    path = folder / SUMMARY
    summary = read_json(path)
    if not isinstance(summary, dict):
        raise EvalFolderError(f"{path}: expected a JSON object")
    trained = summary.get("trained_steps")
    if not isinstance(trained, int) or isinstance(trained, bool) or trained < 0:
        raise EvalFolderError(f"{path}: trained_steps = {trained!r} is not a whole number >= 0")
    return summary


def load_run(folder: Path) -> EvalRun:
    if not folder.is_dir():
        raise EvalFolderError(f"{folder}: no such folder")
    return EvalRun(folder, load_per_step(folder), load_summary(folder))


def read_csv(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of a CSV file whose header holds at least `columns`."""
    try:
        with path.open(newline="") as file:
            reader = csv.DictReader(file)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise EvalFolderError(f"{path}: the header lacks the column(s) {missing}")
            return list(reader)
    except (csv.Error, UnicodeDecodeError) as error:
        raise EvalFolderError(f"{path}: not a readable CSV file ({error})") from error


def _parse(path: Path, line: int, column: str, text: str, kind=float):
    """A CSV cell as `kind`; an empty cell is NaN."""
    if kind is float and text == "":
        return math.nan
    try:
        return kind(text)
    except ValueError as error:
        raise EvalFolderError(
            f"{path}: line {line}: {column} = {text!r} is not a {kind.__name__}"
        ) from error


def load_update_norms(path: Path, steps: int) -> list[np.ndarray]:
    """per_clip.csv's update norms, one (steps,) array per clip, NaN where not recorded."""
    norms: dict[str, np.ndarray] = {}
    for line, row in enumerate(read_csv(path, ("clip", "step", "update_norm")), start=2):
        t = _parse(path, line, "step", row["step"], int)
        if not 0 <= t < steps:
            raise EvalFolderError(f"{path}: line {line}: step {t} is outside 0 … {steps - 1}")
        clip = norms.setdefault(row["clip"], np.full(steps, np.nan))
        clip[t] = _parse(path, line, "update_norm", row["update_norm"])
    return list(norms.values())


def load_clip_scores(path: Path, step: int) -> dict[tuple[str, str, str], float]:
    """per_clip.csv's SI-SDR at `step`, keyed by (clip, input SNR, noise kind) so that two
    evaluations are paired only on the same clips."""
    scores = {}
    for line, row in enumerate(read_csv(path, CLIP_KEYS + ("step", "si_sdr")), start=2):
        if _parse(path, line, "step", row["step"], int) == step:
            scores[tuple(row[k] for k in CLIP_KEYS)] = _parse(path, line, "si_sdr", row["si_sdr"])
    return scores


def load_convergence(path: Path) -> dict[str, np.ndarray]:
    """convergence.csv as {"tol = x (d diverged)": (clips,) steps to converge}, tol ascending."""
    by_tol: dict[float, list[tuple[int, int]]] = {}
    for line, row in enumerate(read_csv(path, ("tol", "steps", "diverged")), start=2):
        tol = _parse(path, line, "tol", row["tol"])
        steps = _parse(path, line, "steps", row["steps"], int)
        diverged = _parse(path, line, "diverged", row["diverged"], int)
        by_tol.setdefault(tol, []).append((steps, diverged))
    histograms = {}
    for tol in sorted(by_tol):
        steps, diverged = np.array(by_tol[tol]).T  # (clips,) each
        note = f" ({diverged.sum()} diverged)" if diverged.any() else ""
        histograms[f"tol = {tol:g}{note}"] = steps
    return histograms
