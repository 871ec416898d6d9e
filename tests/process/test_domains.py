import pytest
import torch

from refine.process.domains import ComplexSTFT, MagnitudeSTFT, Waveform, make_domain


@pytest.mark.parametrize("length", [2000, 2047])
@pytest.mark.parametrize(
    "domain", [Waveform(), ComplexSTFT(256, 64), ComplexSTFT(512, 128, "hamming")]
)
def test_linear_domains_round_trip(domain, length):
    audio = torch.randn(2, 2, length, dtype=torch.float64)
    features = domain.encode(audio)
    assert features.shape[:2] == (2, domain.channels(2))
    torch.testing.assert_close(domain.decode(features, audio), audio, rtol=1e-9, atol=1e-9)


def test_magnitude_domain_round_trips_with_the_signals_own_phase():
    domain = MagnitudeSTFT(256, 64)
    audio = torch.randn(2, 1, 3000, dtype=torch.float64)
    features = domain.encode(audio)
    assert features.shape == (2, 129, 3000 // 64 + 1)
    torch.testing.assert_close(domain.decode(features, audio), audio, rtol=1e-9, atol=1e-9)


def test_complex_stft_is_linear_so_domain_targets_equal_transformed_waveform_targets():
    domain = ComplexSTFT(256, 64)
    x, noise = torch.randn(2, 1, 1000, dtype=torch.float64).unbind(0)
    lhs = domain.encode((x - 0.3 * noise)[None])
    rhs = domain.encode(x[None]) - 0.3 * domain.encode(noise[None])
    torch.testing.assert_close(lhs, rhs)


def test_bad_domain_settings_are_refused():
    with pytest.raises(ValueError, match="unknown domain"):
        make_domain("wavelet")
    with pytest.raises(ValueError, match="unknown window"):
        make_domain("stft_complex", window="kaiser")
    with pytest.raises(ValueError, match="hop_length"):
        make_domain("stft_magnitude", n_fft=256, hop_length=512)
    with pytest.raises(ValueError, match="no frame covers"):  # istft would fail at decoding
        make_domain("stft_complex", n_fft=256, hop_length=256)


@pytest.mark.parametrize("window", ["hann", "hamming", "blackman"])
@pytest.mark.parametrize("hop", [32, 100, 128])
def test_every_hop_the_domain_accepts_gives_the_audio_back(window, hop):
    """Up to n_fft/2 every sample is under a frame, the clip's end too, whatever its length;
    one more and the domain is refused (its end would come back as zeros)."""
    audio = torch.randn(1, 1, 2001, dtype=torch.float64)
    domain = make_domain("stft_complex", n_fft=256, hop_length=hop, window=window)
    torch.testing.assert_close(domain.decode(domain.encode(audio), audio), audio)
    with pytest.raises(ValueError, match="n_fft/2"):
        make_domain("stft_complex", n_fft=256, hop_length=129, window=window)


@pytest.mark.parametrize("name", ["waveform", "stft_complex", "stft_magnitude"])
def test_features_are_laid_out_as_their_shape_says(name):
    """(B, K, L) in memory: the step network's compiled mask reads rows of frames in place
    and runs its slower torch operators on torch.stft's own layout (bins side by side)."""
    domain = make_domain(name, n_fft=256, hop_length=64)
    assert domain.encode(torch.randn(2, 1, 3000)).is_contiguous()
