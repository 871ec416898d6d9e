"""refine-eval end to end on a tiny trained checkpoint."""

import csv
import json
import shutil
import subprocess
import sys

import pytest
import soundfile
import torch
from hydra import compose, initialize_config_dir

from refine.cli import CONFIG_DIR
from refine.cli.eval import evaluate, format_table, wants_speech_metrics
from refine.cli.train import train_from_config
from refine.data import write_synthetic_folders
from refine.process.build import build_refiner
from refine.process.checkpoint import load_checkpoint, load_refiner, save_checkpoint
from tests.train.test_train import tiny_config


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("run")
    train_from_config(tiny_config("train.steps=2"), run_dir)
    return run_dir / "checkpoint.pt"


def eval_config(checkpoint, *overrides):
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        return compose(
            config_name="eval",
            overrides=[
                f"checkpoint={checkpoint}" if checkpoint else "checkpoint=null",
                "data.examples=4",
                "data.snrs=[0.0,5.0]",
                "data.segment_seconds=0.25",
                "max_steps=4",
                "tolerances=[1.0e-2,1.0e-3]",
                "convergence_max_steps=5",
                "batch_size=3",
                *overrides,
            ],
        )


def test_eval_writes_per_step_records_clip_tables_choices_and_audio(checkpoint, tmp_path):
    summary = evaluate(eval_config(checkpoint), tmp_path)
    records = json.loads((tmp_path / "per_step.json").read_text())
    assert [r["step"] for r in records] == [0, 1, 2, 3, 4]  # past the trained T = 2
    assert all({"snr", "si_sdr", "seg_snr", "si_sdr_ci"} <= r.keys() for r in records)
    assert records[0]["update_norm"] is None and records[1]["update_norm"] > 0
    snrs_and_kinds = {f"{s}dB_{k}" for s in (0, 5) for k in ("white", "pink")}
    assert set(records[0]["buckets"]) == {"0dB", "5dB", "white", "pink"} | snrs_and_kinds
    low, high = records[2]["si_sdr_ci"]
    assert low <= records[2]["si_sdr"] <= high

    clips = list(csv.DictReader(open(tmp_path / "per_clip.csv")))
    assert len(clips) == 4 * 5 and clips[0]["update_norm"] == ""
    convergence = list(csv.DictReader(open(tmp_path / "convergence.csv")))
    assert len(convergence) == 4 * 2 and all(1 <= int(r["steps"]) <= 5 for r in convergence)
    assert all(float(r["spectral_radius"]) >= 0 for r in convergence)
    runs = summary["convergence"]
    assert {"0dB", "5dB", "white", "pink"} <= set(runs[0]["buckets"])
    assert 0 <= runs[0]["converged"] <= 1 and runs[0]["spectral_radius"]["max"] >= 0
    settling = summary["settling"]
    assert settling["updates"]["last_step"] == 4 and len(settling["tolerances"]) == 2
    assert settling["worst_drop_past_T_db"] is not None or settling["collapsed_past_T"]

    assert summary["trained_steps"] == 2 and summary["rtf_per_step"] > 0
    choice = summary["choice"]
    assert 0 <= choice["knee"]["step"] <= choice["best_step"]["si_sdr"] <= 4
    assert json.loads((tmp_path / "summary.json").read_text()) == summary
    steps = sorted(p.name for p in (tmp_path / "example").iterdir())
    assert steps == ["clean.wav"] + [f"step_{t:02d}.wav" for t in range(5)]
    assert soundfile.info(tmp_path / "example" / "step_00.wav").samplerate == 16000


def test_the_default_step_bounds_cover_four_and_eight_times_t(checkpoint, tmp_path):
    config = eval_config(checkpoint, "max_steps=null", "convergence_max_steps=null")
    summary = evaluate(config, tmp_path)
    assert summary["max_steps"] == 4 * 2 and summary["convergence_max_steps"] == 8 * 2


def test_a_respaced_schedule_is_evaluated_as_its_own_t_and_says_so(checkpoint, tmp_path):
    summary = evaluate(eval_config(checkpoint, "schedule_steps=1", "max_steps=null"), tmp_path)
    assert summary["trained_steps"] == 1 and summary["respaced_from"] == 2
    assert summary["max_steps"] == 4  # 4N
    with pytest.raises(ValueError, match="not respaced"):
        evaluate(eval_config(checkpoint, "schedule_steps=1", "write_defaults=true"), tmp_path)
    with pytest.raises(ValueError, match=">= 1"):
        evaluate(eval_config(checkpoint, "schedule_steps=0"), tmp_path)


def test_settings_that_would_lose_the_example_or_the_snr_groups_are_refused(checkpoint, tmp_path):
    with pytest.raises(ValueError, match="example_clip=4: the test set has 4 clips, numbered 0"):
        evaluate(eval_config(checkpoint, "example_clip=4"), tmp_path / "a")
    with pytest.raises(ValueError, match="data.snr_bin_db=0.0: must be > 0 dB"):
        evaluate(eval_config(checkpoint, "data.snr_bin_db=0.0"), tmp_path / "b")
    evaluate(eval_config(checkpoint, "example_clip=3"), tmp_path / "c")
    assert any((tmp_path / "c" / "example").iterdir())  # the last clip's audio, as asked


def test_eval_can_write_its_choice_into_the_checkpoint(checkpoint, tmp_path):
    summary = evaluate(eval_config(checkpoint, "write_defaults=true"), tmp_path)
    inference = load_checkpoint(checkpoint)["inference"]
    assert inference["steps"] == summary["choice"]["knee"]["step"]
    assert inference["tol"] == summary["choice"]["tolerance"]["tol"]
    assert load_checkpoint(checkpoint)["model"]  # the weights are still there


def test_a_step_decay_past_t_chosen_at_eval_time_travels_with_the_checkpoint(checkpoint, tmp_path):
    copy = tmp_path / "checkpoint.pt"
    shutil.copy(checkpoint, copy)
    trained = load_checkpoint(copy)["spec"]["model"]["past_decay"]
    assert load_refiner(copy)[0].past_decay == trained != 0.25
    summary = evaluate(eval_config(copy, "past_decay=0.25", "write_defaults=true"), tmp_path / "e")
    assert summary["past_decay"] == 0.25
    assert load_checkpoint(copy)["inference"]["past_decay"] == 0.25
    assert load_refiner(copy)[0].past_decay == 0.25  # what refine-denoise will run
    with pytest.raises(ValueError, match="past_decay"):
        evaluate(eval_config(copy, "past_decay=1.5"), tmp_path / "bad")


def test_eval_reads_paired_folders_and_bins_their_measured_snrs(checkpoint, tmp_path):
    noisy, clean = write_synthetic_folders(
        tmp_path / "data", 4, segment_seconds=0.3, snr_values=[4.0, 6.0, 11.0, -0.2], progress=False
    )
    overrides = ["data.source=paired_folders", f"data.noisy_dir={noisy}", f"data.clean_dir={clean}"]
    evaluate(eval_config(checkpoint, *overrides), tmp_path / "eval")
    records = json.loads((tmp_path / "eval" / "per_step.json").read_text())
    assert {g for g in records[0]["buckets"] if g.endswith("dB")} == {"0dB", "5dB", "10dB"}
    runs = json.loads((tmp_path / "eval" / "summary.json").read_text())["convergence"]
    by_snr = {g: b["n"] for g, b in runs[0]["buckets"].items() if g.endswith("dB")}
    assert by_snr == {"0dB": 1, "5dB": 2, "10dB": 1}  # 4.0 and 6.0 dB together, none lost


def test_eval_takes_whole_folder_files_of_different_lengths_one_at_a_time(checkpoint, tmp_path):
    for index, seconds in enumerate([0.3, 0.45, 0.2]):
        noisy, clean = write_synthetic_folders(
            tmp_path / f"part{index}", 1, segment_seconds=seconds, seed=index, progress=False
        )
        for folder in (noisy, clean):
            target = tmp_path / "data" / folder.name
            target.mkdir(parents=True, exist_ok=True)
            (folder / f"{folder.name}_001.wav").rename(target / f"{folder.name}_00{index}.wav")
    data = tmp_path / "data"
    overrides = ["data.source=paired_folders", f"data.noisy_dir={data / 'noisy'}"]
    overrides += [f"data.clean_dir={data / 'clean'}", "data.segment_seconds=null"]
    evaluate(eval_config(checkpoint, *overrides), tmp_path / "eval")
    clips = list(csv.DictReader(open(tmp_path / "eval" / "per_clip.csv")))
    assert len({row["clip"] for row in clips}) == 3


def test_the_command_line_reports_a_missing_checkpoint_in_one_line(tmp_path):
    command = [sys.executable, "-m", "refine.cli.eval", f"hydra.run.dir={tmp_path}"]
    for overrides, message in [
        ([], "give checkpoint=PATH (a trained refiner) or method=NAME"),
        ([f"checkpoint={tmp_path}/none.pt"], "no such checkpoint"),
    ]:
        result = subprocess.run(command + overrides, capture_output=True, text=True)
        assert result.returncode == 2 and message in result.stdout + result.stderr
        assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("method", ["wiener", "oracle_irm"])
def test_classical_methods_and_oracles_are_evaluated_like_checkpoints(tmp_path, method):
    summary = evaluate(eval_config(None, f"method={method}", "data.noise_kinds=[white]"), tmp_path)
    assert summary["method"] == method and summary["trained_steps"] == 1
    records = json.loads((tmp_path / "per_step.json").read_text())
    assert len(records) == 5 and records[1]["si_sdr"] > records[0]["si_sdr"] + 2
    with pytest.raises(ValueError, match="not both and not neither"):
        evaluate(eval_config("x.pt", f"method={method}"), tmp_path / "both")
    with pytest.raises(ValueError, match="not for a method"):
        evaluate(eval_config(None, f"method={method}", "write_defaults=true"), tmp_path / "w")


def test_the_printed_table_shows_a_dash_where_a_step_diverged():
    bucket = {"0dB": {"si_sdr": None}}
    records = [
        {
            "step": 0,
            "si_sdr": 1.0,
            "si_sdr_ci": [0.5, 1.5],
            "snr": 1.0,
            "seg_snr": 2.0,
            "update_norm": None,
            "buckets": {"0dB": {"si_sdr": 1.0}},
        },
        {
            "step": 1,
            "si_sdr": None,
            "si_sdr_ci": None,
            "snr": None,
            "seg_snr": None,
            "update_norm": 0.5,
            "buckets": bucket,
        },
    ]
    last = format_table(records, 1).splitlines()[-1]
    assert last.split()[:2] == ["1", "–"] and last.endswith("– <- trained T")


def test_speech_metrics_come_on_for_clips_declared_speech(checkpoint, tmp_path):
    assert not wants_speech_metrics(eval_config(checkpoint))  # synthetic: music
    assert wants_speech_metrics(eval_config(checkpoint, "speech_metrics=true"))
    with pytest.raises(ValueError, match="data.content must be speech or music"):
        wants_speech_metrics(eval_config(checkpoint, "data.content=noise"))
    noisy, clean = write_synthetic_folders(
        tmp_path / "data", 2, segment_seconds=1.0, snr_values=[5.0], progress=False
    )
    overrides = ["data.source=paired_folders", f"data.noisy_dir={noisy}"]
    overrides += [f"data.clean_dir={clean}", "data.content=speech", "data.segment_seconds=1.0"]
    evaluate(eval_config(checkpoint, *overrides, "max_steps=1"), tmp_path / "eval")
    records = json.loads((tmp_path / "eval" / "per_step.json").read_text())
    assert all(record["stoi"] is not None for record in records)


def test_a_content_model_is_told_the_declared_content_unless_asked_not_to(checkpoint, tmp_path):
    contents = load_checkpoint(checkpoint)
    spec = {**contents["spec"], "model": {**contents["spec"]["model"], "content": True}}
    model = build_refiner(spec)
    model.load_state_dict(contents["model"], strict=False)  # all but the content embedding
    torch.nn.init.normal_(model.step_net.content.weight, std=1.0)
    path = tmp_path / "content.pt"
    save_checkpoint(path, spec=spec, model=model.state_dict(), config=contents["config"])
    music = ("data.content=music", "tolerances=[]")
    told = evaluate(eval_config(path, *music), tmp_path / "told")
    blind = evaluate(eval_config(path, *music, "tell_content=false"), tmp_path / "blind")
    assert told["told_content"] == "music" and blind["told_content"] is None
    wrong = evaluate(eval_config(path, *music, "tell_content=speech"), tmp_path / "wrong")
    assert wrong["told_content"] == "speech"
    with pytest.raises(ValueError, match="tell_content must be true, false or one of speech"):
        evaluate(eval_config(path, *music, "tell_content=noise"), tmp_path / "bad")
    curves = [
        [r["si_sdr"] for r in json.loads((tmp_path / run / "per_step.json").read_text())]
        for run in ("told", "blind", "wrong")
    ]
    assert curves[0][0] == curves[1][0] == curves[2][0]
    assert len({curves[0][2], curves[1][2], curves[2][2]}) == 3
    plain = evaluate(eval_config(checkpoint, *music), tmp_path / "plain")  # told nothing
    assert plain["told_content"] is None


def test_the_best_step_within_a_real_time_factor_limit_is_chosen(checkpoint, tmp_path):
    summary = evaluate(eval_config(checkpoint, "rtf_limit=1.0e9"), tmp_path / "any")
    choice = summary["choice"]
    assert choice["within_rtf"] == {"rtf_limit": 1.0e9, "step": choice["best_step"]["si_sdr"]}
    tight = evaluate(eval_config(checkpoint, "rtf_limit=1.0e-12"), tmp_path / "none")
    assert tight["choice"]["within_rtf"]["step"] == 0  # no step fits: the noisy input


def test_the_tolerance_runs_can_skip_the_spectral_radius_and_are_otherwise_the_same(
    checkpoint, tmp_path
):
    measured = evaluate(eval_config(checkpoint), tmp_path / "radius")["convergence"]
    skipped = evaluate(eval_config(checkpoint, "spectral_radius=false"), tmp_path / "none")
    skipped = skipped["convergence"]
    assert all(run["spectral_radius"]["median"] > 0 for run in measured)
    assert all(run["spectral_radius"] is None for run in skipped)
    for with_radius, without in zip(measured, skipped, strict=True):
        assert without["mean_steps"] == with_radius["mean_steps"]
        assert without["si_sdr"] == pytest.approx(with_radius["si_sdr"], abs=1e-4)
    rows = list(csv.DictReader((tmp_path / "none" / "convergence.csv").open()))
    assert rows and all(row["spectral_radius"] == "" for row in rows)
