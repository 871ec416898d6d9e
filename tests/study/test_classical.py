"""Classical baselines and oracle ceilings on synthetic music in noise."""

import pytest
import torch

from refine.data import SyntheticDataset, colored_noise
from refine.study.classical import (
    STFT,
    noise_power,
    oracle_irm,
    oracle_psm,
    spectral_gating,
    spectral_subtraction,
    wiener_decision_directed,
)
from refine.study.metrics import si_sdr, snr


@pytest.fixture(scope="module")
def clips():
    data = SyntheticDataset(
        6, segment_seconds=2.0, split="test", snr_values=[0.0, 5.0], noise_kinds=["white"]
    )
    batch = [data[i] for i in range(len(data))]
    return torch.stack([b["noisy"] for b in batch]), torch.stack([b["clean"] for b in batch])


def test_the_noise_estimate_of_stationary_noise_is_its_power():
    noise = colored_noise("pink", 32000, generator=torch.Generator().manual_seed(0))[None, None]
    power = STFT.stft(noise).abs().square()  # (1, 1, F, L)
    estimate, truth = noise_power(power)[..., 1:-1, 0], power.mean(-1)[..., 1:-1]
    assert ((estimate / truth).log().abs() < 0.35).float().mean() > 0.9  # within ±1.5 dB


def gain(method, noisy, clean, metric=si_sdr) -> float:
    return (metric(method, clean) - metric(noisy, clean)).mean().item()


def test_blind_methods_improve_white_noise_and_oracles_bound_them(clips):
    noisy, clean = clips
    blind = {
        "spectral subtraction": gain(spectral_subtraction(noisy), noisy, clean),
        "wiener": gain(wiener_decision_directed(noisy), noisy, clean),
    }
    irm, psm = oracle_irm(noisy, clean), oracle_psm(noisy, clean)
    assert min(blind.values()) > 2.0, blind
    assert gain(irm, noisy, clean) > max(blind.values()) + 1.0
    assert gain(psm, noisy, clean, snr) >= gain(irm, noisy, clean, snr)  # PSM: MSE-optimal


def test_every_method_keeps_the_shape_of_stereo_audio(clips):
    stereo = clips[0][:2].repeat(1, 2, 1)  # (2, 2, T)
    for out in (spectral_subtraction(stereo), wiener_decision_directed(stereo)):
        assert out.shape == stereo.shape and torch.isfinite(out).all()
    assert oracle_irm(stereo, stereo * 0.5).shape == stereo.shape


def test_spectral_gating_from_noisereduce_runs_on_our_layout(clips):
    pytest.importorskip("noisereduce")
    stereo = clips[0][:2].repeat(1, 2, 1)  # (2, 2, T)
    out = spectral_gating(stereo, 16000)
    assert out.shape == stereo.shape and torch.isfinite(out).all()
    assert not torch.allclose(out, stereo, atol=1e-3)
