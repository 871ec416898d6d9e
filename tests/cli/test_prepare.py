"""The corpus commands' argument checks (the preparation itself: tests/data/test_prepare.py)."""

import pytest

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
