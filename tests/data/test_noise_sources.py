"""Recorded noise kinds beside generated colours: drawn from a noise corpus's subfolders,
kept to the clean subfolder they may cover, refused with a message when they cannot be
found; and the noise makers that build such a corpus from real material."""

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch

from refine.audio import save_audio
from refine.data import CleanFolderDataset
from refine.data.folders import looped_window
from refine.data.noise_corpus import held_out_key, make_item
from refine.data.noise_layers import NoiseLayers
from refine.data.noise_makers import babble, mains_hum, typing
from refine.data.noise_sources import NoiseKinds, audible_starts, audible_window
from refine.networks.content import CONTENTS

RATE = 16000
MUSIC_LABEL = CONTENTS.index("music")


def corpus(tmp_path):
    """A clean folder with speech/ (amplitude 0.25) and music/ (0.5), and a noise corpus with
    babble/ and music/."""
    t = torch.arange(RATE) / RATE
    for part, level in (("speech", 0.25), ("music", 0.5)):
        tone = level * torch.sin(2 * torch.pi * 200.0 * t)[None]
        save_audio(tmp_path / "clean" / part / "a.wav", tone, RATE, "FLOAT")
    save_audio(tmp_path / "noise" / "babble" / "b.flac", 0.1 * torch.randn(1, 2 * RATE), RATE)
    save_audio(tmp_path / "noise" / "music" / "m.flac", 0.1 * torch.randn(1, RATE // 4), RATE)
    return tmp_path / "clean", tmp_path / "noise"


def kinds_by_part(dataset) -> dict[str, Counter]:
    """How often each noise kind covers corpus()'s speech (the 0.25 tone) and its music (0.5)
    over every item of the dataset."""
    counts = {"speech": Counter(), "music": Counter()}
    for index in range(len(dataset)):
        item = dataset[index]
        counts["speech" if item["clean"].abs().max() < 0.3 else "music"][item["noise_kind"]] += 1
    return counts


def test_recorded_kinds_come_from_the_noise_corpus_beside_generated_colours(tmp_path):
    clean, noise = corpus(tmp_path)
    dataset = CleanFolderDataset(
        clean, 60, segment_seconds=0.5, noise_kinds=["white", "babble", "music"], noise_dir=noise
    )
    kinds = set()
    for index in range(60):
        item = dataset[index]
        assert torch.equal(item["noisy"], item["clean"] + item["noise"])
        assert item["noise"].abs().sum() > 0  # the 0.25 s music noise loops over 0.5 s
        kinds.add(item["noise_kind"])
        assert torch.equal(item["noise"], dataset[index]["noise"])  # seeded per item
    assert kinds == {"white", "babble", "music"}


def test_a_kind_kept_under_speech_never_covers_music(tmp_path):
    clean, noise = corpus(tmp_path)
    dataset = CleanFolderDataset(
        clean,
        200,
        segment_seconds=0.25,
        noise_kinds=["white", "music"],
        noise_dir=noise,
        noise_only_under={"music": "speech"},
    )
    by_part = {part: set(counts) for part, counts in kinds_by_part(dataset).items()}
    assert by_part == {"speech": {"white", "music"}, "music": {"white"}}
    with pytest.raises(ValueError, match="noise_only_under names speeches: no subfolder"):
        CleanFolderDataset(clean, 2, segment_seconds=0.25, noise_kinds=["white", "music"],
                           noise_dir=noise, noise_only_under={"music": "speeches"})  # fmt: skip


def test_a_kind_kept_under_several_subfolders_covers_each_and_nothing_else(tmp_path):
    _, noise = corpus(tmp_path)
    kinds = NoiseKinds(["white", "music"], RATE, noise, only_under={"music": ["speech", "voices"]})
    generator = torch.Generator().manual_seed(0)
    drawn = {
        part: {kinds.draw_kind(generator, Path(part) / "a.flac") for _ in range(100)}
        for part in ("speech", "voices", "music")
    }
    assert drawn == {"speech": {"white", "music"}, "voices": {"white", "music"}, "music": {"white"}}


def test_a_subfolder_with_its_own_kinds_draws_only_those_and_the_rest_the_common_list(tmp_path):
    clean, noise = corpus(tmp_path)
    dataset = CleanFolderDataset(
        clean,
        200,
        segment_seconds=0.25,
        noise_kinds=["white", "pink"],
        noise_dir=noise,
        noise_kinds_under={"music": ["babble", "babble", "white"]},
    )
    counts = kinds_by_part(dataset)
    assert set(counts["speech"]) == {"white", "pink"}
    assert set(counts["music"]) == {"babble", "white"}
    assert counts["music"]["babble"] > counts["music"]["white"]  # 2 in 3, about 67 against 33


def test_a_subfolder_given_the_common_list_draws_exactly_as_without_the_option(tmp_path):
    clean, noise = corpus(tmp_path)
    common = dict(segment_seconds=0.25, noise_kinds=["white", "babble"], noise_dir=noise)
    plain = CleanFolderDataset(clean, 30, **common)
    same = CleanFolderDataset(clean, 30, noise_kinds_under={"music": ["white", "babble"]}, **common)
    for index in range(30):
        assert plain[index]["noise_kind"] == same[index]["noise_kind"]
        assert torch.equal(plain[index]["noisy"], same[index]["noisy"])


def test_content_labels_come_from_the_subfolder_and_leave_the_draws_as_they_were(tmp_path):
    clean, _ = corpus(tmp_path)
    common = dict(segment_seconds=0.25, noise_kinds=["white", "pink"])
    plain = CleanFolderDataset(clean, 40, **common)
    labelled = CleanFolderDataset(clean, 40, content_of={"music": "music"}, **common)
    seen = Counter()
    for index in range(40):
        item = labelled[index]
        assert torch.equal(item["noisy"], plain[index]["noisy"])
        assert "content" not in plain[index]
        is_music = item["clean"].abs().max() > 0.3
        seen[item["content"]] += 1
        assert item["content"] == CONTENTS.index("music" if is_music else "unknown")
    assert len(seen) == 2  # both parts were drawn
    both = CleanFolderDataset(clean, 4, content_of={"speech": "speech", "music": "music"}, **common)
    assert {both[i]["content"] for i in range(4)} <= {CONTENTS.index("speech"), MUSIC_LABEL}


def test_content_labels_naming_no_subfolder_or_no_content_are_refused(tmp_path):
    clean, _ = corpus(tmp_path)
    with pytest.raises(ValueError, match="content_of names voices.*are music, speech"):
        CleanFolderDataset(clean, 5, segment_seconds=0.25, content_of={"voices": "speech"})
    with pytest.raises(ValueError, match="unknown, speech, music, got 'song'"):
        CleanFolderDataset(clean, 5, segment_seconds=0.25, content_of={"music": "song"})


def test_a_restricted_kind_in_a_subfolders_list_is_redrawn_from_that_list(tmp_path):
    _, noise = corpus(tmp_path)
    kinds = NoiseKinds(
        ["pink"],
        RATE,
        noise,
        only_under={"music": "speech"},
        kinds_under={"music": ["white", "music"], "speech": ["music", "babble"]},
    )
    generator = torch.Generator().manual_seed(0)
    drawn = {
        part: {kinds.draw_kind(generator, Path(part) / "a.flac") for _ in range(100)}
        for part in ("speech", "music", "synth")
    }
    assert drawn == {"speech": {"music", "babble"}, "music": {"white"}, "synth": {"pink"}}


def test_a_subfolders_kinds_are_refused_when_they_cannot_be_read(tmp_path):
    clean, noise = corpus(tmp_path)
    with pytest.raises(ValueError, match="noise_kinds_under names voices.*are music, speech"):
        CleanFolderDataset(clean, 5, segment_seconds=0.25, noise_kinds_under={"voices": ["pink"]})
    with pytest.raises(ValueError, match="noise_kinds_under.music must be a non-empty list"):
        NoiseKinds(["white"], RATE, noise, kinds_under={"music": []})
    with pytest.raises(ValueError, match="traffic.*not a folder"):
        NoiseKinds(["white"], RATE, noise, kinds_under={"music": ["traffic"]})
    with pytest.raises(ValueError, match="noise_kinds_under.music .*leave one free"):
        NoiseKinds(
            ["white"], RATE, noise, only_under={"music": "speech"}, kinds_under={"music": ["music"]}
        )
    allowed = NoiseKinds(
        ["white"], RATE, noise, only_under={"music": "music"}, kinds_under={"music": ["music"]}
    )
    assert allowed.draw_kind(torch.Generator().manual_seed(0), Path("music/a.flac")) == "music"


def test_clean_subfolders_keep_the_draws_to_those_parts_and_none_keeps_the_whole(tmp_path):
    clean, _ = corpus(tmp_path)
    save_audio(clean / "loose.wav", 0.9 * torch.ones(1, RATE), RATE, "FLOAT")  # in no part
    levels = {}
    for parts in (None, ["speech"], ["speech", "music"]):
        dataset = CleanFolderDataset(clean, 40, segment_seconds=0.25, clean_subfolders=parts)
        levels[str(parts)] = {round(dataset[i]["clean"].abs().max().item(), 1) for i in range(40)}
    assert levels == {
        "None": {0.2, 0.5, 0.9},  # the 0.25 tone peaks just under 0.25
        "['speech']": {0.2},
        "['speech', 'music']": {0.2, 0.5},
    }
    whole = CleanFolderDataset(clean, 5, segment_seconds=0.25)
    files = CleanFolderDataset(clean, 5, segment_seconds=0.25, clean_subfolders=None).clean.files
    assert files == whole.clean.files  # None draws exactly as before the option existed


@pytest.mark.parametrize("parts", [["voices"], ["speech", "voices"], []])
def test_a_clean_subfolder_without_audio_is_refused_naming_the_ones_there(tmp_path, parts):
    clean, _ = corpus(tmp_path)
    with pytest.raises(ValueError, match="its subfolders with audio are music, speech"):
        CleanFolderDataset(clean, 5, segment_seconds=0.25, clean_subfolders=parts)


def test_unknown_or_unplaced_kinds_are_refused_with_what_to_do(tmp_path):
    clean, noise = corpus(tmp_path)
    with pytest.raises(ValueError, match="set data.noise_dir"):
        NoiseKinds(["white", "babble"], RATE)
    with pytest.raises(ValueError, match="traffic.*not a folder"):
        NoiseKinds(["traffic"], RATE, noise)
    with pytest.raises(ValueError, match="leave one free"):
        NoiseKinds(["music"], RATE, noise, only_under={"music": "speech"})
    with pytest.raises(ValueError, match="not in noise_kinds"):
        NoiseKinds(["white"], RATE, noise, only_under={"music": "speech"})


def test_babble_typing_and_hum_are_seeded_unit_rms_noise_of_the_asked_length():
    rng = lambda: np.random.default_rng(3)  # noqa: E731
    voices = [np.sin(np.arange(n) * 0.05) for n in (8000, 12000, 5000)]
    clicks = [np.exp(-np.arange(500) / 50.0) * np.sin(np.arange(500)) for _ in range(4)]
    for noise in (
        babble(voices, rng(), 3 * RATE, RATE),
        typing(clicks, rng(), 3 * RATE, RATE),
        mains_hum(rng(), 3 * RATE, RATE),
    ):
        assert noise.shape == (1, 3 * RATE) and noise.dtype == torch.float32
        assert noise.square().mean().sqrt().item() == pytest.approx(1.0, rel=1e-4)
    torch.testing.assert_close(typing(clicks, rng(), RATE, RATE), typing(clicks, rng(), RATE, RATE))
    keys = typing(clicks, rng(), 3 * RATE, RATE)[0]
    assert (keys.abs() < 1e-6).float().mean() > 0.3  # clicks with silence between them
    spectrum = torch.fft.rfft(mains_hum(rng(), RATE, RATE)[0]).abs()
    assert spectrum.argmax().item() in (50, 60)  # 1 Hz bins: the mains frequency leads
    shouts = make_item("shouts", rng(), {"shouts": voices, "babble": clicks}, RATE)
    torch.testing.assert_close(shouts, babble(voices, rng(), 10 * RATE, RATE))  # its own lines
    with pytest.raises(ValueError, match="unknown made noise kind"):
        make_item("thunder", rng(), {}, RATE)


@pytest.mark.parametrize("kind", ["events", "impacts", "everyday", "vehicles"])
def test_events_are_recordings_at_random_times_at_the_drawn_rate(kind):
    rng = lambda seed: np.random.default_rng(seed)  # noqa: E731
    bark = [np.exp(-np.arange(800) / 100.0) * np.sin(np.arange(800) * 0.3)]  # 50 ms each
    events = make_item(kind, rng(1), {kind: bark}, RATE)
    assert events.shape == (1, 10 * RATE)
    assert events.square().mean().sqrt().item() == pytest.approx(1.0, rel=1e-4)
    torch.testing.assert_close(events, make_item(kind, rng(1), {kind: bark}, RATE))
    onsets = []  # first samples of the events, from the rate drawn inside
    for seed in range(20):
        heard = make_item(kind, rng(seed), {kind: bark}, RATE)[0].abs() > 1e-6
        onsets.append(int((heard[1:] & ~heard[:-1]).sum()) + int(heard[0]))
    # EVENTS_PER_SECOND (0.5-4): 5-40 events in 10 s, fewer where two overlap.
    assert 2 <= min(onsets) and max(onsets) <= 45 and max(onsets) > 2 * min(onsets)
    with pytest.raises(ValueError, match="transient recordings"):
        make_item(kind, rng(0), {kind: []}, RATE)


def test_one_key_in_five_is_held_out_with_its_press_and_release():
    names = [f"{code:02x}-{edge}.wav" for code in range(100) for edge in (0, 1)]
    held = [name for name in names if held_out_key(name)]
    assert 0.1 < len(held) / len(names) < 0.3
    assert all(held_out_key(name.replace("-0.", "-1.")) for name in held if "-0." in name)


def test_the_noise_corpus_is_written_once_with_a_manifest_naming_sources_and_licences(
    tmp_path, monkeypatch
):
    from refine.data import noise_corpus
    from refine.data.noise_corpus import Source, prepare_noise

    rng = np.random.default_rng(0)
    packages = tmp_path / "usr"
    for i in range(3):
        save_audio(packages / "voices" / f"v{i}.wav", torch.from_numpy(
            0.2 * np.sin(np.arange(2 * RATE) * (0.05 + 0.01 * i))).float()[None], RATE)  # fmt: skip
    for i, seconds in enumerate((0.4, 0.9)):  # a game's lines, under a second
        save_audio(packages / "shouts" / f"pack{i}" / "Yessir.ogg", 0.2 * torch.randn(
            1, round(seconds * RATE)), RATE)  # fmt: skip
    for code in ("1e", "1f", "20", "21", "22", "23"):
        click = torch.from_numpy(rng.standard_normal(2000) * np.exp(-np.arange(2000) / 200))
        save_audio(packages / "keys" / f"{code}-0.wav", click.float()[None], RATE)
    save_audio(packages / "amb" / "wind.ogg", 0.1 * torch.randn(1, 25 * RATE), RATE)
    save_audio(packages / "sfx" / "bird.ogg", 0.1 * torch.randn(1, RATE // 4), RATE)
    save_audio(packages / "hits" / "anvil.wav", 0.1 * torch.randn(1, RATE // 8), RATE)
    for stamp in ("animals/cow", "animals/cow_desc_fr", "symbols/seven"):
        save_audio(packages / "stamps" / f"{stamp}.ogg", 0.1 * torch.randn(1, RATE // 2), RATE)
    source = lambda folder, pattern: Source(folder, "CC0", str(packages / folder), pattern, folder)  # noqa: E731
    monkeypatch.setattr(noise_corpus, "SPEECH", (source("voices", "*.wav"),))
    monkeypatch.setattr(noise_corpus, "SHOUTS", source("shouts", "*/*.ogg"))
    monkeypatch.setattr(noise_corpus, "KEYS", source("keys", "*.wav"))
    monkeypatch.setattr(noise_corpus, "AMBIENCE", (source("amb", "*.ogg"),))
    monkeypatch.setattr(noise_corpus, "EVENTS", source("sfx", "*.ogg"))
    monkeypatch.setattr(noise_corpus, "IMPACTS", (source("hits", "*.wav"),))
    stamps = Source("stamps", "GPL-2", str(packages / "stamps"), "**/*.ogg", "stamps",
                    exclude=("*_desc*", "symbols/*"))  # fmt: skip
    monkeypatch.setattr(noise_corpus, "EVERYDAY", stamps)
    archive = opensfx_archive(tmp_path / "opensfx.cat", [
        ('"Level crossing". By A. License: CC0.', wav_bytes(tmp_path, 0.5, 44100)),
    ])  # fmt: skip
    monkeypatch.setattr(noise_corpus, "VEHICLES", Source("sfx", "CC0", str(archive), "*", "sfx"))
    counts = {"babble": 2, "shouts": 2, "typing": 2, "hum": 1, "music": 1, "events": 2,
              "impacts": 1, "everyday": 1, "vehicles": 2}  # fmt: skip
    monkeypatch.setattr(noise_corpus, "COUNTS", counts)
    manifest = prepare_noise(tmp_path / "noise", corpus=None)
    rows = list(__import__("csv").DictReader(open(manifest)))
    kinds = [row["kind"] for row in rows]
    assert kinds.count("babble") == 2 and kinds.count("typing") == 2 and kinds.count("hum") == 1
    assert kinds.count("ambience") == 3  # 25 s of wind cut into 10 + 10 + 5 s
    assert kinds.count("events") == 2  # a quarter-second bird is an event, not too short
    assert kinds.count("impacts") == 1 and kinds.count("everyday") == 1
    assert kinds.count("vehicles") == 2  # made of the archive's one sound
    assert kinds.count("shouts") == 2
    shouts = [row for row in rows if row["kind"] == "shouts"]
    assert {row["source"] for row in shouts} == {"shouts"}
    assert "music" not in kinds  # no clean corpus given: no music interference, with a warning
    babble_row = next(row for row in rows if row["kind"] == "babble")
    assert babble_row["source"] == "voices" and babble_row["licence"] == "voices: CC0"
    first = (tmp_path / "noise" / "babble" / "babble_0001.flac").read_bytes()
    (tmp_path / "noise" / "hum" / "hum_0001.flac").unlink()
    prepare_noise(tmp_path / "noise", corpus=None)  # resumes: kept files stay, missing remade
    assert (tmp_path / "noise" / "babble" / "babble_0001.flac").read_bytes() == first
    assert (tmp_path / "noise" / "hum" / "hum_0001.flac").is_file()
    with pytest.raises(ValueError, match=r"other settings: seed 0 \(now 1\)"):
        prepare_noise(tmp_path / "noise", corpus=None, seed=1)  # its files are seed 0's


def test_a_source_leaves_out_the_files_its_exclude_patterns_match(tmp_path):
    from refine.data.noise_corpus import Source

    for name in ("birds/crow.ogg", "birds/crow_desc_fr.ogg", "symbols/seven.ogg", "cow.ogg"):
        save_audio(tmp_path / name, 0.1 * torch.randn(1, RATE // 10), RATE)
    source = Source("p", "CC0", str(tmp_path), "**/*.ogg", "w", exclude=("*_desc*", "symbols/*"))
    kept = [Path(name).relative_to(tmp_path).as_posix() for name, _ in source.files()]
    assert kept == ["birds/crow.ogg", "cow.ogg"]
    assert len(Source("p", "CC0", str(tmp_path), "**/*.ogg", "w").files()) == 4


def opensfx_archive(path: Path, entries: list[tuple[str, bytes]]) -> Path:
    """An OpenTTD sound archive (.cat) of (name, file bytes) entries, laid out as the game
    writes it: a table of (offset, size) pairs, then each entry's name length, name and file;
    the first offset carries the flag bit that real archives set."""
    import struct

    table, body = [], b""
    start = 8 * len(entries)
    for name, content in entries:
        record = bytes([len(name) + 1]) + name.encode("latin-1") + b"\0" + content
        table.append((start + len(body), len(record)))
        body += record
    header = b"".join(struct.pack("<II", offset | (1 << 31) * (i == 0), size)
                      for i, (offset, size) in enumerate(table))  # fmt: skip
    path.write_bytes(header + body)
    return path


def wav_bytes(tmp_path: Path, seconds: float, rate: int, channels: int = 1) -> bytes:
    path = tmp_path / "sound.wav"
    save_audio(path, 0.1 * torch.randn(channels, round(seconds * rate)), rate, "PCM_16")
    return path.read_bytes()


def test_an_openttd_sound_archive_gives_its_titled_sounds_less_placeholders_and_exclusions(
    tmp_path,
):
    from refine.data.noise_corpus import Source, cat_sounds

    train = wav_bytes(tmp_path, 0.5, 44100, channels=2)
    horn = wav_bytes(tmp_path, 0.25, 22050)
    archive = opensfx_archive(tmp_path / "sfx.cat", [
        ('"Steam train departure". By A. License: CC0.', train),
        ('"Unused/Nothing". Trivial empty sound file.', b"\0" * 8),
        ('"Toyland: Comedy bus start". By B. License: CC-BY 3.0.', horn),
        ('"Ship horn". Original by C. License: CC-BY 3.0.', horn),
    ])  # fmt: skip
    titles = [title for title, _ in cat_sounds(archive)]
    assert titles == ["Steam train departure", "Toyland: Comedy bus start", "Ship horn"]
    source = Source("openttd-opensfx", "CC-BY-SA-3.0", str(archive), "*", "w",
                    exclude=("Toyland:*",))  # fmt: skip
    files = source.files()
    assert [name for name, _ in files] == ["sfx.cat:Ship horn", "sfx.cat:Steam train departure"]
    audio, rate = files[1][1]()
    assert rate == 44100 and audio.shape == (22050,)  # the two channels averaged
    assert [name for name, _ in Source("p", "CC0", str(archive), "S*", "w").files()] == [
        "sfx.cat:Ship horn", "sfx.cat:Steam train departure"]  # fmt: skip


def test_make_noise_packages_installs_every_package_the_noise_corpus_and_recordings_read():
    from refine.data import soundtracks, voices
    from refine.data.noise_corpus import TRAIN_PACKAGES

    makefile = (Path(__file__).parents[2] / "Makefile").read_text()
    listed = makefile.split("NOISE_PACKAGES :=")[1].split("\nnoise-packages:")[0]
    read = {*TRAIN_PACKAGES, *voices.PACKAGES, *soundtracks.PACKAGES}
    assert sorted(listed.replace("\\", " ").split()) == sorted(read)


def test_a_noise_window_is_drawn_where_the_recording_is_heard():
    # 10 s of digital silence with one 0.2 s burst of clicks: most 0.5 s windows hear nothing.
    recording = torch.zeros(1, 10 * RATE)
    recording[:, 4 * RATE : 4 * RATE + RATE // 5] = 0.3 * torch.randn(1, RATE // 5)
    length = RATE // 2
    starts = audible_starts(recording, length)
    assert starts is not None and starts.min() >= 4 * RATE - length
    assert starts.max() < 4 * RATE + RATE // 5
    for seed in range(20):
        window = audible_window(recording, length, torch.Generator().manual_seed(seed), starts)
        heard = window.square().mean() > 1e-3 * recording.square().mean()
        assert window.shape == (1, length) and heard

    # A recording heard everywhere: the very window looped_window draws, one draw each.
    steady = torch.randn(2, 3 * RATE)
    assert audible_starts(steady, length) is None
    for seed in range(5):
        drawn = audible_window(steady, length, torch.Generator().manual_seed(seed), None)
        same = looped_window(steady, length, torch.Generator().manual_seed(seed))
        assert torch.equal(drawn, same)


def layered_corpus(tmp_path):
    """corpus() with a third kind, typing/: a louder noise than babble, so that the layers'
    unit-RMS scaling shows."""
    clean, noise = corpus(tmp_path)
    save_audio(noise / "typing" / "t.flac", 0.4 * torch.randn(1, 2 * RATE), RATE)
    return clean, noise


def test_a_second_noise_goes_under_the_drawn_share_of_clips_at_the_drawn_level(tmp_path):
    clean, noise = layered_corpus(tmp_path)
    common = dict(segment_seconds=0.25, noise_kinds=["babble", "typing"], noise_dir=noise)
    plain = CleanFolderDataset(clean, 200, **common)
    layers = NoiseLayers(0.5, (-6.0, -6.0))
    layered_set = CleanFolderDataset(clean, 200, noise_layers=layers, **common)
    second_layers = 0
    for index in range(200):
        one, two = plain[index], layered_set[index]
        assert torch.equal(two["noisy"], two["clean"] + two["noise"])
        assert torch.equal(one["clean"], two["clean"])  # the clip's own draws come first
        assert abs(two["snr_db"] - one["snr_db"]) < 1e-4  # the sum is mixed at the same SNR
        first, _, second = two["noise_kind"].partition("+")
        assert first == one["noise_kind"] and second in ("", "babble", "typing")
        if not second:
            torch.testing.assert_close(two["noise"], one["noise"], rtol=0, atol=0)
            continue
        second_layers += 1
        # The first noise is the plain clip's; what is left is the second at -6 dB against it
        # (both at unit RMS before the sum is scaled to the SNR).
        scale = one["noise"].square().mean().sqrt()
        rest = two["noise"] / scale - one["noise"] / scale
        rest_rms = rest.square().mean().sqrt()
        torch.testing.assert_close(rest_rms, torch.tensor(10 ** (-6 / 20)), rtol=0.2, atol=0)
    assert 70 <= second_layers <= 130  # half of 200: 100 ± 30 covers 4 standard deviations


def test_noise_layers_with_no_share_change_no_draw_and_bad_settings_are_refused(tmp_path):
    clean, noise = layered_corpus(tmp_path)
    common = dict(segment_seconds=0.25, noise_kinds=["white", "babble"], noise_dir=noise)
    plain = CleanFolderDataset(clean, 20, **common)
    none = CleanFolderDataset(clean, 20, noise_layers=NoiseLayers(0.0, (-3.0, 0.0)), **common)
    for index in range(20):
        assert torch.equal(plain[index]["noisy"], none[index]["noisy"])
        assert plain[index]["noise_kind"] == none[index]["noise_kind"]
    with pytest.raises(ValueError, match="between 0 and 1"):
        NoiseLayers(1.5)
    with pytest.raises(ValueError, match="low <= high"):
        NoiseLayers.from_settings(0.5, [0.0, -10.0])
    with pytest.raises(ValueError, match=r"\[low, high\]"):
        NoiseLayers.from_settings(0.5, [-10.0])


def test_a_second_layer_keeps_to_the_kinds_the_clean_file_may_have(tmp_path):
    _, noise = layered_corpus(tmp_path)
    kinds = NoiseKinds(
        ["white", "music"], RATE, noise, only_under={"music": "speech"},
        layers=NoiseLayers(1.0), kinds_under={"voices": ["typing"]},
    )  # fmt: skip
    generator = torch.Generator().manual_seed(0)
    first = torch.randn(1, RATE // 4, generator=generator)
    for part, allowed in (("music", {"white"}), ("speech", {"white", "music"}),
                          ("voices", {"typing"})):  # fmt: skip
        seconds = set()
        for _ in range(40):
            mixed, label = kinds.with_second_layer(first, "white", generator, Path(part) / "a")
            seconds.add(label.split("+")[1])
            assert mixed.shape == first.shape
        assert seconds == allowed


def test_a_second_layer_of_its_own_kinds_draws_only_those_and_the_first_as_before(tmp_path):
    clean, noise = layered_corpus(tmp_path)
    common = dict(segment_seconds=0.25, noise_kinds=["babble", "typing"], noise_dir=noise)
    beds = CleanFolderDataset(
        clean, 60, noise_layers=NoiseLayers(1.0, kinds=("pink", "music")), **common,
        noise_only_under={"music": "speech"},
    )  # fmt: skip
    plain = CleanFolderDataset(clean, 60, **common)
    by_part = {"speech": set(), "music": set()}
    for index in range(60):
        item = beds[index]
        first, second = item["noise_kind"].split("+")
        assert first == plain[index]["noise_kind"]
        by_part["speech" if item["clean"].abs().max() < 0.3 else "music"].add(second)
    assert by_part == {"speech": {"pink", "music"}, "music": {"pink"}}
    with pytest.raises(ValueError, match="noise_layer_kinds"):
        NoiseKinds(["white"], RATE, noise, only_under={"music": "speech"},
                   layers=NoiseLayers(0.5, kinds=("music",)))  # fmt: skip


def test_a_second_layer_goes_only_over_the_first_kinds_named_and_the_rest_stay_as_they_were(
    tmp_path,
):
    clean, noise = layered_corpus(tmp_path)
    common = dict(segment_seconds=0.25, noise_kinds=["white", "babble"], noise_dir=noise)
    over = CleanFolderDataset(clean, 80, noise_layers=NoiseLayers(1.0, over=("babble",)), **common)
    plain = CleanFolderDataset(clean, 80, **common)
    firsts = set()
    for index in range(80):
        one, two = plain[index], over[index]
        first, _, second = two["noise_kind"].partition("+")
        firsts.add(first)
        assert first == one["noise_kind"]
        if first == "white":  # not covered: the clip as without layers, draw for draw
            assert not second and torch.equal(two["noisy"], one["noisy"])
        else:  # covered, at a share of 1: every such clip has a second noise
            assert second in ("white", "babble")
    assert firsts == {"white", "babble"}
    with pytest.raises(ValueError, match=r"noise_layer_over names kinds \['typing'\]"):
        NoiseKinds(["white", "babble"], RATE, noise, layers=NoiseLayers(0.5, over=("typing",)))
    with pytest.raises(ValueError, match="noise_layer_over must be a non-empty list"):
        NoiseKinds(["white"], RATE, noise, layers=NoiseLayers(0.5, over=()))
    assert NoiseLayers.from_settings(0.5, [-10, 0], None, ["babble"]).over == ("babble",)
