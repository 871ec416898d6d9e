"""refine.data.corpus_folder: a corpus folder's record of its settings, so that cached files
are reused only under the settings that made them and no other folder is written into."""

import json
import logging

import pytest

from refine.data.corpus_folder import SETTINGS_FILE, claim_folder, keep_to_manifest

COLUMNS = ["file", "kind", "seconds", "holds"]


def test_a_new_folder_is_claimed_and_the_same_settings_claim_it_again(tmp_path):
    out = tmp_path / "corpus"
    claim_folder(out, "clean", {"seed": 0, "sample_rate": 16000}, COLUMNS)
    record = json.loads((out / SETTINGS_FILE).read_text())
    assert record == {"corpus": "clean", "seed": 0, "sample_rate": 16000}
    claim_folder(out, "clean", {"seed": 0, "sample_rate": 16000}, COLUMNS)  # a rerun


def test_other_settings_are_refused_by_name(tmp_path):
    claim_folder(tmp_path, "clean", {"seed": 0, "sample_rate": 16000}, COLUMNS)
    with pytest.raises(ValueError, match=r"other settings: sample_rate 16000 \(now 8000\)"):
        claim_folder(tmp_path, "clean", {"seed": 0, "sample_rate": 8000}, COLUMNS)
    with pytest.raises(ValueError, match=r"corpus 'clean' \(now 'noise'\)"):
        claim_folder(tmp_path, "noise", {"seed": 0, "sample_rate": 16000}, COLUMNS)


def test_a_folder_of_other_files_is_refused_and_left_as_it_was(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="holds files and is no corpus"):
        claim_folder(tmp_path, "clean", {"seed": 0}, COLUMNS)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_corpus_from_before_the_record_is_kept_if_its_manifest_is_this_kind(tmp_path, caplog):
    (tmp_path / "manifest.csv").write_text("file,kind,seconds,holds\n")
    with caplog.at_level(logging.WARNING):
        claim_folder(tmp_path, "clean", {"seed": 0}, COLUMNS)
    assert "no record of its settings" in caplog.text
    assert json.loads((tmp_path / SETTINGS_FILE).read_text())["seed"] == 0
    noise = tmp_path / "noise"
    noise.mkdir()
    (noise / "manifest.csv").write_text("file,kind,seconds,source,licence,holds\n")
    with pytest.raises(ValueError, match="another kind of corpus"):
        claim_folder(noise, "clean", {"seed": 0}, COLUMNS)
    assert not (noise / SETTINGS_FILE).exists()


def _files(out, names):
    for name in names:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(b"flac")


def test_a_smaller_count_deletes_the_files_beyond_it_and_keeps_the_kinds_not_made(tmp_path):
    made = ["synth/synth_0001.flac", "synth/synth_0002.flac", "synth/synth_0003.flac"]
    _files(tmp_path, [*made, "synth/mine.flac", "speech/speech_0001.flac"])
    previous = {
        name: {"file": name, "kind": name.split("/")[0]}
        for name in [*made, "speech/speech_0001.flac", "speech/speech_0002.flac"]
    }
    rows = [previous["synth/synth_0001.flac"], previous["synth/synth_0002.flac"]]
    kept = keep_to_manifest(tmp_path, rows, previous)
    assert [row["file"] for row in kept] == [*made[:2], "speech/speech_0001.flac"]
    assert sorted(p.name for p in (tmp_path / "synth").iterdir()) == [
        "mine.flac",
        "synth_0001.flac",
        "synth_0002.flac",
    ]
    assert (tmp_path / "speech/speech_0001.flac").is_file()
