"""Wave-U-Net: the length arithmetic of valid convolutions, interpolating upsampling, the
difference output, seamless long-recording separation, stereo, and the step network."""

import pytest
import torch
from hydra import compose, initialize_config_dir

from refine.cli import CONFIG_DIR
from refine.cli.train import train_from_config
from refine.networks.wave_unet import Upsample, WaveUNet, WaveUNetBackbone
from tests.networks.test_conv_unet import SMALL_DATA


def small(**kwargs) -> WaveUNet:
    torch.manual_seed(0)
    return WaveUNet(**{"levels": 3, "growth": 4, "down_kernel": 5, "up_kernel": 3} | kwargs)


def test_valid_inputs_give_outputs_of_the_predicted_size_and_others_are_refused():
    model = small()
    for wanted in (1, 50, 333):
        n_in = model.input_size(wanted)
        assert model.output_size(n_in) >= wanted
        assert model(torch.randn(1, 1, n_in)).shape[-1] == model.output_size(n_in)
    with pytest.raises(ValueError, match="not a valid Wave-U-Net input: use input_size"):
        model(torch.randn(1, 1, model.input_size(50) + 1))


def test_upsampling_keeps_the_samples_and_interpolates_between_neighbours():
    x = torch.tensor([[[0.0, 2.0, 4.0, 10.0]]])
    assert Upsample(1, learned=False)(x).tolist() == [[[0.0, 1.0, 2.0, 3.0, 4.0, 7.0, 10.0]]]
    learned = Upsample(1, learned=True)
    assert torch.equal(learned(x), Upsample(1, learned=False)(x))  # σ(0) = ½ at the start
    with torch.no_grad():
        learned.weight.fill_(10.0)  # all weight on the left neighbour
    assert torch.allclose(learned(x)[0, 0, 1::2], x[0, 0, :-1], atol=1e-3)


@pytest.mark.parametrize("learned", [False, True])
def test_the_sources_add_up_to_the_mixture_in_stereo(learned):
    model = small(channels=2, sources=3, learned_upsampling=learned)
    mixture = torch.randn(2, 2, model.input_size(100))
    sources = model(mixture)  # (B, K, C, n)
    assert sources.shape[:3] == (2, 3, 2)
    crop = (mixture.shape[-1] - sources.shape[-1]) // 2
    assert torch.allclose(sources.sum(1), mixture[..., crop : crop + sources.shape[-1]], atol=1e-5)


@pytest.mark.parametrize("length", [5, 300, 1001])
def test_long_recordings_are_separated_without_seams(length):
    model = small(channels=2)
    mixture = torch.randn(1, 2, length)
    whole = model.separate(mixture, window=4096)  # one window
    for window in (8, 37, 100):
        assert torch.allclose(model.separate(mixture, window=window), whole, atol=1e-5)
    assert whole.shape == (1, 2, 2, length)


def test_the_backbone_keeps_the_length_and_its_channels():
    backbone = WaveUNetBackbone(6, levels=2, growth=4)
    for length in (1, 64, 999):
        assert backbone(torch.randn(2, 6, length)).shape == (2, 6, length)


def test_it_trains_as_a_refinement_step_network(tmp_path):
    overrides = ["model=wave_unet", "model.d_model=4", "model.levels=2", "model.growth=4"]
    overrides += ["model.steps=2", "domain=waveform", "train.steps=2"]
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        cfg = compose(config_name="config", overrides=SMALL_DATA + overrides)
    assert len(train_from_config(cfg, tmp_path)[-1]["per_step"]) == 3
