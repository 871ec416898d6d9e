"""The model shipped inside the package: small, safe to load, used by default, and it denoises.

The measured quality on real recordings is in experiments/pretrained/; here, a quick check
that the shipped file is a working denoiser and not a placeholder."""

import numpy as np
import pytest
import soundfile as sf
import torch

from refine.cli.denoise import main
from refine.data import SyntheticDataset
from refine.inference.enhance import SHIPPED_MODEL, SHIPPED_MODELS, enhance, load_model
from refine.process.checkpoint import load_checkpoint
from refine.study.metrics import si_sdr

MAX_BYTES = 5 * 1024 * 1024


def test_the_shipped_model_is_small_and_describes_itself():
    assert SHIPPED_MODEL.stat().st_size <= MAX_BYTES
    contents = load_checkpoint(SHIPPED_MODEL)  # weights_only: no pickle runs
    assert "optimiser" not in contents and contents["spec"]["domain"]["name"] == "stft_magnitude"
    model = load_model()
    assert model.sample_rate == 16000 and model.source == str(SHIPPED_MODEL)


def test_the_real_noise_model_is_shipped_by_name_and_a_file_of_that_name_wins(tmp_path):
    path = SHIPPED_MODELS["real_noise"]
    assert path.stat().st_size <= MAX_BYTES
    model = load_model("real_noise")
    assert model.source == str(path) and model.refiner.step_net.update == "mask"
    clip = SyntheticDataset(
        1, segment_seconds=2.0, snr_values=[5.0], noise_kinds=["pink"], split="shipped-test"
    )[0]
    cleaned = enhance(clip["noisy"], 16000, model)
    assert si_sdr(cleaned, clip["clean"]) - si_sdr(clip["noisy"], clip["clean"]) > 3.0
    own = tmp_path / "real_noise"
    own.write_bytes(SHIPPED_MODEL.read_bytes())
    assert load_model(own).source == str(own)


@pytest.mark.parametrize("kind", ["white", "pink", "brown"])
def test_the_shipped_model_denoises_music_it_never_saw(kind):
    clip = SyntheticDataset(
        1, segment_seconds=2.0, snr_values=[5.0], noise_kinds=[kind], split="shipped-test"
    )[0]
    cleaned = enhance(clip["noisy"], 16000)  # (1, T)
    gain = si_sdr(cleaned, clip["clean"]) - si_sdr(clip["noisy"], clip["clean"])
    assert gain > 3.0


def test_refine_denoise_uses_the_shipped_model_without_a_checkpoint(tmp_path, capsys):
    rng = np.random.default_rng(0)
    sf.write(tmp_path / "in.wav", 0.1 * rng.standard_normal((8000, 2)).astype(np.float32), 8000)
    with pytest.raises(SystemExit) as exit_:
        main([str(tmp_path / "in.wav"), "-o", str(tmp_path / "out")])
    assert exit_.value.code == 0
    out, rate = sf.read(tmp_path / "out" / "in.wav")
    assert out.shape == (8000, 2) and rate == 8000
    assert torch.isfinite(torch.from_numpy(out)).all()
