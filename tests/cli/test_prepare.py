"""The corpus commands' argument checks (the preparation itself: tests/data/test_prepare.py)."""

import pytest

from refine.cli.prepare import main


def test_the_command_refuses_negative_counts(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([str(tmp_path), "--music", "-1"])
    assert exit_info.value.code == 2 and "must be >= 0" in capsys.readouterr().err
