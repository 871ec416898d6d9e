"""Atomic text writes: a failed write leaves the old file whole and no temporary behind."""

import pytest

from refine.files import write_text_atomic


def test_a_text_write_replaces_the_file_or_leaves_it_as_it_was(tmp_path):
    path = tmp_path / "run" / "history.json"
    write_text_atomic(path, "[1]")
    write_text_atomic(path, "[1, 2]")
    assert path.read_text() == "[1, 2]"
    with pytest.raises(TypeError):
        write_text_atomic(path, None)  # the write fails
    assert path.read_text() == "[1, 2]"
    assert [p.name for p in path.parent.iterdir()] == ["history.json"]
