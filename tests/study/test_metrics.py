import pytest
import torch

from refine.study.metrics import mean_with_interval, segmental_snr, si_sdr, snr, speech_metrics


def test_snr_of_a_known_mixture():
    clean = torch.randn(3, 16000, dtype=torch.float64)
    noise = torch.randn(3, 16000, dtype=torch.float64)
    noise = noise / noise.norm(dim=-1, keepdim=True) * clean.norm(dim=-1, keepdim=True) / 10
    torch.testing.assert_close(
        snr(clean + noise, clean), torch.full((3,), 20.0, dtype=torch.float64)
    )


def test_si_sdr_ignores_gain_and_snr_does_not():
    clean = torch.randn(2, 8000, dtype=torch.float64)
    estimate = clean + 0.1 * torch.randn_like(clean)
    torch.testing.assert_close(si_sdr(3 * estimate, clean), si_sdr(estimate, clean))
    assert (snr(3 * estimate, clean) < snr(estimate, clean) - 5).all()


def test_snr_and_si_sdr_agree_with_torchmetrics():
    from torchmetrics.functional.audio import (
        scale_invariant_signal_distortion_ratio,
        signal_noise_ratio,
    )

    clean = torch.randn(4, 2, 4000)
    estimate = clean + 0.3 * torch.randn_like(clean) + 0.1
    torch.testing.assert_close(
        si_sdr(estimate, clean), scale_invariant_signal_distortion_ratio(estimate, clean)
    )
    torch.testing.assert_close(snr(estimate, clean), signal_noise_ratio(estimate, clean))


def test_segmental_snr_clamps_silent_frames():
    clean = torch.cat([torch.zeros(1024), torch.randn(1024)])
    estimate = clean + 0.01 * torch.randn(2048)
    value = segmental_snr(estimate, clean, frame=256, hop=256)
    frames = [-10.0] * 4 + [
        min(35.0, snr(estimate[i : i + 256], clean[i : i + 256]).item())
        for i in range(1024, 2048, 256)
    ]
    assert value.item() == pytest.approx(sum(frames) / len(frames), abs=1e-4)
    active = torch.randn(2048)
    assert segmental_snr(active, active).item() == 35.0  # a perfect estimate hits the ceiling


def test_confidence_interval_matches_the_t_distribution():
    values = torch.tensor([1.0, 2.0, 3.0, 4.0, float("nan")])
    mean, low, high = mean_with_interval(values)
    assert mean == 2.5
    assert high - mean == pytest.approx(3.182446 * values[:4].std().item() / 2, rel=1e-5)
    assert mean_with_interval(torch.tensor([7.0])) == (7.0, 7.0, 7.0)


def test_speech_metrics_score_a_clean_copy_higher_than_a_noisy_one():
    t = torch.arange(16000) / 16000
    speechlike = torch.sin(2 * torch.pi * 150 * t) * (1 + torch.sin(2 * torch.pi * 3 * t))
    speechlike = speechlike + 0.3 * torch.sin(2 * torch.pi * 1200 * t) * (
        torch.sin(2 * torch.pi * 5 * t) > 0
    )
    noisy = speechlike + 0.5 * torch.randn(16000)
    good, bad = (
        speech_metrics(speechlike, speechlike, 16000),
        speech_metrics(noisy, speechlike, 16000),
    )
    assert good["stoi"] > bad["stoi"] and good["estoi"] > bad["estoi"]
