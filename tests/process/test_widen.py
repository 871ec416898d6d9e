"""Widening a trained step network (Net2WiderNet): the network at twice its d_model computes
the same function for every option of the LRU_UNet step network, a channel and its copy then
learn apart, and whole checkpoints widen into loadable refiners; wrong inputs are refused
without touching files."""

import pytest
import torch

from refine.process.build import build_refiner
from refine.process.checkpoint import CheckpointError, load_refiner, save_checkpoint
from refine.process.widen import widened_checkpoint, widened_weights
from tests.process.refusals import refuses_an_existing_target

RECURRENCE = ("nu_log", "theta_log", "gamma_log")  # kept at their stable initialisation


def spec(**model) -> dict:
    return {
        "model": {"name": "lru_unet", "steps": 2, "d_model": 6, "d_state": 4, **model},
        "domain": {"name": "stft_magnitude", "n_fft": 32, "hop_length": 8},
        "schedule": {"name": "quadratic"},
        "audio_channels": 1,
    }


def trained_looking(model_spec: dict, seed: int = 0):
    """A float64 refiner whose every weight is random, the output map included (zeros at
    initialisation would hide a wrong rule for it)."""
    torch.manual_seed(seed)
    refiner = build_refiner(model_spec).double()
    with torch.no_grad():
        for name, w in refiner.named_parameters():
            if not name.endswith(RECURRENCE):
                w.normal_(0.0, 0.4)
    return refiner


def step_output(refiner, x, options: dict) -> torch.Tensor:
    extra = {}
    if options.get("condition"):
        extra["conditioning"] = torch.tensor([0.25, 0.75], dtype=x.dtype)
    if options.get("inject"):
        extra["observation"] = x.flip(-1) + 0.5
    return refiner.step_net(x, **extra)


OPTIONS = [
    {"bin_gate": True, "update": "mask", "n_layers": 2},
    {"bin_gate": False, "update": "affine", "n_layers": 2},
    {"n_layers": 0},
    {"n_layers": 1, "downsample_factor": 3, "causal": True},
    {"condition": True, "inject": True, "output_norm": True, "n_layers": 1},
]


@pytest.mark.parametrize(
    "options", OPTIONS, ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items())
)
def test_the_wide_network_computes_the_narrow_ones_function(options):
    narrow = trained_looking(spec(**options))
    wide = build_refiner(spec(**{**options, "d_model": 12})).double()
    wide.load_state_dict(widened_weights(narrow.state_dict(), spec(**options)["model"]))
    x = torch.rand(2, 17, 24, dtype=torch.float64) + 0.05  # (B, K, L): magnitudes
    expected = step_output(narrow, x, options)
    assert expected.abs().max() > 0.1  # a function worth preserving, not zeros
    torch.testing.assert_close(step_output(wide, x, options), expected, rtol=1e-9, atol=1e-10)


def test_a_channel_and_its_copy_get_gradients_in_different_directions():
    options = {"bin_gate": True, "update": "mask", "n_layers": 1}
    narrow = trained_looking(spec(**options))
    wide = build_refiner(spec(**{**options, "d_model": 12})).double()
    wide.load_state_dict(widened_weights(narrow.state_dict(), spec(**options)["model"]))
    x = torch.rand(2, 17, 24, dtype=torch.float64) + 0.05
    (wide.step_net(x) - 0.5 * x).square().sum().backward()
    rows = wide.step_net.lift.weight.grad[:, :, 0]  # (12, 17): row c and its copy c + 6
    for c in range(6):
        cosine = torch.nn.functional.cosine_similarity(rows[c], rows[c + 6], dim=0)
        assert cosine < 1 - 1e-6, f"channel {c} and its copy would learn alike"  # not parallel
    same = wide.step_net.lift.weight[:6]  # the copies start equal: the function is kept
    torch.testing.assert_close(wide.step_net.lift.weight[6:], same)


def test_the_split_is_seeded():
    options = {"n_layers": 1}
    weights = trained_looking(spec(**options)).state_dict()
    first, again, other = (widened_weights(weights, spec(**options)["model"], s) for s in (3, 3, 4))
    name = "step_net.lower.weight"
    torch.testing.assert_close(first[name], again[name], rtol=0, atol=0)
    assert not torch.equal(first[name], other[name])


def test_a_checkpoint_widens_into_a_loadable_refiner_with_the_same_output(tmp_path):
    options = {"bin_gate": True, "update": "mask", "n_layers": 2}
    narrow = trained_looking(spec(**options)).float()
    config = {"model": {"d_model": 6}, "data": {"sample_rate": 16000}}
    save_checkpoint(
        tmp_path / "narrow.pt",
        spec=spec(**options),
        model=narrow.state_dict(),
        config=config,
        step=9,
        inference={"past_decay": 0.7},
    )
    widened_checkpoint(tmp_path / "narrow.pt", tmp_path / "wide.pt", seed=1)
    wide, contents = load_refiner(tmp_path / "wide.pt")
    assert contents["spec"]["model"]["d_model"] == contents["config"]["model"]["d_model"] == 12
    assert contents["step"] == 9 and wide.past_decay == 0.7
    sizes = [sum(w.numel() for w in r.parameters()) for r in (narrow, wide)]
    assert sizes[1] > 3 * sizes[0]  # the backbone's weights four times over
    noisy = torch.randn(1, 1, 400)
    narrow.past_decay = 0.7  # as load_refiner sets it from the stored inference defaults
    expected = narrow.eval().refine(noisy, steps=3).output
    torch.testing.assert_close(wide.refine(noisy, steps=3).output, expected, rtol=1e-4, atol=1e-5)


def test_an_existing_target_another_backbone_and_an_unknown_part_are_refused(tmp_path):
    options = {"n_layers": 1}
    narrow = trained_looking(spec(**options)).float()
    save_checkpoint(tmp_path / "narrow.pt", spec=spec(**options), model=narrow.state_dict())
    refuses_an_existing_target(
        tmp_path, lambda target: widened_checkpoint(tmp_path / "narrow.pt", target)
    )
    other = {**spec(**options), "model": {**spec()["model"], "name": "wave_unet"}}
    save_checkpoint(tmp_path / "wave.pt", spec=other, model=narrow.state_dict())
    with pytest.raises(CheckpointError, match="not 'wave_unet'"):
        widened_checkpoint(tmp_path / "wave.pt", tmp_path / "wide.pt")
    assert not (tmp_path / "wide.pt").exists()
    weights = {**narrow.state_dict(), "step_net.new_part.weight": torch.zeros(3)}
    with pytest.raises(ValueError, match="no rule for the parameter step_net.new_part.weight"):
        widened_weights(weights, spec(**options)["model"])
