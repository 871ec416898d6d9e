import torch

from refine.metrics import si_sdr, snr


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
