"""experiments/pretrained/kept.py: how much of the signal and of the noise a model keeps."""

import numpy as np
import pytest

from tests.experiments import load_script


def test_the_output_gain_applies_to_signal_and_noise_apart():
    kept = load_script("pretrained/kept.py")
    rng = np.random.default_rng(0)
    t = np.arange(16000) / 16000
    clean = np.sin(2 * np.pi * 440 * t)
    noisy = clean + 0.3 * rng.standard_normal(len(t))
    assert kept.kept_db(noisy, clean, noisy) == pytest.approx((0.0, 0.0), abs=1e-6)
    half = 10 * np.log10(0.25)
    assert kept.kept_db(noisy, clean, 0.5 * noisy) == pytest.approx((half, half), abs=1e-6)
    # An output that is the tone alone keeps nearly all the tone and little of the noise.
    signal, noise = kept.kept_db(noisy, clean, clean)
    assert signal > -1.0 and noise < -10.0
