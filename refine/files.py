"""Atomic file writes: an interrupted run never leaves a truncated file behind."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `path` to write to; on success it replaces `path`, on
    any failure it is removed. Parent folders are created.

    The temporary file is a unique hidden name in the same folder: os.replace is atomic only
    within one file system, and hidden names are skipped by folder scans. Not mkstemp: its
    0600 mode would carry over to the final file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Path.write_text that never leaves half a file (a run's history.json, an eval summary):
    a reader or a killed run sees the old contents or the new, nothing between."""
    with atomic_path(path) as temporary:
        temporary.write_text(text)
