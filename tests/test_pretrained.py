"""The model shipped inside the package: small, safe to load, used by default, it denoises,
and it settles past its trained steps.

The measured quality on real recordings is in experiments/pretrained/; here, a quick check
that the shipped file is a working denoiser and not a placeholder."""

from pathlib import Path

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


DECAY_TABLES = {  # the step decay rule's table of each shipped model (experiments/pretrained)
    "default": "default_third_rule.md",
    "real_noise": "layers_third_rule.md",
}


@pytest.mark.parametrize("name", sorted(DECAY_TABLES))
def test_each_shipped_model_stores_the_step_decay_its_rule_chose(name):
    """The largest ρ that holds in the rule's table (choose_decay.sh: validation, held-in
    music, the choice half of the real recordings) is the one the shipped file runs."""
    table = Path(__file__).parents[1] / "experiments/pretrained/decay" / DECAY_TABLES[name]
    rows = [line.split("|") for line in table.read_text().splitlines()[2:]]
    holding = [float(cells[1]) for cells in rows if cells[-2].strip() == "yes"]
    stored = load_checkpoint(SHIPPED_MODELS[name])["inference"]["past_decay"]
    assert holding and stored == max(holding)


@pytest.mark.parametrize("name", sorted(DECAY_TABLES))
def test_each_shipped_model_settles_past_its_trained_steps(name):
    """Goal 1 of the convergence issue in small: to 8T on a clip of music in white noise, no
    step more than 0.1 dB below the best before it, and the last update below 1e-3."""
    refiner = load_model(name).refiner
    clip = SyntheticDataset(
        1, segment_seconds=2.0, snr_values=[5.0], noise_kinds=["white"], split="shipped-test"
    )[0]
    result = refiner.refine(
        clip["noisy"][None], steps=8 * refiner.steps, patience=None, return_trajectory=True
    )
    scores = [si_sdr(x[0], clip["clean"]) for x in result.trajectory]  # t = 0 … 8T
    past = range(refiner.steps, len(scores))
    assert all(scores[t] >= max(scores[: t + 1]) - 0.1 for t in past)
    assert result.update_norms[-1, 0] < 1e-3  # ‖x̂_t − x̂_{t−1}‖ / ‖x̂_{t−1}‖ at t = 8T
