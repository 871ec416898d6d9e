"""What a prepared corpus folder is and the settings it was made with (OUT/corpus.json), so
that a rerun reuses the folder's files only when the same settings would make them again, and
a command never writes into a folder that holds something else: the clean corpus
(`refine.data.prepare`) and the noise corpus (`refine.data.noise_corpus`) share file names
(music/music_0001.flac), and each cached file is kept by its name alone."""

import csv
import json
import logging
import re
from pathlib import Path

log = logging.getLogger(__name__)

SETTINGS_FILE = "corpus.json"


def claim_folder(out: Path, corpus: str, settings: dict, columns: list[str]) -> None:
    """Make `out` a `corpus` folder made with `settings` (JSON values), or raise ValueError:
    when it was made with other settings, is another corpus, or holds files and is no corpus.
    A corpus prepared before this record existed (a manifest with `columns`, no record) is
    taken as made with `settings`, as it always was."""
    wanted = {"corpus": corpus, **settings}
    record = out / SETTINGS_FILE
    if record.is_file():
        made = json.loads(record.read_text())
        if made != wanted:
            differ = ", ".join(
                f"{key} {made.get(key)!r} (now {wanted.get(key)!r})"
                for key in sorted(made.keys() | wanted.keys())
                if made.get(key) != wanted.get(key)
            )
            raise ValueError(
                f"{out} was prepared with other settings: {differ}. Its files are not what "
                "these settings make: prepare into another folder, or rerun with its settings"
            )
        return
    manifest = out / "manifest.csv"
    if manifest.is_file():
        with open(manifest, newline="") as file:
            header = next(csv.reader(file), [])
        if header != columns:
            raise ValueError(
                f"{out} holds another kind of corpus (its manifest's columns are "
                f"{', '.join(header)}), not the {corpus} corpus: prepare into another folder"
            )
        log.warning("%s has no record of its settings: taking it as made with %s", out, settings)
    elif out.is_dir() and any(out.iterdir()):
        raise ValueError(
            f"{out} holds files and is no corpus (no manifest.csv): prepare into a new or "
            "empty folder, so that nothing in it is overwritten"
        )
    out.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps(wanted, indent=1) + "\n")


def read_rows(path: Path) -> dict[str, dict]:
    """A corpus CSV's rows (manifest.csv, skipped.csv) by their "file" column ({} when
    there is no file yet)."""
    if not path.is_file():
        return {}
    with open(path, newline="") as file:
        return {row["file"]: row for row in csv.DictReader(file)}


def keep_to_manifest(out: Path, rows: list[dict], previous: dict[str, dict]) -> list[dict]:
    """The manifest rows of a rerun of a corpus command: `rows`, the kinds it made now, with
    exactly those of its files (KIND/KIND_0001.flac) and no more, since training reads a
    folder's files, not its manifest: one that a larger count made before is deleted. The
    kinds not made now (not asked, or no material) keep their `previous` rows and files,
    so that a corpus grows part by part (`data.clean_subfolders` chooses among them)."""
    made = {row["kind"] for row in rows}
    listed = {row["file"] for row in rows}
    for kind in sorted(made):
        name = re.compile(rf"{re.escape(kind)}_\d+\.flac")
        stale = [
            path
            for path in sorted((out / kind).glob("*.flac"))
            if name.fullmatch(path.name) and f"{kind}/{path.name}" not in listed
        ]
        for path in stale:
            path.unlink()
        if stale:
            log.warning("removed %d %s files beyond the count asked", len(stale), kind)
    kept = [
        row
        for row in previous.values()
        if row["kind"] not in made and (out / row["file"]).is_file()
    ]
    return rows + kept
