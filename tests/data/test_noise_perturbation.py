"""Recorded noise perturbed per clip: played at another speed without aliasing, through an
equaliser of the drawn gains, seeded per item, and nothing changed (not even a draw) when
the perturbation is the identity or the kind is a generated colour."""

import math

import pytest
import torch

from refine.audio import save_audio
from refine.data import CleanFolderDataset
from refine.data.datasets import CleanNoiseFolderDataset
from refine.data.noise_perturbation import (
    EQ_BANDS,
    EQ_LOWEST,
    NoisePerturbation,
    equaliser_curve,
    perturb_window,
    source_length,
)

RATE = 16000
FLAT = torch.zeros(EQ_BANDS, dtype=torch.float64)


def tone(frequency: float, samples: int) -> torch.Tensor:
    return torch.sin(2 * math.pi * frequency * torch.arange(samples, dtype=torch.float64) / RATE)


@pytest.mark.parametrize("speed", [0.8, 1.0, 1.25])
def test_a_tone_played_faster_is_the_tone_at_that_multiple(speed):
    # 1 kHz over a whole number of periods of the recorded window: FFT resampling is exact,
    # so the played window is the analytic tone at speed times the frequency.
    length = 1600
    recorded = tone(1000.0, source_length(length, speed))[None]  # (1, 1280 | 1600 | 2000)
    played = perturb_window(recorded, length, speed, FLAT, RATE)
    assert played.shape == (1, length)
    torch.testing.assert_close(played[0], tone(1000.0 * speed, length), atol=1e-9, rtol=0)


def test_playing_faster_drops_what_would_fold_above_nyquist():
    length = 1600
    recorded = tone(7000.0, source_length(length, 1.25))[None]  # would play at 8.75 kHz
    played = perturb_window(recorded, length, 1.25, FLAT, RATE)
    assert played.abs().max() < 1e-9


def test_the_equaliser_has_the_drawn_gain_at_each_band_centre_and_is_flat_below():
    gains = torch.tensor([-6.0, 3.0, 0.0, 5.5, -2.0, 1.0, -4.0, 6.0], dtype=torch.float64)
    bins = RATE // 2 + 1  # 1 Hz apart
    curve_db = 20 * torch.log10(equaliser_curve(gains, bins, RATE))
    centres = torch.logspace(math.log10(EQ_LOWEST), math.log10(RATE / 2), EQ_BANDS)
    measured = curve_db[centres.round().long()]
    torch.testing.assert_close(measured, gains, atol=0.05, rtol=0)
    assert torch.allclose(curve_db[: int(EQ_LOWEST)], gains[:1].expand(int(EQ_LOWEST)))
    # Between two centres it moves monotonically from one gain to the next.
    between = curve_db[int(centres[3]) + 1 : int(centres[4])]
    assert (between.diff() <= 1e-12).all() and between.max() <= 5.5 and between.min() >= -2.0


def test_a_tone_through_the_equaliser_is_scaled_by_its_gain_there():
    length = 1600
    gains = torch.full((EQ_BANDS,), 6.0, dtype=torch.float64)
    played = perturb_window(tone(1000.0, length)[None], length, 1.0, gains, RATE)
    torch.testing.assert_close(played[0], 10 ** (6 / 20) * tone(1000.0, length), atol=1e-9, rtol=0)


def test_draws_are_seeded_log_uniform_speeds_and_gains_within_the_bound():
    perturbation = NoisePerturbation((0.8, 1.25), 6.0)
    generator = torch.Generator().manual_seed(0)
    draws = [perturbation.draw(generator) for _ in range(400)]
    speeds = torch.tensor([speed for speed, _ in draws])
    gains = torch.stack([gain for _, gain in draws])
    assert speeds.min() >= 0.8 and speeds.max() <= 1.25
    assert abs(speeds.log().mean().item()) < 0.02  # log-uniform on [0.8, 1.25]: mean log 0
    assert gains.abs().max() <= 6.0 and gains.abs().max() > 5.5
    again = perturbation.draw(torch.Generator().manual_seed(0))
    assert again[0] == draws[0][0] and torch.equal(again[1], draws[0][1])


@pytest.mark.parametrize(
    "speed, eq_db, message",
    [
        ([1.25, 0.8], 0.0, "0 < low <= high"),
        ([0.0, 1.0], 0.0, "0 < low <= high"),
        ([0.8], 0.0, r"\[low, high\] or null"),
        (None, -1.0, "between 0 and 40 dB"),
    ],
)
def test_bad_settings_are_refused_with_what_they_should_be(speed, eq_db, message):
    with pytest.raises(ValueError, match=message):
        NoisePerturbation.from_settings(speed, eq_db)


def folders(tmp_path):
    """A clean folder of one 200 Hz tone and a noise corpus with one recorded kind."""
    t = torch.arange(RATE) / RATE
    save_audio(tmp_path / "clean" / "a.wav", 0.5 * torch.sin(2 * torch.pi * 200 * t)[None], RATE)
    save_audio(tmp_path / "noise" / "babble" / "b.flac", 0.1 * torch.randn(1, 2 * RATE), RATE)
    return tmp_path / "clean", tmp_path / "noise"


def test_the_identity_perturbation_gives_the_same_items_as_none(tmp_path):
    clean, noise = folders(tmp_path)
    kinds = dict(noise_kinds=["white", "babble"], noise_dir=noise, segment_seconds=0.5)
    plain = CleanFolderDataset(clean, 20, **kinds)
    identity = CleanFolderDataset(clean, 20, noise_perturbation=NoisePerturbation(), **kinds)
    for index in range(20):
        assert torch.equal(plain[index]["noisy"], identity[index]["noisy"])


def test_recorded_kinds_are_perturbed_per_item_and_colours_never(tmp_path):
    clean, noise = folders(tmp_path)
    kinds = dict(noise_kinds=["white", "babble"], noise_dir=noise, segment_seconds=0.5)
    plain = CleanFolderDataset(clean, 30, **kinds)
    perturbation = NoisePerturbation((0.8, 1.25), 6.0)
    perturbed = CleanFolderDataset(clean, 30, noise_perturbation=perturbation, **kinds)
    seen = set()
    for index in range(30):
        before, after = plain[index], perturbed[index]
        assert before["noise_kind"] == after["noise_kind"]  # the same draws up to the noise
        assert torch.equal(before["clean"], after["clean"])
        same = torch.equal(before["noise"], after["noise"])
        assert same == (after["noise_kind"] == "white")
        assert torch.equal(after["noise"], perturbed[index]["noise"])  # seeded per item
        assert after["noise"].shape == before["noise"].shape
        torch.testing.assert_close(after["snr_db"], before["snr_db"], atol=1e-3, rtol=0)
        seen.add(after["noise_kind"])
    assert seen == {"white", "babble"}


def test_noise_folders_are_perturbed_too(tmp_path):
    clean, noise = folders(tmp_path)
    plain = CleanNoiseFolderDataset(clean, noise, 4, segment_seconds=0.5)
    perturbed = CleanNoiseFolderDataset(
        clean, noise, 4, segment_seconds=0.5, noise_perturbation=NoisePerturbation((0.8, 1.25))
    )
    for index in range(4):
        assert not torch.equal(plain[index]["noise"], perturbed[index]["noise"])
        assert perturbed[index]["noise"].shape == plain[index]["noise"].shape
