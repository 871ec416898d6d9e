"""The corpus commands' argument checks (the preparation itself: tests/data/test_prepare.py)."""

import pytest

from refine.cli import noise_corpus
from refine.cli.prepare import main


def test_the_command_refuses_negative_counts(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([str(tmp_path), "--music", "-1"])
    assert exit_info.value.code == 2 and "must be >= 0" in capsys.readouterr().err


@pytest.mark.parametrize(
    "kind, made, package",
    [("voices", "voice_recordings", "klettres-data"),
     ("soundtracks", "soundtrack_pieces", "widelands-data")],
)  # fmt: skip
def test_recorded_parts_without_their_packages_exit_with_the_install_line(
    tmp_path, capsys, monkeypatch, kind, made, package
):
    import importlib

    monkeypatch.setattr(importlib.import_module(f"refine.data.{kind}"), made, lambda s, r: [])
    code = main([str(tmp_path), "--music", "0", "--speech", "0", "--synth", "0", f"--{kind}", "3"])
    error = capsys.readouterr().err
    assert code == 2 and "apt-get install" in error and package in error
    assert not (tmp_path / "manifest.csv").exists()


@pytest.mark.parametrize(
    "flags, message",
    [(["--seed", "-1"], "--seed must be >= 0, got -1"),
     (["--sample-rate", "0"], "--sample-rate must be at least 8000 Hz, got 0")],
)  # fmt: skip
def test_the_command_refuses_a_negative_seed_and_a_rate_nothing_can_be_made_at(
    tmp_path, capsys, flags, message
):
    with pytest.raises(SystemExit) as exit_info:
        main([str(tmp_path / "corpus"), *flags])
    assert exit_info.value.code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "corpus").exists()


def test_the_command_writes_into_no_folder_but_its_own_corpus(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    only_synth = ["--music", "0", "--speech", "0", "--synth", "1"]
    assert main([str(tmp_path), *only_synth]) == 2
    assert "holds files and is no corpus" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    corpus = tmp_path / "corpus"
    assert main([str(corpus), *only_synth]) == 0
    assert main([str(corpus), *only_synth, "--seed", "3"]) == 2  # made with seed 0
    assert "other settings: seed 0 (now 3)" in capsys.readouterr().err


@pytest.mark.parametrize(
    "flags, message",
    [(["--corpus", "no/such/corpus"], "--corpus no/such/corpus: no such folder"),
     (["--seed", "-2"], "--seed must be >= 0, got -2")],
)  # fmt: skip
def test_the_noise_command_refuses_a_missing_clean_corpus_and_a_negative_seed(
    tmp_path, capsys, flags, message
):
    with pytest.raises(SystemExit) as exit_info:
        noise_corpus.main([str(tmp_path / "noise"), *flags])
    assert exit_info.value.code == 2 and message in capsys.readouterr().err
