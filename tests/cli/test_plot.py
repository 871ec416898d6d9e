"""refine-plot on fake evaluation folders: every figure is written, overlay tables hold the
numbers of per_step.json and summary.json, and bad input ends in a one-line error."""

import csv
import json
import logging
import math

import numpy as np
import pytest
import scipy.stats
import soundfile as sf

from refine.cli.plot import main
from refine.study.figures import Band, convergence_figure
from refine.study.report import spectrogram_steps

SNRS = (-5.0, 0.0, 5.0)
KINDS = ("white", "pink")
CLIPS, RATE = 8, 16000
FIGURES = ("per_step_snr", "spectrograms", "convergence")


def stats(values: np.ndarray) -> tuple:
    """(mean, [low, high]) with a normal 95 % interval, as refine-eval would write them."""
    mean = round(float(values.mean()), 4)
    if len(values) < 2:
        return mean, None
    half = 1.96 * values.std(ddof=1) / math.sqrt(len(values))
    return mean, [round(mean - half, 4), round(mean + half, 4)]


def record(metrics: dict, t: int, keep: np.ndarray) -> dict:
    entry = {"n": int(keep.sum())}
    for name, values in metrics.items():
        if name == "update_norm" and t == 0:
            entry[name], entry[f"{name}_ci"] = None, None
        else:
            entry[name], entry[f"{name}_ci"] = stats(values[keep, t])
    return entry


def write_fake_eval(folder, trained=6, steps=10, gain=8.0, seed=0, example=True, tols=(1e-2, 1e-3)):
    """An evaluation folder as refine-eval writes it; returns the per-step mean SI-SDR (N+1,)."""
    rng = np.random.default_rng(seed)
    input_snr = np.array([SNRS[i % 3] for i in range(CLIPS)])  # (E,)
    kinds = np.array([KINDS[i % 2] for i in range(CLIPS)])  # (E,)
    t = np.arange(steps + 1)  # (N+1,)
    curve = gain * (1 - np.exp(-t / 2)) - 0.2 * np.maximum(t - trained, 0)  # (N+1,)
    si_sdr = input_snr[:, None] + curve + rng.normal(0, 0.5, (CLIPS, steps + 1))  # (E, N+1)
    update = 0.5 * 0.6**t * rng.uniform(0.3, 3.0, (CLIPS, 1))  # (E, N+1)
    metrics = {
        "snr": si_sdr + 0.3,
        "si_sdr": si_sdr,
        "seg_snr": si_sdr - 2.0,
        "update_norm": update,
    }
    masks = {f"{s:g}dB": input_snr == s for s in SNRS} | {k: kinds == k for k in KINDS}
    masks |= {f"{s:g}dB_{k}": (input_snr == s) & (kinds == k) for s in SNRS for k in KINDS}
    everyone = np.ones(CLIPS, bool)
    per_step = [
        {"step": int(s), **record(metrics, s, everyone)}
        | {"buckets": {key: record(metrics, s, keep) for key, keep in masks.items()}}
        for s in t
    ]
    folder.mkdir(parents=True)
    (folder / "per_step.json").write_text(json.dumps(per_step, indent=1))
    mean_si_sdr = [r["si_sdr"] for r in per_step]

    with (folder / "per_clip.csv").open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["clip", "input_snr_db", "noise_kind", "step", *metrics])
        for e in range(CLIPS):
            for s in t:
                norm = "" if s == 0 else f"{update[e, s]:.6f}"
                row = [f"{metrics[m][e, s]:.4f}" for m in ("snr", "si_sdr", "seg_snr")]
                writer.writerow([f"clip{e:03d}", input_snr[e], kinds[e], s, *row, norm])

    convergence = []
    if tols:
        with (folder / "convergence.csv").open("w", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(
                ["clip", "input_snr_db", "noise_kind", "tol", "steps", "snr"]
                + [
                    "si_sdr",
                    "diverged",
                ]
            )
            for tol in tols:
                needed = [
                    int(np.argmax(np.append(update[e, 1:] < tol, True))) + 1 for e in range(CLIPS)
                ]
                for e, n in enumerate(needed):
                    n = min(n, steps)
                    diverged = int(e == 7 and tol == tols[-1])
                    writer.writerow(
                        [f"clip{e:03d}", input_snr[e], kinds[e], tol, n, 1.0, 2.0, diverged]
                    )
                convergence.append(
                    {"tol": tol, "mean_steps": float(np.mean(needed)), "diverged": 1}
                )

    best = int(np.argmax(mean_si_sdr))
    summary = {
        "checkpoint": f"outputs/run_T{trained}/checkpoint.pt",
        "trained_steps": trained,
        "max_steps": steps,
        "sample_rate": RATE,
        "clips": CLIPS,
        "rtf_per_step": 0.01,
        "choice": {
            "best_step": {"si_sdr": best, "snr": best},
            "knee": {"delta_db": 0.1, "metric": "si_sdr", "step": 4},
            "within_rtf": {"rtf_limit": None, "step": None},
            "tolerance": {"tol": None, "mean_steps": 5.0, "si_sdr": 3.0, "steps_saved": 1.0},
        },
        "convergence": convergence,
    }
    (folder / "summary.json").write_text(json.dumps(summary, indent=1))

    if example:
        seconds = np.arange(RATE // 2) / RATE  # 0.5 s
        clean = 0.4 * np.sin(2 * np.pi * 440 * seconds) + 0.2 * np.sin(2 * np.pi * 1320 * seconds)
        noise = rng.normal(0, 0.3, seconds.shape)
        (folder / "example").mkdir()
        sf.write(folder / "example" / "clean.wav", clean, RATE, subtype="FLOAT")
        for s in t:
            audio = clean + noise * 0.7**s
            sf.write(folder / "example" / f"step_{s:02d}.wav", audio, RATE, subtype="FLOAT")
    return mean_si_sdr


@pytest.fixture
def eval_dir(tmp_path):
    folder = tmp_path / "eval"
    write_fake_eval(folder)
    return folder


def assert_written(path, kind: str):
    head = {"png": b"\x89PNG", "pdf": b"%PDF"}[kind]
    assert path.is_file() and path.stat().st_size > 1000, path
    assert path.read_bytes()[:4] == head, path


def test_one_folder_writes_three_figures_as_png_and_pdf(eval_dir):
    main([str(eval_dir)])
    for stem in FIGURES:
        for kind in ("png", "pdf"):
            assert_written(eval_dir / "figures" / f"{stem}.{kind}", kind)


def test_the_same_records_draw_the_same_pdf_bytes(eval_dir, tmp_path):
    main([str(eval_dir), "-o", str(tmp_path / "first")])
    main([str(eval_dir), "-o", str(tmp_path / "second")])
    for stem in FIGURES:
        first = (tmp_path / "first" / f"{stem}.pdf").read_bytes()
        assert b"CreationDate" not in first
        assert first == (tmp_path / "second" / f"{stem}.pdf").read_bytes(), stem


def test_overlay_writes_figure_and_tables_with_each_runs_numbers(tmp_path):
    runs = {
        "T = 6": (6, write_fake_eval(tmp_path / "a", trained=6, gain=8.0, seed=1)),
        "T = 3": (3, write_fake_eval(tmp_path / "b", trained=3, gain=10.0, seed=2, steps=8)),
    }
    out = tmp_path / "overlay"
    main([str(tmp_path / "a"), str(tmp_path / "b"), "-o", str(out), "--labels", *runs])
    for kind in ("png", "pdf"):
        assert_written(out / f"overlay_per_step.{kind}", kind)
    assert not (out / "per_step_snr.png").exists()  # per-run figures come from one folder
    rows = list(csv.DictReader((out / "overlay_summary.csv").open()))
    assert [row["label"] for row in rows] == list(runs)
    for row, (trained, si_sdr) in zip(rows, runs.values(), strict=True):
        best = int(np.argmax(si_sdr))
        assert int(row["trained_steps"]) == trained
        assert float(row["si_sdr_at_T"]) == pytest.approx(si_sdr[trained], abs=1e-3)
        assert int(row["best_step"]) == best
        assert float(row["si_sdr_at_best"]) == pytest.approx(si_sdr[best], abs=1e-3)
        assert int(row["knee_step"]) == 4
        gain = si_sdr[trained] - si_sdr[0]
        assert float(row["si_sdr_gain_at_T"]) == pytest.approx(gain, abs=1e-3)
    for row, folder in zip(rows, ("a", "b"), strict=True):  # the gain at T per input SNR
        records = json.loads((tmp_path / folder / "per_step.json").read_text())
        trained = int(row["trained_steps"])
        for key in ("-5dB", "0dB", "5dB"):
            bucket = [r["buckets"][key]["si_sdr"] for r in records]
            gain = float(row[f"si_sdr_gain_at_T_{key}"])
            assert gain == pytest.approx(bucket[trained] - bucket[0], abs=1e-3)
    table = (out / "overlay_summary.md").read_text().splitlines()
    assert len(table) == 2 + len(runs) and table[0].startswith("| run | trained T |")
    assert "gain at T, input 5dB |" in table[0]
    assert table[2].startswith(f"| T = 6 | 6 | {runs['T = 6'][1][6]:.2f} |")


def test_overlays_of_the_same_clips_pair_them(tmp_path):
    write_fake_eval(tmp_path / "a", trained=6, gain=8.0, seed=1)
    write_fake_eval(tmp_path / "b", trained=3, gain=10.0, seed=2, steps=8)
    out = tmp_path / "overlay"
    main([str(tmp_path / "a"), str(tmp_path / "b"), "-o", str(out)])
    clips = {}
    for folder, trained in (("a", 6), ("b", 3)):
        rows = csv.DictReader((tmp_path / folder / "per_clip.csv").open())
        clips[folder] = {r["clip"]: float(r["si_sdr"]) for r in rows if int(r["step"]) == trained}
    differences = np.array([clips["b"][c] - clips["a"][c] for c in sorted(clips["a"])])
    rows = list(csv.DictReader((out / "overlay_summary.csv").open()))
    assert float(rows[0]["si_sdr_vs_first"]) == 0.0
    assert float(rows[1]["si_sdr_vs_first"]) == pytest.approx(differences.mean(), abs=1e-3)
    half = float(rows[1]["si_sdr_vs_first_high"]) - float(rows[1]["si_sdr_vs_first"])
    expected = scipy.stats.t.ppf(0.975, len(differences) - 1) * differences.std(ddof=1)
    assert half == pytest.approx(expected / len(differences) ** 0.5, abs=1e-3)
    assert (
        "minus the first run's, same clips (95 % CI) |" in (out / "overlay_summary.md").read_text()
    )


def test_overlay_labels_default_to_the_shortest_distinct_folder_paths(tmp_path):
    for run in ("a", "b"):
        write_fake_eval(tmp_path / run / "eval", example=False, tols=())
    out = tmp_path / "out"
    main(
        [
            str(tmp_path / "a" / "eval"),
            str(tmp_path / "b" / "eval"),
            "-o",
            str(out),
            "--formats",
            "png",
        ]
    )
    labels = [row["label"] for row in csv.DictReader((out / "overlay_summary.csv").open())]
    assert labels == ["a/eval", "b/eval"]


def run_failing(argv, capsys) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("refine-plot: error:")
    return error


def test_a_folder_without_per_step_json_is_named_in_the_error(eval_dir, capsys):
    (eval_dir / "per_step.json").unlink()
    error = run_failing([str(eval_dir)], capsys)
    assert str(eval_dir) in error and "per_step.json" in error


def test_malformed_json_is_named_in_the_error(eval_dir, capsys):
    (eval_dir / "per_step.json").write_text('[{"step": 0, "snr": ')
    assert "per_step.json: not valid JSON" in run_failing([str(eval_dir)], capsys)


def test_a_metric_that_is_not_a_number_is_named_in_the_error(eval_dir, capsys):
    records = json.loads((eval_dir / "per_step.json").read_text())
    records[3]["buckets"]["0dB"]["si_sdr"] = "high"
    (eval_dir / "per_step.json").write_text(json.dumps(records))
    error = run_failing([str(eval_dir)], capsys)
    assert "step 3, bucket '0dB': si_sdr = 'high' is not a number" in error


@pytest.mark.parametrize(
    "args, message",
    [
        (["A", "--labels", "one", "two"], "--labels gives 2 label(s) for 1 folder(s)"),
        (["A", "A", "-o", "out", "--labels", "x", "x"], "--labels must differ"),
        (["A", "A"], "say where it goes with -o OUT_DIR"),
        (["A", "--formats", "gif"], "invalid choice: 'gif'"),
    ],
)
def test_bad_arguments_exit_with_status_2(eval_dir, capsys, args, message):
    argv = [str(eval_dir) if arg == "A" else arg for arg in args]
    assert message in run_failing(argv, capsys)


def test_without_example_folder_the_spectrograms_are_skipped_with_a_warning(tmp_path, caplog):
    folder = tmp_path / "eval"
    write_fake_eval(folder, example=False)
    with caplog.at_level(logging.WARNING):
        main([str(folder), "-o", str(tmp_path / "out"), "--formats", "png"])
    assert "no example/ folder" in caplog.text
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["convergence.png", "per_step_snr.png"]


def test_without_convergence_csv_the_convergence_figure_has_one_panel(tmp_path, caplog):
    folder = tmp_path / "eval"
    write_fake_eval(folder, example=False, tols=())
    with caplog.at_level(logging.INFO):
        main([str(folder), "--formats", "png"])
    assert "no convergence.csv" in caplog.text
    assert_written(folder / "figures" / "convergence.png", "png")
    norms = Band(*(np.array([math.nan, 0.3, 0.1, 0.03]) * f for f in (1.0, 0.5, 1.5)))
    assert len(convergence_figure(norms).axes) == 1
    assert len(convergence_figure(norms, steps_to_converge={"tol = 0.1": [2, 3]}).axes) == 2


@pytest.mark.parametrize(
    "available, trained, shown",
    [
        (range(5), 3, [0, 1, 2, 3, 4]),  # few steps: all of them
        (range(11), 6, [0, 1, 2, 3, 6, 10]),  # 0, 1, 2, T/2, T, last
        (range(21), 30, [0, 1, 2, 15, 20]),  # T beyond the evaluated steps: nearest ones
    ],
)
def test_spectrogram_steps(available, trained, shown):
    assert spectrogram_steps(list(available), trained) == shown
