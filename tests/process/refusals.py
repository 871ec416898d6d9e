"""What every checkpoint rewrite of refine.process (rewrite_checkpoint and its callers) owes a
user: a target that exists is refused and left as it was."""

import pytest


def refuses_an_existing_target(tmp_path, write) -> None:
    """write(target) on a file that holds the user's data raises FileExistsError naming it,
    and the file keeps its bytes."""
    taken = tmp_path / "taken.pt"
    taken.write_bytes(b"user data")
    with pytest.raises(FileExistsError, match="taken.pt exists"):
        write(taken)
    assert taken.read_bytes() == b"user data"
