"""Making a trained step network bidirectional: the converted checkpoint computes the same
function, its reverse LRUs then learn, and wrong inputs are refused without touching files."""

import pytest
import torch

from refine.process.bidirectional import bidirectional_checkpoint, bidirectional_weights
from refine.process.checkpoint import (
    CheckpointError,
    load_checkpoint,
    load_refiner,
    save_checkpoint,
)
from tests.process.refusals import refuses_an_existing_target
from tests.process.test_widen import spec, trained_looking

OPTIONS = {"bin_gate": True, "update": "mask", "n_layers": 2}


def saved(tmp_path, model_spec: dict, name: str = "causal.pt"):
    refiner = trained_looking(model_spec).float()
    config = {"model": {"d_model": 6}, "data": {"sample_rate": 16000}}
    save_checkpoint(
        tmp_path / name,
        spec=model_spec,
        model=refiner.state_dict(),
        config=config,
        step=9,
        inference={"past_decay": 0.7},
    )
    refiner.past_decay = 0.7  # as load_refiner sets it from the stored inference defaults
    return refiner.eval(), tmp_path / name


def test_a_checkpoint_turns_bidirectional_with_the_same_output_and_reverse_lrus_that_learn(
    tmp_path,
):
    forwards, path = saved(tmp_path, spec(**OPTIONS))
    bidirectional_checkpoint(path, tmp_path / "both.pt")
    both, contents = load_refiner(tmp_path / "both.pt")
    assert contents["spec"]["model"]["bidirectional"] is True
    assert contents["config"]["model"]["bidirectional"] is True
    assert contents["step"] == 9 and both.past_decay == 0.7
    reverse = [m.reverse_lru for m in both.step_net.backbone.modules() if hasattr(m, "mix")]
    assert len(reverse) == 5  # two encoder blocks, the bottleneck, two decoder blocks
    noisy = torch.randn(2, 1, 400)
    expected = forwards.refine(noisy, steps=3).output
    torch.testing.assert_close(both.refine(noisy, steps=3).output, expected, rtol=1e-5, atol=1e-6)
    features = torch.rand(2, 17, 24) + 0.05  # (B, K, L): magnitudes
    (both.step_net(features) - 0.5 * features).square().sum().backward()
    for lru in reverse:
        assert lru.C_re.grad.abs().sum() > 0 and lru.C_im.grad.abs().sum() > 0


def test_the_reverse_lru_starts_as_a_silent_copy_of_the_forward_one(tmp_path):
    weights = trained_looking(spec(**OPTIONS)).state_dict()
    converted = bidirectional_weights(weights, spec(**OPTIONS)["model"])
    prefix = "step_net.backbone.bottleneck."
    for leaf in ("nu_log", "theta_log", "gamma_log", "B_re", "B_im"):
        torch.testing.assert_close(
            converted[prefix + "reverse_lru." + leaf], weights[prefix + "lru." + leaf]
        )
    for leaf in ("C_re", "C_im", "D"):
        assert not converted[prefix + "reverse_lru." + leaf].any()
    assert set(converted) - set(weights) == {
        name.replace(".lru.", ".reverse_lru.") for name in weights if ".lru." in name
    }


def test_an_existing_target_and_networks_that_cannot_turn_are_refused(tmp_path):
    _, path = saved(tmp_path, spec(**OPTIONS))
    refuses_an_existing_target(tmp_path, lambda target: bidirectional_checkpoint(path, target))
    bidirectional_checkpoint(path, tmp_path / "both.pt")
    with pytest.raises(CheckpointError, match="bidirectional already"):
        bidirectional_checkpoint(tmp_path / "both.pt", tmp_path / "again.pt")
    _, causal = saved(tmp_path, spec(**OPTIONS, causal=True), "strict.pt")
    with pytest.raises(CheckpointError, match="must not see ahead"):
        bidirectional_checkpoint(causal, tmp_path / "ahead.pt")
    wave = {**spec(), "model": {**spec()["model"], "name": "wave_unet"}}
    contents = load_checkpoint(path)
    save_checkpoint(tmp_path / "wave.pt", spec=wave, model=contents["model"])
    with pytest.raises(CheckpointError, match="not 'wave_unet'"):
        bidirectional_checkpoint(tmp_path / "wave.pt", tmp_path / "turned.pt")
    assert not any((tmp_path / name).exists() for name in ("again.pt", "ahead.pt", "turned.pt"))
