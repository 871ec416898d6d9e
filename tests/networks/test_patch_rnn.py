"""The conv-RNN question's patch network: patches and their placement, the output X − Σ z δ,
states that reach the neighbours, and training through the refinement process."""

import pytest
import torch
from hydra import compose, initialize_config_dir

from refine.cli import CONFIG_DIR
from refine.cli.train import refiner_spec, train_from_config
from refine.networks.patch_rnn import PatchConvRNN
from refine.process.build import build_refiner
from tests.networks.test_conv_unet import SMALL_DATA


def network(planes=1, bins=40, hidden=8) -> PatchConvRNN:
    torch.manual_seed(0)
    net = PatchConvRNN(planes * bins, bins, patch=8, stride=4, hidden=hidden)
    torch.nn.init.normal_(net.write.weight, std=0.1)  # not the zero start
    return net


def test_placing_patches_is_the_adjoint_of_cutting_them():
    net = network(planes=2)
    image = torch.randn(3, 2, 40, 29)
    states = torch.randn_like(net.patches(image))
    left = (net.place(states, 29) * image).sum()
    right = (states * net.patches(image)).sum()
    torch.testing.assert_close(left, right, rtol=1e-5, atol=1e-4)


def test_each_output_is_the_spectrogram_minus_the_placed_states():
    net = network()
    x = torch.randn(2, 40, 29)
    state, estimate = None, x
    for _ in range(3):
        update, state = net(estimate, None, state)
        estimate = estimate - update
        expected = x.reshape(2, 1, 40, 29) - net.place(state, 29)
        torch.testing.assert_close(estimate, expected.reshape(2, 40, 29), rtol=1e-5, atol=1e-5)


def test_a_patch_informs_its_neighbours_one_ring_per_step():
    net = network(bins=64)
    x = torch.randn(1, 64, 64)
    changed = x.clone()
    changed[0, :8, :8] = x[0, :8, :8].flip(-1)  # the corner patch; the RMS of X stays
    reach, runs = [], [[x, None], [changed, None]]  # [x̂_{t−1}, z^(t−1)] of both inputs
    for _ in range(2):
        for run in runs:
            update, run[1] = net(run[0], None, run[1])
            run[0] = run[0] - update
        moved = (runs[0][1] - runs[1][1]).abs().amax(1)[0] > 1e-6  # (nF, nL) patches affected
        reach.append(int(moved.nonzero().max()))
    assert reach == [1, 2]  # patches 0 and 1 cover the corner; each step adds one ring


def test_an_untrained_network_leaves_its_input_unchanged():
    net = PatchConvRNN(40, 40, patch=8, stride=4, hidden=8)
    x = torch.randn(2, 40, 29)
    update, state = net(x)
    assert torch.equal(update, torch.zeros_like(x)) and state.abs().max() == 0


def config(*overrides):
    base = ["model=patch_conv_rnn", "model.hidden=8", "model.steps=2", "domain=stft_magnitude"]
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        return compose(config_name="config", overrides=SMALL_DATA + base + list(overrides))


def test_it_trains_and_refines_until_convergence_through_the_process(tmp_path):
    history = train_from_config(
        config("train.steps=2", "train.mode=truncated", "train.segment=1"), tmp_path
    )
    assert len(history[-1]["per_step"]) == 3
    refiner = build_refiner(refiner_spec(config()))
    torch.nn.init.normal_(refiner.step_net.write.weight, std=0.01)
    result = refiner.refine(torch.randn(3, 1, 4000), tol=1e-3, max_steps=6)
    assert result.output.shape == (3, 1, 4000) and torch.isfinite(result.output).all()


@pytest.mark.parametrize(
    "overrides, message",
    [
        (["domain=waveform"], "use an STFT domain"),
        (["model.parameterisation=residual"], "set model.parameterisation=increment"),
    ],
)
def test_settings_it_cannot_honour_are_refused(overrides, message):
    with pytest.raises(ValueError, match=message):
        build_refiner(refiner_spec(config(*overrides)))


def test_teacher_forcing_is_refused_for_a_state_carrying_network():
    refiner = build_refiner(refiner_spec(config()))
    x = torch.randn(2, 1, 4000)
    with pytest.raises(ValueError, match="carries a state from step to step"):
        refiner.loss(x, x * 0.5, mode="teacher_forced")
