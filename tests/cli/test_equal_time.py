"""Equal-wall-clock step counts: the arithmetic, the reference, the timing loop, the CLI."""

import csv
import multiprocessing

import pytest

from refine.cli import equal_time
from tests.train.test_train import TINY, tiny_config

SMALL = " ".join(TINY)


def fake_seconds(cfg, steps, warmup):
    """A step costs 0.1 s per refinement step: T = 4 is four times T = 1."""
    return 0.1 * cfg.model.steps


def test_every_variant_gets_the_steps_that_spend_the_reference_budget(monkeypatch):
    monkeypatch.setattr(equal_time, "seconds_per_step", fake_seconds)
    variants = [f"T1: {SMALL} model.steps=1", f"T4: {SMALL} model.steps=4", f"T3: {SMALL}"]
    rows = equal_time.calibrate(variants, "T4", reference_steps=30, steps=1, warmup=0)
    assert [row["name"] for row in rows] == ["T1", "T4", "T3"]  # TINY's last word: steps=2
    assert [row["steps"] for row in rows] == [120, 30, 60]
    assert {row["budget_seconds"] for row in rows} == {12.0}
    first = equal_time.calibrate(variants, None, reference_steps=30, steps=1, warmup=0)
    assert [row["steps"] for row in first] == [30, 8, 15]  # 7.5 rounds to even


def test_the_timing_loop_trains_a_throwaway_copy_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    seconds = equal_time.seconds_per_step(
        tiny_config("train.mode=truncated", "train.segment=1"), 2, 1
    )
    assert seconds > 0
    assert not list(tmp_path.iterdir())


def test_the_timing_loop_ends_the_processes_that_made_its_batches(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    closed = []
    close = equal_time.close_loader
    monkeypatch.setattr(equal_time, "close_loader", lambda loader: closed.append(close(loader)))
    equal_time.seconds_per_step(tiny_config("train.bursts=2"), 1, 0)  # a BurstLoader's pool
    assert len(closed) == 1
    assert not multiprocessing.active_children()


def test_variants_must_name_themselves():
    assert equal_time.parse_variant("full:") == ("full", [])
    assert equal_time.parse_variant(" k1: train.mode=truncated  train.segment=1") == (
        "k1",
        ["train.mode=truncated", "train.segment=1"],
    )
    with pytest.raises(ValueError, match="must read 'NAME: key=value"):
        equal_time.parse_variant("model.steps=1")


def test_the_command_writes_a_csv_and_reports_bad_variants_in_one_line(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(equal_time, "seconds_per_step", fake_seconds)
    output = tmp_path / "budget.csv"
    equal_time.main(
        [f"a: {SMALL}", f"b: {SMALL} model.steps=4", "--reference-steps", "8", "-o", str(output)]
    )
    with open(output) as file:
        assert [(r["name"], int(r["steps"])) for r in csv.DictReader(file)] == [("a", 8), ("b", 4)]
    for variants, message in [
        (["a: model.stepz=3"], "Could not override 'model.stepz'"),
        (["a:", "--reference", "c"], "--reference 'c' is none of the variants ['a']"),
        (["a:", "--steps", "0"], "--steps must be >= 1, got 0"),
        (["a:", "--warmup", "-1"], "--warmup must be >= 0, got -1"),
    ]:
        with pytest.raises(SystemExit) as exit_:
            equal_time.main(variants + ["-o", str(tmp_path / "other.csv")])
        assert exit_.value.code == 2
        assert message in capsys.readouterr().err
    assert not (tmp_path / "other.csv").exists()
