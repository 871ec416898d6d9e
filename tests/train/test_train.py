"""A tiny end-to-end training run through the Hydra config, and its resumption."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import torch
from hydra import compose, initialize_config_dir
from hydra.errors import ConfigCompositionException

from refine.cli import CONFIG_DIR
from refine.cli.settings import training_problems
from refine.cli.train import train_from_config, train_settings
from refine.data import SyntheticDataset, write_synthetic_folders
from refine.process.checkpoint import load_checkpoint, load_refiner
from refine.train import loop
from refine.train.loop import collapse_warning, format_table

TINY = [
    "model.d_model=8",
    "model.d_state=4",
    "model.n_layers=1",
    "model.steps=2",
    "data.segment_seconds=0.25",
    "data.val_examples=3",
    "data.val_segment_seconds=0.25",
    "train.batch_size=4",
    "train.val_every=2",
    "train.log_every=1",
    "train.num_workers=0",
    "train.bursts=0",
    "train.warmup_steps=1",
]


def tiny_config(*overrides: str):
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        return compose(config_name="config", overrides=TINY + list(overrides))


@pytest.mark.parametrize("domain", ["waveform", "stft_complex", "stft_magnitude"])
def test_a_tiny_run_trains_logs_checkpoints_and_resumes(tmp_path, domain):
    history = train_from_config(tiny_config("train.steps=3", f"domain={domain}"), tmp_path)
    assert [record["train_step"] for record in history] == [2, 3]
    assert len(history[-1]["per_step"]) == 3  # x̂_0 … x̂_T for T = 2
    assert json.loads((tmp_path / "history.json").read_text()) == history
    assert list(tmp_path.glob("events.out.tfevents.*"))
    assert "per_step_0dB" in history[-1]
    assert "per_step_0dB_white" in history[-1]
    header = format_table(history[-1]).splitlines()[1]
    assert header.split()[:6] == ["step", "SI-SDR", "SNR", "0", "dB", "0"]

    resumed = train_from_config(tiny_config("train.steps=5", f"domain={domain}"), tmp_path)
    assert [record["train_step"] for record in resumed] == [2, 3, 4, 5]
    assert load_checkpoint(tmp_path / "checkpoint.pt")["step"] == 5


def test_the_checkpoint_rebuilds_the_trained_refiner(tmp_path):
    train_from_config(tiny_config("train.steps=2", "model.condition=true"), tmp_path)
    refiner, contents = load_refiner(tmp_path / "checkpoint.pt")
    assert contents["config"]["model"]["condition"] is True
    clip = SyntheticDataset(1, segment_seconds=0.25, split="test")[0]["noisy"][None]
    first, again = refiner.refine(clip).output, load_refiner(tmp_path / "checkpoint.pt")[0]
    assert (again.refine(clip).output == first).all()


@pytest.mark.parametrize("mode", ["truncated", "teacher_forced"])
def test_other_training_modes_run_from_the_config(tmp_path, mode):
    history = train_from_config(
        tiny_config("train.steps=2", f"train.mode={mode}", "train.segment=1"), tmp_path
    )
    assert len(history) == 1


def test_a_training_set_smaller_than_a_batch_is_refused(tmp_path):
    with pytest.raises(ValueError, match="fewer than train.batch_size=4"):
        train_from_config(tiny_config("data.train_examples=3"), tmp_path)


def test_unusable_settings_are_refused_before_any_work_one_line_each(tmp_path):
    config = tiny_config(
        "model.steps=0", "train.batch_size=0", "train.mode=foo", "train.lr=-1", "train.steps=2.5",
        "train.normalise_by=clean", "train.threads=-1", "train.max_minutes=0",
    )  # fmt: skip
    with pytest.raises(ValueError) as refused:
        train_from_config(config, tmp_path / "run")
    lines = str(refused.value).splitlines()[1:]
    assert [line.split("=")[0].strip() for line in lines] == [
        "model.steps", "train.steps", "train.batch_size", "train.lr", "train.threads",
        "train.max_minutes", "train.mode", "train.normalise_by",
    ]  # fmt: skip
    full = tiny_config("train.segment=2")  # the default mode, full, has no segments
    with pytest.raises(ValueError, match="train.segment=2: must be null with mode=full"):
        train_from_config(full, tmp_path / "full")
    assert "train.mode='foo': must be one of full, truncated, teacher_forced" in lines[-2]
    assert "train.normalise_by='clean': must be one of noise, noisy, capped" in lines[-1]
    assert not (tmp_path / "run").exists()  # refused before the run folder was touched


def test_the_waveform_domain_has_no_stft_settings_to_ignore():
    for key, value in (("n_fft", 1024), ("hop_length", 64), ("window", "hamming")):
        refused = f"Could not override 'domain.{key}'"
        with pytest.raises(ConfigCompositionException, match=refused):
            tiny_config("domain=waveform", f"domain.{key}={value}")
    assert "n_fft" not in tiny_config("domain=waveform").domain
    assert tiny_config("domain=stft_complex", "domain.n_fft=1024").domain.n_fft == 1024
    added = tiny_config("domain=waveform", "+domain.n_fft=1024")  # gets past the composition
    assert training_problems(added) == ["domain.n_fft: the waveform domain has no STFT; drop it"]


def test_a_data_source_that_would_ignore_or_lack_a_key_is_refused_by_name(tmp_path):
    with pytest.raises(ValueError, match=r"paired_folders needs data.clean_dir, data.noisy_dir"):
        train_from_config(tiny_config("data.source=paired_folders"), tmp_path / "a")
    switched = tiny_config("data=clean_folders", "data.clean_dir=x", "data.source=synthetic")
    ignored = (
        "data.clean_dir, data.clean_subfolders, data.content_of, data.file_weighting, "
        "data.noise_dir, data.noise_eq_db, data.noise_kinds_under, data.noise_layer_db, "
        "data.noise_layer_kinds, data.noise_layer_over, data.noise_layer_share, "
        "data.noise_only_under"
    )
    with pytest.raises(ValueError, match=rf"synthetic ignores {ignored}"):
        train_from_config(switched, tmp_path / "b")
    _, clean_dir = write_synthetic_folders(
        tmp_path / "data", 2, segment_seconds=0.3, progress=False
    )
    parts = tiny_config("data=clean_folders", f"data.clean_dir={tmp_path / 'data'}",
                        "data.clean_subfolders=[clean,voices]")  # fmt: skip
    with pytest.raises(
        ValueError, match="subfolder.s. voices; its subfolders with audio are clean, noisy"
    ):
        train_from_config(parts, tmp_path / "c")


def test_the_command_line_reports_bad_settings_in_one_line(tmp_path):
    command = [sys.executable, "-m", "refine.cli.train", f"hydra.run.dir={tmp_path}"]
    for overrides, message in [
        (["data=paired_folders"], "missing setting: data.noisy_dir"),
        (["schedule.name=exponential"], "unknown schedule 'exponential'"),
        (["model.steps=-1"], "model.steps=-1: must be a whole number >= 1 (T)"),
    ]:
        result = subprocess.run(command + overrides, capture_output=True, text=True)
        assert result.returncode == 2
        assert message in result.stdout + result.stderr
        assert "Traceback" not in result.stdout + result.stderr


def test_ctrl_c_stops_training_with_a_line_that_says_how_to_resume(tmp_path):
    # As a terminal sends it: SIGINT to the whole process group (the trainer and its bursts).
    overrides = [o for o in TINY if "bursts" not in o] + ["train.steps=1000", "train.bursts=2"]
    command = [sys.executable, "-m", "refine.cli.train", f"hydra.run.dir={tmp_path}", *overrides]

    def own_group_with_ctrl_c():
        os.setpgrp()
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    run = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        preexec_fn=own_group_with_ctrl_c,
    )  # fmt: skip
    try:
        for _ in range(600):  # until the first checkpoint is written
            if (tmp_path / "checkpoint.pt").exists() or run.poll() is not None:
                break
            time.sleep(0.1)
        os.killpg(run.pid, signal.SIGINT)
        output, _ = run.communicate(timeout=60)
    finally:
        run.kill()
    assert run.returncode == 130
    assert "interrupted" in output and "resumes" in output
    assert "Traceback" not in output


@pytest.mark.parametrize(
    "source", ["paired_folders", "clean_noise_folders", "clean_folders", "noise_corpus"]
)
def test_training_reads_folders_of_audio(tmp_path, source):
    noisy_dir, clean_dir = write_synthetic_folders(
        tmp_path / "data", 8, segment_seconds=0.3, progress=False
    )
    if source == "paired_folders":
        folders = [f"data.noisy_dir={noisy_dir}", f"data.clean_dir={clean_dir}"]
    elif source == "clean_noise_folders":  # the noisy files stand in for recordings of noise
        folders = [f"data.clean_dir={clean_dir}", f"data.noise_dir={noisy_dir}",
                   "data.noise_speed_range=[0.8,1.25]"]  # fmt: skip
    elif source == "noise_corpus":  # clean_folders with a recorded kind kept to a subfolder
        # and a subfolder's own mix of kinds
        (tmp_path / "noise").mkdir()
        (tmp_path / "noise" / "babble").symlink_to(noisy_dir)
        source = "clean_folders"
        folders = [
            f"data.clean_dir={tmp_path / 'data'}",  # its subfolders: clean/ and noisy/
            "data.clean_subfolders=[clean]",
            f"data.noise_dir={tmp_path / 'noise'}",
            "data.noise_kinds=[white,babble]",
            "data.noise_only_under={babble:clean}",
            "data.noise_kinds_under={clean:[babble,babble,white]}",
            "data.noise_speed_range=[0.8,1.25]",
            "data.noise_eq_db=6",
            "data.noise_layer_share=0.5",
            "data.noise_layer_kinds=[white,babble]",
        ]
    else:
        folders = [f"data.clean_dir={clean_dir}"]
    history = train_from_config(
        tiny_config(f"data={source}", "train.steps=2", *folders), tmp_path / "run"
    )
    assert len(history) == 1


def test_epochs_set_the_steps_from_the_training_set_and_the_spectral_loss_trains(tmp_path):
    noisy_dir, clean_dir = write_synthetic_folders(
        tmp_path / "data", 10, segment_seconds=0.3, progress=False
    )
    folders = ["data=paired_folders", f"data.noisy_dir={noisy_dir}", f"data.clean_dir={clean_dir}"]
    config = tiny_config(
        *folders, "train.epochs=2", "train.val_every=100", "model.loss=stft_magnitude"
    )
    history = train_from_config(
        config, tmp_path / "run"
    )  # 2 epochs of 10 clips in batches of 4: 5 steps
    assert [record["train_step"] for record in history] == [5]
    saved = load_checkpoint(tmp_path / "run" / "checkpoint.pt")
    assert saved["step"] == 5 and saved["config"]["train"]["steps"] == 5
    assert saved["spec"]["model"]["loss"] == "stft_magnitude"
    with pytest.raises(ValueError, match=r"train.epochs=0: must be a number > 0 \(passes"):
        train_from_config(tiny_config("train.epochs=0"), tmp_path / "bad")
    half = tiny_config(*folders, "train.epochs=0.5", "train.val_every=100")
    train_from_config(half, tmp_path / "half")  # half of 10 clips in batches of 4: 2 steps
    assert load_checkpoint(tmp_path / "half" / "checkpoint.pt")["step"] == 2


def test_a_killed_run_resumed_ends_with_the_weights_of_an_uninterrupted_one(tmp_path, monkeypatch):
    config = tiny_config("train.steps=5", "train.val_every=2")
    train_from_config(config, tmp_path / "whole")

    calls = {"count": 0}
    real_step = loop.train_step

    def killed_after_three_steps(*args):
        calls["count"] += 1
        if calls["count"] > 3:
            raise KeyboardInterrupt  # the process dies; the step-2 checkpoint is on disk
        return real_step(*args)

    monkeypatch.setattr(loop, "train_step", killed_after_three_steps)
    with pytest.raises(KeyboardInterrupt):
        train_from_config(config, tmp_path / "killed")
    assert load_checkpoint(tmp_path / "killed" / "checkpoint.pt")["step"] == 2
    monkeypatch.setattr(loop, "train_step", real_step)
    train_from_config(config, tmp_path / "killed")  # the same command again

    whole = load_checkpoint(tmp_path / "whole" / "checkpoint.pt")
    resumed = load_checkpoint(tmp_path / "killed" / "checkpoint.pt")
    assert resumed["step"] == whole["step"] == 5
    for name, weight in whole["model"].items():
        assert torch.equal(resumed["model"][name], weight), name
    assert resumed["history"] == whole["history"]


def test_a_run_stopped_at_a_step_keeps_its_schedule_and_goes_on_as_one_run(tmp_path):
    """train.stop_at pilots the start of a long run: it stops there (validated and saved)
    with the learning rate still on train.steps' schedule, and goes on when asked."""
    whole = tiny_config("train.steps=5", "train.val_every=4")
    train_from_config(whole, tmp_path / "whole")
    piloted = tmp_path / "piloted"
    train_from_config(tiny_config("train.steps=5", "train.val_every=4", "train.stop_at=2"), piloted)
    stopped = load_checkpoint(piloted / "checkpoint.pt")
    assert stopped["step"] == 2 and [r["train_step"] for r in stopped["history"]] == [2]
    assert stopped["scheduler"]["last_epoch"] == 2  # on the 5-step cosine, not ended
    train_from_config(whole, piloted)
    whole = load_checkpoint(tmp_path / "whole" / "checkpoint.pt")
    resumed = load_checkpoint(piloted / "checkpoint.pt")
    assert resumed["step"] == 5 and [r["train_step"] for r in resumed["history"]] == [2, 4, 5]
    for name, weight in whole["model"].items():
        torch.testing.assert_close(resumed["model"][name], weight, msg=name)
    with pytest.raises(ValueError, match="train.stop_at=0: must be a whole number >= 1 or null"):
        train_from_config(tiny_config("train.stop_at=0"), tmp_path / "bad")


def test_fine_tuning_starts_from_the_weights_of_another_checkpoint(tmp_path):
    train_from_config(tiny_config("train.steps=2"), tmp_path / "base")
    base = load_checkpoint(tmp_path / "base" / "checkpoint.pt")["model"]
    source = f"train.init_from={tmp_path / 'base' / 'checkpoint.pt'}"
    # At a learning rate of zero the fine-tuned run keeps exactly the weights it started from,
    # even with another T (the weights are shared by all steps),
    tuned = tiny_config("train.steps=1", "train.lr=0", "train.seed=1", "model.steps=3", source)
    train_from_config(tuned, tmp_path / "tuned")
    tuned = load_checkpoint(tmp_path / "tuned" / "checkpoint.pt")
    assert tuned["step"] == 1 and tuned["config"]["train"]["init_from"] == source.split("=")[1]
    for name, weight in base.items():
        assert torch.equal(tuned["model"][name], weight), name
    # where a run from its own seed's initialisation does not.
    train_from_config(
        tiny_config("train.steps=1", "train.lr=0", "train.seed=1"), tmp_path / "fresh"
    )
    fresh = load_checkpoint(tmp_path / "fresh" / "checkpoint.pt")["model"]
    assert any(not torch.equal(fresh[name], weight) for name, weight in base.items())

    with pytest.raises(ValueError, match=r"model.d_model: 8 there, 16 here"):
        train_from_config(tiny_config("model.d_model=16", source), tmp_path / "wider")


def test_a_warm_start_across_another_update_rule_keeps_the_named_parts_fresh(tmp_path):
    train_from_config(tiny_config("train.steps=2", "model.update=affine"), tmp_path / "base")
    base = load_checkpoint(tmp_path / "base" / "checkpoint.pt")["model"]
    source = f"train.init_from={tmp_path / 'base' / 'checkpoint.pt'}"
    masked = ("train.steps=1", "train.lr=0", "train.seed=1", "model.update=mask", source)
    with pytest.raises(ValueError, match=r"model.update: 'affine' there, 'mask' here"):
        train_from_config(tiny_config(*masked), tmp_path / "refused")
    with pytest.raises(ValueError, match=r"no parameter of this model starts with \['head'\]"):
        train_from_config(tiny_config(*masked, "train.init_except=[head]"), tmp_path / "unknown")

    train_from_config(
        tiny_config(*masked, "train.init_except=[step_net.lower]"), tmp_path / "tuned"
    )
    tuned = load_checkpoint(tmp_path / "tuned" / "checkpoint.pt")["model"]
    for name, weight in base.items():
        if name.startswith("step_net.lower"):  # a mask's output map: one part less, zeros
            assert tuned[name].shape != weight.shape and not tuned[name].any(), name
        else:
            assert torch.equal(tuned[name], weight), name


def test_a_content_model_starts_silent_from_a_plain_one_and_learns_from_the_labels(tmp_path):
    train_from_config(tiny_config("train.steps=2"), tmp_path / "base")
    base = load_checkpoint(tmp_path / "base" / "checkpoint.pt")["model"]
    write_synthetic_folders(tmp_path / "data", 8, segment_seconds=0.3, progress=False)
    content = (
        "model.content=true", "data=clean_folders", f"data.clean_dir={tmp_path / 'data'}",
        "data.content_of={clean:music,noisy:speech}", "train.content_dropout=0.5",
        f"train.init_from={tmp_path / 'base' / 'checkpoint.pt'}", "train.seed=1",
    )  # fmt: skip
    with pytest.raises(ValueError, match=r"no parameter of this model.*content\.weight"):
        train_from_config(tiny_config(*content, "train.init_except=[head]"), tmp_path / "x")
    fresh = ("train.init_except=[step_net.content]",)
    train_from_config(tiny_config(*content, *fresh, "train.steps=1", "train.lr=0"), tmp_path / "a")
    kept = load_checkpoint(tmp_path / "a" / "checkpoint.pt")["model"]
    assert not kept["step_net.content.weight"].any()  # silent: the plain model's function
    assert all(torch.equal(kept[name], weight) for name, weight in base.items())
    train_from_config(tiny_config(*content, *fresh, "train.steps=2"), tmp_path / "b")
    learnt = load_checkpoint(tmp_path / "b" / "checkpoint.pt")["model"]["step_net.content.weight"]
    assert learnt[1:].any()  # speech and music, told in these batches


def test_content_labels_and_a_content_model_are_refused_one_without_the_other(tmp_path):
    cases = {
        "model.content=true: the model learns from content labels": ["model.content=true"],
        "data.content_of: content labels are read by a content-conditioned model only": [
            "data=clean_folders", "data.clean_dir=x", "data.content_of={music:music}"
        ],
        r"train.content_dropout=1.5: must be a number in \[0, 1\]": ["train.content_dropout=1.5"],
    }  # fmt: skip
    for message, settings in cases.items():
        with pytest.raises(ValueError, match=message):
            train_from_config(tiny_config(*settings), tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_a_batch_whose_loss_is_not_finite_changes_no_weight_and_is_counted(tmp_path, monkeypatch):
    real = loop.accumulate_gradients

    def poisoned(refiner, batch, t, step=0):
        errors = real(refiner, batch, t, step)
        if step == 1:  # as if an iterate past T had blown up
            for p in refiner.parameters():
                p.grad = torch.full_like(p, float("nan"))
            errors = errors * float("nan")
        return errors

    monkeypatch.setattr(loop, "accumulate_gradients", poisoned)
    history = train_from_config(tiny_config("train.steps=3", "train.val_every=3"), tmp_path)
    weights = load_checkpoint(tmp_path / "checkpoint.pt")["model"]
    assert all(torch.isfinite(w).all() for w in weights.values())
    assert history[-1]["skipped_steps"] == 1


def validation_record(step: int, gain_db: float) -> dict:
    return {"train_step": step, "per_step": [{"si_sdr": 5.0}, {"si_sdr": 5.0 + gain_db}]}


def test_a_validation_far_below_the_run_best_is_reported_as_a_collapse():
    rising = [validation_record(400 * i, g) for i, g in enumerate((8.3, 9.0, 9.5), start=1)]
    assert collapse_warning(rising[:1]) is None  # nothing to compare with yet
    assert collapse_warning(rising) is None
    assert collapse_warning(rising + [validation_record(1600, 7.0)]) is None  # noise, 2.5 dB
    warning = collapse_warning(rising + [validation_record(1600, 4.6)])
    assert "4.9 dB below this run's best (+9.50 at step 1200)" in warning
    assert "train.lr" in warning
    # A run that collapses before it ever validated well is named by its frozen mask.
    frozen = validation_record(400, 5.0) | {"mask_saturation": 0.996}
    warning = collapse_warning([frozen])
    assert "the mask is frozen: its sigmoid is flat (|logit| > 10) in 99.6%" in warning
    assert "model.mask_leash" in warning
    assert collapse_warning([validation_record(400, 8.3) | {"mask_saturation": 0.001}]) is None


def test_a_collapse_is_logged_at_the_validation_that_finds_it(tmp_path, monkeypatch, caplog):
    real = loop.validate
    gains = iter((9.0, 4.0))

    def collapsing(refiner, validation, writer, step, history):
        record = real(refiner, validation, writer, step, history)
        record["per_step"][-1]["si_sdr"] = record["per_step"][0]["si_sdr"] + next(gains)
        return record

    monkeypatch.setattr(loop, "validate", collapsing)
    with caplog.at_level("WARNING", logger="refine.train.loop"):
        history = train_from_config(tiny_config("train.steps=4", "train.val_every=2"), tmp_path)
    assert all(0.0 <= r["mask_saturation"] < 0.9 for r in history)  # the recipe's mask
    assert [r.message for r in caplog.records if "collapsed" in r.message] == [
        "step 4: validation SI-SDR +4.00 dB over the input is 5.0 dB below this run's best "
        "(+9.00 at step 2): training has collapsed; a lower train.lr or another train.seed "
        "may avoid it"
    ]


def test_steps_past_t_start_at_extra_steps_from():
    """The curriculum: no step past T before train.extra_steps_from, the seeded draws after."""
    t = train_settings(tiny_config("train.extra_steps=6", "train.extra_steps_from=10").train)
    always = train_settings(tiny_config("train.extra_steps=6").train)
    assert [loop.extra_steps_at(t, step) for step in range(10)] == [0] * 10
    draws = [loop.extra_steps_at(always, step) for step in range(10, 60)]
    assert [loop.extra_steps_at(t, step) for step in range(10, 60)] == draws
    assert max(draws) > 0 and all(0 <= k <= 6 for k in draws)


def test_the_affine_reference_experiment_restores_the_recipe_earlier_runs_measured():
    model = tiny_config("+experiment=affine_reference").model  # ["update"]: DictConfig.update
    assert (model["update"], model.bin_gate, model.past_decay) == ("affine", False, 1.0)
    assert tiny_config().model["update"] == "mask"  # the default it stands beside
