"""The Audio U-Net LRU denoiser's conv U-Net with an LRU bottleneck: any length, its
README's size, and a step network that trains from the config."""

import pytest
import torch
from hydra import compose, initialize_config_dir

from refine.cli import CONFIG_DIR
from refine.cli.train import train_from_config
from refine.networks.conv_unet import UNetLRUAudio
from tests.train.test_train import TINY

NOT_LRU_UNET = ("model.d_model", "model.d_state", "model.n_layers")
SMALL_DATA = [o for o in TINY if not o.startswith(NOT_LRU_UNET)]


@pytest.mark.parametrize("length", [1, 7, 8, 1001])
def test_any_length_comes_back_with_its_channels(length):
    model = UNetLRUAudio(2, 3, features=[4, 8, 16], d_state=4)
    assert model(torch.randn(2, 2, length)).shape == (2, 3, length)


def test_the_seed_default_is_a_mono_waveform_denoiser_of_three_stages():
    model = UNetLRUAudio()
    assert model.total_stride == 8
    assert 0.2e6 < sum(p.numel() for p in model.parameters()) < 0.3e6
    audio = torch.randn(1, 1, 16000, requires_grad=True)
    model(audio).square().mean().backward()
    assert all(p.grad is not None for p in model.parameters())


def test_the_convolutions_and_the_lru_both_see_context():
    torch.manual_seed(0)
    model = UNetLRUAudio(1, 1, features=[4, 8], d_state=4).eval()
    audio = torch.randn(1, 1, 400)
    moved = audio.clone()
    moved[..., 0] += 1.0  # an impulse at the start reaches the end only through the LRU
    change = (model(moved) - model(audio)).abs()[0, 0]
    assert change[:5].max() > 0 and change[-50:].max() > 0


@pytest.mark.parametrize("domain", ["waveform", "stft_complex"])
def test_it_trains_as_a_refinement_step_network(tmp_path, domain):
    overrides = ["model=conv_unet_lru", "model.d_model=8", "model.features=[8,16]"]
    overrides += ["model.d_state=4", "model.steps=2", f"domain={domain}", "train.steps=2"]
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        cfg = compose(config_name="config", overrides=SMALL_DATA + overrides)
    history = train_from_config(cfg, tmp_path)
    assert len(history[-1]["per_step"]) == 3
