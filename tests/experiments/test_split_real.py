"""experiments/pretrained/split_real.py: the real recordings halved by recording, one half to
choose on and one kept out, linked, seeded, and never written over."""

import subprocess
import sys

import pytest

from tests.experiments import EXPERIMENTS, load_script

split_real = load_script("pretrained/split_real.py")
NAMES = {
    "music": ["moh_a_30s", "moh_a_90s", "moh_b_30s", "ring_c", "ring_d", "ring_e"],
    "speech": ["alsa_f", "alsa_g", "allison_h", "allison_i"],
}


@pytest.fixture
def real(tmp_path):
    """real_recordings.py's layout: <content>_<colour>/{noisy,clean}/<name>_snr<S>.wav."""
    source = tmp_path / "real"
    for content, names in NAMES.items():
        for colour in ("white", "pink"):
            for part in ("noisy", "clean"):
                folder = source / f"{content}_{colour}" / part
                folder.mkdir(parents=True)
                for name in names:
                    for snr in (0, 5):
                        (folder / f"{name}_snr{snr}.wav").write_text(f"{part} {name} {snr}")
    return source


def linked(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*.wav"))


def test_every_file_is_in_one_half_with_its_recording_whole(real, tmp_path):
    message = split_real.write_halves(real, tmp_path / "choice", tmp_path / "report")
    assert "to choose on" in message
    choice, report = linked(tmp_path / "choice"), linked(tmp_path / "report")
    assert not set(choice) & set(report)
    assert sorted(choice + report) == linked(real)
    for half in (tmp_path / "choice", tmp_path / "report"):
        for path in half.rglob("*.wav"):
            assert path.is_symlink()
            assert path.read_text() == (real / path.relative_to(half)).read_text()
    recordings = {
        half: {split_real.recording(tmp_path / half / name) for name in linked(tmp_path / half)}
        for half in ("choice", "report")
    }
    assert not recordings["choice"] & recordings["report"]  # SNRs, colours, windows together
    assert {"moh_a"} <= recordings["choice"] | recordings["report"]
    for names in NAMES.values():  # each content halved, the odd one reported
        kept = {split_real.recording(real / f"{n}_snr0.wav") for n in names}
        assert len(kept & recordings["choice"]) == len(kept) // 2


def test_the_split_is_seeded(real, tmp_path):
    assert split_real.halves(real, 0) == split_real.halves(real, 0)
    draws = {frozenset(split_real.halves(real, seed)["choice"]) for seed in range(8)}
    assert len(draws) > 1


def test_written_halves_are_kept_and_other_folders_refused(real, tmp_path):
    choice, report = tmp_path / "choice", tmp_path / "report"
    split_real.write_halves(real, choice, report)
    assert split_real.write_halves(real, choice, report).startswith("kept")
    with pytest.raises(ValueError, match="not this split"):
        split_real.write_halves(real, choice, report, seed=3)  # another draw: refused
    other = tmp_path / "mine"
    (other / "notes.txt").parent.mkdir()
    (other / "notes.txt").write_text("user data")
    with pytest.raises(ValueError, match="already exists and is not this split"):
        split_real.write_halves(real, other, tmp_path / "fresh")
    assert (other / "notes.txt").read_text() == "user data"
    assert not (tmp_path / "fresh").exists()  # nothing half-written
    for path in sorted(report.rglob("*"), reverse=True):  # one half lost: written again
        path.rmdir() if path.is_dir() else path.unlink()
    report.rmdir()
    assert "to choose on" in split_real.write_halves(real, choice, report)
    assert split_real.write_halves(real, choice, report).startswith("kept")


def test_the_command_says_what_is_wrong_without_a_traceback(real, tmp_path):
    script = EXPERIMENTS / "pretrained/split_real.py"
    empty = tmp_path / "empty"
    empty.mkdir()
    result = subprocess.run(
        [sys.executable, script, empty, tmp_path / "a", tmp_path / "b"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "holds no <content>_<noise>/noisy/ test sets" in result.stderr
    assert "Traceback" not in result.stderr
