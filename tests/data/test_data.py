import math

import pytest
import torch

from refine.audio import load_audio, save_audio
from refine.data import (
    NOISE_KINDS,
    CleanFolderDataset,
    CleanNoiseFolderDataset,
    PairedFolderDataset,
    SyntheticDataset,
    colored_noise,
    mix_at_snr,
    snr_db,
    synth_music,
    write_synthetic_folders,
)
from refine.data.synth import Note, Timbre, render_note

RATE = 16000


def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def psd_slope(x: torch.Tensor, low: float = 50.0, high: float = 4000.0) -> float:
    """Slope of log10 power against log10 frequency of a Welch-averaged spectrum."""
    n_fft = 4096
    frames = torch.stft(
        x.double(),
        n_fft,
        hop_length=n_fft // 2,
        window=torch.hann_window(n_fft, dtype=torch.float64),
        return_complex=True,
    )  # (F, frames)
    power = frames.abs().square().mean(-1)  # (F,)
    freqs = torch.fft.rfftfreq(n_fft, 1 / RATE, dtype=torch.float64)
    band = (freqs >= low) & (freqs <= high)
    design = torch.stack(
        [torch.log10(freqs[band]), torch.ones(int(band.sum()), dtype=torch.float64)], 1
    )
    solution = torch.linalg.lstsq(design, torch.log10(power[band])[:, None]).solution
    return solution[0, 0].item()


# ---- noise ----


@pytest.mark.parametrize(
    ("kind", "slope", "tolerance"),
    [("white", 0.0, 0.2), ("pink", -1.0, 0.25), ("brown", -2.0, 0.3)],
)
def test_noise_spectral_slope(kind, slope, tolerance):
    noise = colored_noise(kind, 2**18, generator(0))
    assert psd_slope(noise) == pytest.approx(slope, abs=tolerance)


@pytest.mark.parametrize("kind", NOISE_KINDS)
@pytest.mark.parametrize("length", [2, 999, 16000])
def test_noise_is_zero_mean_unit_variance_float32(kind, length):
    noise = colored_noise(kind, length, generator(1))
    assert noise.shape == (length,) and noise.dtype == torch.float32
    assert abs(noise.double().mean().item()) < 1e-6
    assert noise.double().std().item() == pytest.approx(1.0, abs=1e-5)


def test_noise_is_deterministic_and_mix_lies_between_colours():
    torch.testing.assert_close(
        colored_noise("mix", 100, generator(3)), colored_noise("mix", 100, generator(3))
    )
    slope = psd_slope(colored_noise("mix", 2**18, generator(0)))
    assert -2.3 < slope < 0.2


@pytest.mark.parametrize("kind", NOISE_KINDS)
def test_noise_at_its_own_period_is_the_default(kind):
    default = colored_noise(kind, 999, generator(4))
    torch.testing.assert_close(colored_noise(kind, 999, generator(4), period=999), default)


def test_a_window_of_longer_pink_noise_drifts_like_a_long_recording():
    """At the clip's own length every window is zero-mean; a window of a 16x longer pink
    noise carries the slow drift of its lower octaves (white noise hardly any), and keeps
    the 1/f slope above them."""

    def window_means(kind: str, period: int) -> torch.Tensor:
        return torch.stack(
            [colored_noise(kind, 800, generator(s), period).mean() for s in range(64)]
        )

    assert window_means("pink", 800).abs().max() < 1e-6
    drift = window_means("pink", 16 * 800).square().mean().sqrt()
    assert drift > 4 * window_means("white", 16 * 800).square().mean().sqrt() > 0
    assert psd_slope(colored_noise("pink", 2**16, generator(0), period=2**18)) == pytest.approx(
        -1.0, abs=0.25
    )
    with pytest.raises(ValueError, match="period must be at least num_samples"):
        colored_noise("pink", 800, generator(0), period=799)


def test_unknown_noise_kind_lists_valid_kinds():
    with pytest.raises(ValueError, match="white.*pink.*brown.*mix"):
        colored_noise("blue", 100, generator(0))


def test_mix_at_snr_is_exact_per_example():
    clean = torch.randn(4, 3, 1000)  # (B, C, T)
    noise = torch.randn(4, 3, 1000) * 7
    snr = torch.tensor([-5.0, 0.0, 7.5, 20.0])[:, None]  # (B, 1) broadcasts over C
    noisy, scaled = mix_at_snr(clean, noise, snr)
    assert noisy.dtype == torch.float32 and noisy.shape == clean.shape
    assert torch.equal(noisy, clean + scaled)
    measured = 10 * torch.log10(clean.double().square().sum(-1) / scaled.double().square().sum(-1))
    torch.testing.assert_close(measured, snr.double().expand(4, 3), rtol=0, atol=1e-4)
    _, scaled = mix_at_snr(clean[0, 0], noise[0, 0], 3.0)  # a float SNR, one example
    assert snr_db(clean[0, 0], scaled) == pytest.approx(3.0, abs=1e-4)


def test_mix_at_snr_with_silent_clean_or_noise_has_no_nan():
    noise = torch.randn(2, 100)
    noisy, scaled = mix_at_snr(torch.zeros(2, 100), noise, 5.0)
    assert torch.equal(scaled, noise) and torch.equal(noisy, noise)
    noisy, scaled = mix_at_snr(torch.ones(2, 100), torch.zeros(2, 100), 5.0)
    assert torch.equal(scaled, torch.zeros(2, 100)) and torch.isfinite(noisy).all()


def test_snr_db_edge_cases():
    assert snr_db(torch.ones(3), torch.zeros(3)) == math.inf
    assert snr_db(torch.zeros(3), torch.ones(3)) == -math.inf
    assert snr_db(torch.ones(3), torch.ones(3)) == 0.0


# ---- synthetic music ----


def test_synth_music_is_deterministic_and_seed_dependent():
    a = synth_music(RATE, RATE, generator(5))
    assert torch.equal(a, synth_music(RATE, RATE, generator(5)))
    assert not torch.allclose(a, synth_music(RATE, RATE, generator(6)))


@pytest.mark.parametrize("seed", range(6))
def test_synth_music_is_finite_normalised_and_band_limited(seed):
    x = synth_music(RATE, RATE, generator(seed))
    assert x.shape == (RATE,) and x.dtype == torch.float32
    assert torch.isfinite(x).all()
    assert 0.3 - 1e-6 <= x.abs().max().item() <= 0.9 + 1e-6
    assert x.std() > 1e-3  # not silent
    power = torch.fft.rfft(x.double()).abs().square()
    freqs = torch.fft.rfftfreq(RATE, 1 / RATE)
    assert power[freqs < 4000].sum() > 0.9 * power.sum()


@pytest.mark.parametrize(
    ("length", "rate"), [(1, 16000), (100, 8000), (22050, 44100), (4000, 4000)]
)
def test_synth_music_other_lengths_and_rates(length, rate):
    x = synth_music(length, rate, generator(0))
    assert x.shape == (length,) and torch.isfinite(x).all() and x.abs().max() <= 0.9 + 1e-6


def test_synth_music_rejects_low_sample_rates():
    with pytest.raises(ValueError, match="sample_rate >= 4000"):
        synth_music(100, 2000, generator(0))


def test_partials_at_or_above_nyquist_are_never_synthesised():
    # A1760 Hz note with 12 partials at 8 kHz: only partials 1 (1760 Hz) and 2 (3520 Hz,
    # 3623 Hz with full vibrato) are below Nyquist. An aliased partial 3 (5280 Hz) would
    # fold to 2720 Hz, partial 4 (7040 Hz) to 960 Hz.
    timbre = Timbre(12, 0.0, 1.0, 0.0, "sustain", 0.01, 0.1, 1.0, 0.05, 1.0, 0.0)
    note = Note(onset=0.0, length=1.0, midi=93, velocity=1.0)
    rate = 8000
    _, wave = render_note(note, timbre, rate, (5.0, 0.5, 0.0), torch.zeros(12), rate)
    power = torch.fft.rfft(wave * torch.hann_window(len(wave), dtype=torch.float64)).abs().square()
    freqs = torch.fft.rfftfreq(len(wave), 1 / rate)
    near = lambda f, width=150: (freqs - f).abs() < width  # noqa: E731
    assert power[near(1760) | near(3520)].sum() > 0.999 * power.sum()
    assert power[near(2720)].sum() < 1e-6 * power.sum()


# ---- SyntheticDataset ----


def test_synthetic_items_are_deterministic_and_consistent():
    dataset = SyntheticDataset(8, segment_seconds=0.25, noise_kinds=NOISE_KINDS)
    item = dataset[3]
    assert item.keys() == {"noisy", "clean", "noise", "snr_db", "noise_kind"}
    for key in ("noisy", "clean", "noise"):
        assert item[key].shape == (1, 4000) and item[key].dtype == torch.float32
        assert torch.equal(item[key], dataset[3][key])
    assert torch.equal(item["noisy"], item["clean"] + item["noise"])
    low, high = dataset.snr_range
    assert low <= item["snr_db"] <= high and item["noise_kind"] in NOISE_KINDS
    assert snr_db(item["clean"], item["noise"]) == pytest.approx(item["snr_db"], abs=1e-4)
    assert torch.equal(dataset[-1]["clean"], dataset[7]["clean"])
    with pytest.raises(IndexError):
        dataset[8]


def test_splits_and_seeds_give_different_items():
    def clean(**kwargs):
        return SyntheticDataset(4, segment_seconds=0.1, **kwargs)[2]["clean"]

    train = clean(split="train")
    assert not torch.equal(train, clean(split="val"))
    assert not torch.equal(train, clean(seed=1))
    assert torch.equal(train, clean(split="train"))


def test_snr_values_and_noise_kinds_cycle_over_every_combination():
    dataset = SyntheticDataset(
        12,
        segment_seconds=0.1,
        snr_values=(0, 5, 10),
        noise_kinds=("white", "pink"),
        cycle_noise_kinds=True,
        split="test",
    )
    items = [dataset[i] for i in range(12)]
    assert [item["snr_db"] for item in items] == [0.0, 5.0, 10.0] * 4
    combos = [(item["snr_db"], item["noise_kind"]) for item in items]
    assert sorted(set(combos)) == [(s, k) for s in (0.0, 5.0, 10.0) for k in ("pink", "white")]
    assert all(combos.count(c) == 2 for c in set(combos))
    for item in items:
        assert snr_db(item["clean"], item["noise"]) == pytest.approx(item["snr_db"], abs=1e-4)


def test_synthetic_dataset_rejects_bad_arguments():
    with pytest.raises(ValueError, match="noise_kinds"):
        SyntheticDataset(4, noise_kinds=("white", "violet"))
    with pytest.raises(ValueError, match="snr_range"):
        SyntheticDataset(4, snr_range=(10, 0))
    with pytest.raises(ValueError, match="seed"):
        SyntheticDataset(4, seed=-1)


# ---- folder datasets ----


def tone(channels: int, seconds: float, rate: int, freq: float = 300.0) -> torch.Tensor:
    t = torch.arange(round(seconds * rate)) / rate
    return 0.5 * torch.sin(2 * torch.pi * freq * t).expand(channels, -1).clone()  # (C, T)


def write_pair(tmp_path, noisy_name, clean_name, channels=1, rate=RATE, seconds=0.5, seed=0):
    clean = tone(channels, seconds, rate)
    noisy = clean + 0.1 * torch.randn(clean.shape, generator=generator(seed))
    float_wav = lambda name: "FLOAT" if name.endswith(".wav") else None  # noqa: E731
    save_audio(tmp_path / "noisy" / noisy_name, noisy, rate, float_wav(noisy_name))
    save_audio(tmp_path / "clean" / clean_name, clean, rate, float_wav(clean_name))
    return noisy, clean


def test_paired_by_identical_names_with_resampling(tmp_path):
    write_pair(tmp_path, "a.wav", "a.wav", channels=1, rate=22050)
    write_pair(tmp_path, "b.wav", "b.wav", channels=2, rate=44100)
    dataset = PairedFolderDataset(tmp_path / "noisy", tmp_path / "clean")
    assert [n.name for n, _ in dataset.pairs] == ["a.wav", "b.wav"]
    mono, stereo = dataset[0], dataset[1]
    assert mono["clean"].shape == (1, 8000) and stereo["clean"].shape == (2, 8000)
    for item, rate in ((mono, 22050), (stereo, 44100)):
        assert torch.equal(item["noisy"], item["clean"] + item["noise"])
        assert item["noise_kind"] == "unknown"
        # Tone power 0.125; white noise power 0.01, of which resampling keeps 16000 / rate.
        expected = 10 * math.log10(0.125 / (0.01 * RATE / rate))
        assert item["snr_db"] == pytest.approx(expected, abs=0.5)


def test_paired_by_trailing_number(tmp_path):
    noisy, clean = write_pair(tmp_path, "noisy_002.wav", "clean_2.flac")
    write_pair(tmp_path, "noisy_010.wav", "clean_010.wav", seed=1)
    dataset = PairedFolderDataset(tmp_path / "noisy", tmp_path / "clean")
    assert [(n.name, c.name) for n, c in dataset.pairs] == [
        ("noisy_002.wav", "clean_2.flac"),
        ("noisy_010.wav", "clean_010.wav"),
    ]
    item = dataset[0]
    torch.testing.assert_close(item["noisy"], noisy, rtol=0, atol=1e-6)
    torch.testing.assert_close(item["clean"], clean, rtol=0, atol=2**-15)  # 16-bit FLAC


def test_unpairable_folders_explain_the_convention(tmp_path):
    write_pair(tmp_path, "noisy_001.wav", "clean_001.wav")
    write_pair(tmp_path, "noisy_002.wav", "clean_003.wav")
    with pytest.raises(ValueError, match=r"cannot pair 2 files.*noisy_001\.wav with clean_001"):
        PairedFolderDataset(tmp_path / "noisy", tmp_path / "clean")


def test_hidden_and_non_audio_files_are_ignored(tmp_path):
    write_pair(tmp_path, "a.wav", "a.wav")
    (tmp_path / "noisy" / "._a.wav").write_bytes(b"macOS metadata")
    (tmp_path / "clean" / "notes.txt").write_text("not audio")
    assert len(PairedFolderDataset(tmp_path / "noisy", tmp_path / "clean")) == 1


def test_paired_length_and_channel_checks(tmp_path):
    save_audio(tmp_path / "noisy" / "a.wav", tone(1, 1.0, RATE), RATE, "FLOAT")
    save_audio(tmp_path / "clean" / "a.wav", tone(1, 0.995, RATE), RATE, "FLOAT")  # within 1 %
    save_audio(tmp_path / "noisy" / "b.wav", tone(1, 1.0, RATE), RATE, "FLOAT")
    save_audio(tmp_path / "clean" / "b.wav", tone(1, 0.9, RATE), RATE, "FLOAT")
    save_audio(tmp_path / "noisy" / "c.wav", tone(1, 1.0, RATE), RATE, "FLOAT")
    save_audio(tmp_path / "clean" / "c.wav", tone(2, 1.0, RATE), RATE, "FLOAT")
    dataset = PairedFolderDataset(tmp_path / "noisy", tmp_path / "clean")
    assert dataset[0]["clean"].shape == (1, round(0.995 * RATE))
    with pytest.raises(ValueError, match="b.wav.*differ in length"):
        dataset[1]
    with pytest.raises(ValueError, match="c.wav has 1 channels.*c.wav has 2"):
        dataset[2]


def test_paired_segments_are_deterministic_crops_or_padded(tmp_path):
    noisy, clean = write_pair(tmp_path, "long.wav", "long.wav", seconds=1.0)
    write_pair(tmp_path, "short.wav", "short.wav", seconds=0.1)
    dataset = PairedFolderDataset(tmp_path / "noisy", tmp_path / "clean", segment_seconds=0.25)
    crop = dataset[0]
    assert crop["clean"].shape == (1, 4000)
    assert torch.equal(crop["clean"], dataset[0]["clean"])
    # The crop is a window of the file, the same window for noisy and clean.
    start = [
        i for i in range(RATE - 4000 + 1) if torch.equal(clean[:, i : i + 4000], crop["clean"])
    ]
    assert len(start) >= 1
    torch.testing.assert_close(
        crop["noisy"], noisy[:, start[0] : start[0] + 4000], rtol=0, atol=1e-6
    )
    padded = dataset[1]
    assert padded["clean"].shape == (1, 4000)
    assert torch.all(padded["clean"][:, 1600:] == 0) and torch.all(padded["noisy"][:, 1600:] == 0)


def test_clean_noise_folders(tmp_path):
    save_audio(tmp_path / "clean" / "a.wav", tone(1, 0.6, 22050), 22050, "FLOAT")
    save_audio(tmp_path / "clean" / "sub" / "b.FLAC", tone(2, 0.3, RATE, 500.0), RATE)
    save_audio(tmp_path / "noise" / "hum.ogg", tone(1, 2.0, RATE, 50.0), RATE)
    save_audio(tmp_path / "noise" / "fan" / "short.wav", torch.randn(2, 1000) * 0.1, RATE)
    (tmp_path / "noise" / "readme.txt").write_text("ignored")
    dataset = CleanNoiseFolderDataset(
        tmp_path / "clean", tmp_path / "noise", num_examples=20, segment_seconds=0.5, split="val"
    )
    assert len(dataset.clean.files) == 2 and len(dataset.noises.files) == 2
    kinds = set()
    for index in range(20):
        item = dataset[index]
        channels = item["clean"].shape[0]
        assert channels in (1, 2)
        for key in ("noisy", "clean", "noise"):
            assert item[key].shape == (channels, 8000) and item[key].dtype == torch.float32
        assert torch.equal(item["noisy"], item["clean"] + item["noise"])
        assert -5.0 - 1e-4 <= item["snr_db"] <= 15.0 + 1e-4
        assert item["noise"].abs().sum(-1).min() > 0  # a short noise loops over the segment
        kinds.add(item["noise_kind"])
        assert torch.equal(item["noisy"], dataset[index]["noisy"])
    assert kinds == {"hum", "fan/short"}


def test_clean_folders_mix_generated_noise_of_every_colour(tmp_path):
    save_audio(tmp_path / "clean" / "a.wav", tone(1, 0.6, 22050), 22050, "FLOAT")
    save_audio(tmp_path / "clean" / "sub" / "b.flac", tone(2, 0.3, RATE, 500.0), RATE)
    dataset = CleanFolderDataset(tmp_path / "clean", num_examples=40, segment_seconds=0.5)
    kinds = set()
    for index in range(40):
        item = dataset[index]
        channels = item["clean"].shape[0]
        for key in ("noisy", "clean", "noise"):
            assert item[key].shape == (channels, 8000) and item[key].dtype == torch.float32
        assert torch.equal(item["noisy"], item["clean"] + item["noise"])
        assert -1e-3 <= item["snr_db"] <= 20.0 + 1e-3  # the default range, 0-20 dB
        kinds.add(item["noise_kind"])
        assert torch.equal(item["noise"], dataset[index]["noise"])
    assert kinds == set(NOISE_KINDS)
    stereo = next(dataset[i] for i in range(40) if dataset[i]["clean"].shape[0] == 2)
    assert not torch.allclose(stereo["noise"][0], stereo["noise"][1])  # independent channels
    with pytest.raises(ValueError, match="noise_kinds"):
        CleanFolderDataset(tmp_path / "clean", 1, noise_kinds=["purple"])


def test_clean_folders_noise_can_be_a_window_of_a_longer_noise(tmp_path):
    save_audio(tmp_path / "clean" / "a.wav", tone(1, 0.6, RATE), RATE, "FLOAT")
    short = CleanFolderDataset(tmp_path / "clean", 8, segment_seconds=0.5, noise_kinds=["brown"])
    long = CleanFolderDataset(
        tmp_path / "clean", 8, segment_seconds=0.5, noise_kinds=["brown"], noise_seconds=8.0
    )
    for index in range(8):
        assert short[index]["noise"].mean().abs() < 1e-6 * short[index]["noise"].std()
        item = long[index]
        assert torch.equal(item["noisy"], item["clean"] + item["noise"])
        assert item["snr_db"] == pytest.approx(short[index]["snr_db"], abs=1e-3)  # same draws
    drifts = [long[i]["noise"].mean().abs() / long[i]["noise"].std() for i in range(8)]
    assert max(drifts) > 0.1
    with pytest.raises(ValueError, match="noise_seconds.*at least segment_seconds"):
        CleanFolderDataset(tmp_path / "clean", 1, segment_seconds=0.5, noise_seconds=0.25)


def test_clean_folders_can_draw_files_by_duration(tmp_path):
    """One 3 s file beside three 0.5 s files: uniform draws the long one a quarter of the
    time, duration-weighted two thirds of the time (3 s of 4.5 s)."""
    save_audio(tmp_path / "clean" / "long.wav", torch.full((1, 3 * RATE), 0.5), RATE, "FLOAT")
    for name in "abc":
        save_audio(tmp_path / "clean" / f"{name}.wav", torch.full((1, RATE // 2), -0.5), RATE)

    def long_share(weighting: str) -> float:
        dataset = CleanFolderDataset(
            tmp_path / "clean", 600, segment_seconds=0.25, file_weighting=weighting
        )
        return sum(dataset[i]["clean"].mean().item() > 0 for i in range(600)) / 600

    assert long_share("uniform") == pytest.approx(1 / 4, abs=0.05)
    assert long_share("duration") == pytest.approx(2 / 3, abs=0.05)
    with pytest.raises(ValueError, match="file_weighting must be uniform or duration"):
        CleanFolderDataset(tmp_path / "clean", 1, file_weighting="seconds")
    (tmp_path / "clean" / "broken.wav").write_bytes(b"RIFF")
    with pytest.raises(ValueError, match="broken.wav: cannot read its length"):
        CleanFolderDataset(tmp_path / "clean", 1, file_weighting="duration")


def test_empty_folder_is_named(tmp_path):
    (tmp_path / "clean").mkdir()
    save_audio(tmp_path / "noise" / "n.wav", torch.randn(1, 100), RATE)
    with pytest.raises(ValueError, match="clean: no audio files"):
        CleanNoiseFolderDataset(tmp_path / "clean", tmp_path / "noise", num_examples=1)


def test_write_synthetic_folders_round_trips(tmp_path):
    kwargs = dict(segment_seconds=0.2, noise_kinds=("pink",), seed=3)
    noisy_dir, clean_dir = write_synthetic_folders(tmp_path, 3, progress=False, **kwargs)
    assert sorted(p.name for p in noisy_dir.iterdir()) == [
        "noisy_001.wav",
        "noisy_002.wav",
        "noisy_003.wav",
    ]
    assert sorted(p.name for p in clean_dir.iterdir()) == [
        "clean_001.wav",
        "clean_002.wav",
        "clean_003.wav",
    ]
    original = SyntheticDataset(3, **kwargs)
    read_back = PairedFolderDataset(noisy_dir, clean_dir)
    for index in range(3):
        for key in ("noisy", "clean", "noise"):
            torch.testing.assert_close(
                read_back[index][key], original[index][key], rtol=0, atol=1e-6
            )
        assert read_back[index]["snr_db"] == pytest.approx(original[index]["snr_db"], abs=1e-3)
    assert load_audio(noisy_dir / "noisy_001.wav")[1] == RATE
