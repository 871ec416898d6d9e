"""The shipped model's corpus: sentences, speech, rendered scores, and the cached command.

Speech and music need Debian's espeak-ng, flite, fluidsynth and fluid-soundfont-gm and PyPI's
music21; `.ci/run` installs them, so these tests run in CI and skip only on a machine
without them."""

import csv

import numpy as np
import pytest
import torch

from refine.audio import load_audio, save_audio
from refine.data.prepare import prepare, trim_silence
from refine.data.scores import corpus_scores, missing_music_tools
from refine.data.sentences import sentence, utterance
from refine.data.speech import missing_speech_tools, speak

needs_speech = pytest.mark.skipif(bool(missing_speech_tools()), reason="espeak-ng/flite missing")
needs_music = pytest.mark.skipif(bool(missing_music_tools()), reason="fluidsynth/music21 missing")


def test_sentences_are_reproducible_and_varied():
    first = [sentence(np.random.default_rng([0, i])) for i in range(50)]
    assert first == [sentence(np.random.default_rng([0, i])) for i in range(50)]
    assert len(set(first)) == 50
    assert all(s[0].isupper() and s[-1] in ".?" for s in first)
    assert utterance(np.random.default_rng(1), 3).count(" ") > utterance(
        np.random.default_rng(1), 1
    ).count(" ")


def test_trim_silence_keeps_the_loud_part():
    audio = torch.zeros(1, 100)
    audio[0, 20:30] = 1.0
    audio[0, 40] = 1e-4  # -80 dB: silence
    assert torch.equal(trim_silence(audio), audio[:, 20:30])
    assert trim_silence(torch.zeros(1, 10)).shape == (1, 0)


@needs_speech
@pytest.mark.parametrize("seed", range(4))
def test_speech_is_spoken_at_the_asked_rate(seed):
    audio, voice = speak(np.random.default_rng(seed), "The birch canoe slid on the planks.", 16000)
    assert audio.shape[0] == 1 and 0.8 * 16000 < audio.shape[-1] < 6 * 16000
    assert audio.abs().max() > 0.05 and voice.split()[0] in ("espeak-ng", "flite")


@needs_music
def test_scores_interleave_composers():
    scores = corpus_scores(np.random.default_rng(0))
    composers = [path.parent.name for path in scores[:20]]
    assert len(set(composers)) > 10 and "demos" not in composers
    assert scores == corpus_scores(np.random.default_rng(0))


@needs_music
@needs_speech
def test_prepare_writes_a_cached_corpus_with_a_manifest(tmp_path):
    counts = {"music": 1, "speech": 2, "synth": 1}
    manifest = prepare(tmp_path, counts, seed=0)
    rows = list(csv.DictReader(open(manifest)))
    assert [r["kind"] for r in rows] == ["music", "speech", "speech", "synth"]
    for row in rows:
        audio, rate = load_audio(tmp_path / row["file"])
        assert rate == 16000 and audio.shape[0] == 1
        assert abs(audio.shape[-1] / rate - float(row["seconds"])) < 0.01
        assert audio.abs().max() <= 0.99 + 1e-4
    assert float(rows[0]["seconds"]) <= 30.0 and "bpm" in rows[0]["holds"]
    stamps = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.flac")}
    assert prepare(tmp_path, counts, seed=0) == manifest  # cached: nothing rewritten
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.flac")} == stamps
    assert list(csv.DictReader(open(manifest))) == rows


def test_items_that_failed_are_not_tried_again(tmp_path, monkeypatch):
    import refine.data.prepare as module

    calls, make_item = [], module.make_item

    def failing_second(kind, index, *args):
        calls.append(index)
        if index == 1:
            raise RuntimeError("this draw cannot be made")
        return make_item(kind, index, *args)

    monkeypatch.setattr(module, "make_item", failing_second)
    manifest = prepare(tmp_path, {"synth": 3})
    assert calls == [0, 1, 2] and len(list(csv.DictReader(open(manifest)))) == 2
    skipped = list(csv.DictReader(open(tmp_path / "skipped.csv")))
    assert skipped == [
        {"file": "synth/synth_0002.flac", "reason": "RuntimeError: this draw cannot be made"}
    ]
    prepare(tmp_path, {"synth": 3})
    assert calls == [0, 1, 2]  # nothing made again: files kept, the failure remembered
    assert list(csv.DictReader(open(tmp_path / "skipped.csv"))) == skipped


def test_a_smaller_count_leaves_that_many_files_and_the_kinds_not_asked_stay(tmp_path):
    voice = (0.5 * np.sin(np.arange(24000) * 0.1), "a tone")
    prepare(tmp_path, {"synth": 3, "voices": 1}, recorded={"voices": [voice]})
    prepare(tmp_path, {"synth": 1})  # training reads the folder: two synth files would stay in
    assert sorted(p.name for p in (tmp_path / "synth").iterdir()) == ["synth_0001.flac"]
    rows = list(csv.DictReader(open(tmp_path / "manifest.csv")))
    assert [r["file"] for r in rows] == ["synth/synth_0001.flac", "voices/voices_0001.flac"]
    assert (tmp_path / "voices/voices_0001.flac").is_file()


def test_voices_are_the_given_recordings_in_order_and_at_most_as_many(tmp_path, caplog):
    tone = lambda seconds: 0.5 * np.sin(np.arange(round(seconds * 16000)) * 0.1)  # noqa: E731
    voices = [(tone(1.5), "first"), (tone(0.4), "too short"), (tone(2.0), "third")]
    manifest = prepare(tmp_path, {"voices": 5}, recorded={"voices": voices})
    rows = list(csv.DictReader(open(manifest)))
    assert [(r["file"], r["holds"]) for r in rows] == [
        ("voices/voices_0001.flac", "first"),
        ("voices/voices_0003.flac", "third"),
    ]
    assert [float(r["seconds"]) for r in rows] == [1.5, 2.0]
    assert "5 voices asked, 3 recordings installed" in caplog.text
    skipped = list(csv.DictReader(open(tmp_path / "skipped.csv")))
    assert [r["file"] for r in skipped] == ["voices/voices_0002.flac"]


def test_the_voices_share_no_package_with_the_noise_or_the_held_out_tests():
    from refine.data.noise_corpus import TRAIN_PACKAGES
    from refine.data.voices import PACKAGES

    held_out = {  # experiments/pretrained/real_recordings.py and real_noise.py
        "alsa-utils", "asterisk-core-sounds-en-wav", "fillets-ng-data-nl",
        "asterisk-core-sounds-ru-wav",
    }  # fmt: skip
    assert PACKAGES and not set(PACKAGES) & (set(TRAIN_PACKAGES) | held_out)


def test_soundtracks_are_every_track_cut_in_30_s_pieces_in_a_seeded_order(tmp_path, monkeypatch):
    from refine.data import soundtracks
    from refine.data.noise_corpus import Source

    rate = 8000
    for name, seconds in (("long.ogg", 75), ("short.ogg", 65)):  # 30+30+15 and 30+30(+5)
        save_audio(tmp_path / name, 0.1 * torch.randn(1, seconds * rate), rate)
    source = Source("game-data", "GPL-2+", str(tmp_path), "*.ogg", "a game's soundtrack")
    monkeypatch.setattr(soundtracks, "SOUNDTRACKS", (source,))
    pieces = soundtracks.soundtrack_pieces(seed=0, rate=rate)
    assert sorted(len(audio) / rate for audio, _ in pieces) == [15, 30, 30, 30, 30]
    assert {what for _, what in pieces} == {
        f"a game's soundtrack: {name} from {start} s (game-data, GPL-2+)"
        for name, starts in (("long.ogg", (0, 30, 60)), ("short.ogg", (0, 30)))
        for start in starts
    }
    again = soundtracks.soundtrack_pieces(seed=0, rate=rate)
    assert [what for _, what in again] == [what for _, what in pieces]
    other = soundtracks.soundtrack_pieces(seed=1, rate=rate)
    assert [what for _, what in other] != [what for _, what in pieces]
    manifest = prepare(tmp_path / "corpus", {"soundtracks": 2}, recorded={"soundtracks": pieces})
    rows = list(csv.DictReader(open(manifest)))
    assert [(r["file"], r["holds"]) for r in rows] == [
        ("soundtracks/soundtracks_0001.flac", pieces[0][1]),
        ("soundtracks/soundtracks_0002.flac", pieces[1][1]),
    ]


def test_the_soundtracks_come_from_no_package_a_test_reads():
    from refine.data.soundtracks import PACKAGES

    tests = {  # experiments/pretrained/real_recordings.py and real_noise.py
        "alsa-utils", "asterisk-core-sounds-en-wav", "asterisk-moh-opsound-wav", "lomiri-sounds",
        "qabcs-data", "btanks-data", "fillets-ng-data-nl", "asterisk-core-sounds-ru-wav",
        "fretsonfire-songs-muldjord",
    }  # fmt: skip
    assert PACKAGES and not set(PACKAGES) & tests
