"""Interpolated checkpoints: the ends are the two files, the middle the mean, the spec b's,
and the file says what it was made from; other architectures, α outside [0, 1] and an
existing target are refused."""

import pytest
import torch

from refine.process.build import build_refiner
from refine.process.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from refine.process.interpolate import interpolated_checkpoint
from tests.process.refusals import refuses_an_existing_target

SPEC = {
    "model": {"name": "lru_unet", "steps": 2, "d_model": 8, "d_state": 4, "n_layers": 1},
    "domain": {"name": "stft_magnitude", "n_fft": 64, "hop_length": 16},
    "schedule": {"name": "quadratic"},
    "audio_channels": 1,
}


def checkpoint(path, seed, spec=SPEC, **extra):
    torch.manual_seed(seed)
    refiner = build_refiner(spec)
    torch.nn.init.normal_(refiner.step_net.lower.weight, std=0.1)
    save_checkpoint(path, spec=spec, model=refiner.state_dict(), **extra)
    return refiner.state_dict()


def test_the_ends_are_the_two_checkpoints_and_the_middle_their_mean(tmp_path):
    a = checkpoint(tmp_path / "a.pt", 0)
    b = checkpoint(tmp_path / "b.pt", 1, step=9, inference={"past_decay": 0.7})
    assert not torch.equal(a["step_net.lower.weight"], b["step_net.lower.weight"])
    for alpha in (0.0, 0.5, 1.0):
        interpolated_checkpoint(
            tmp_path / "a.pt", tmp_path / "b.pt", alpha, tmp_path / f"{alpha}.pt"
        )
        mixed = load_checkpoint(tmp_path / f"{alpha}.pt")
        assert mixed["step"] == 9 and mixed["inference"] == {"past_decay": 0.7}
        for name, weight in b.items():
            if weight.is_floating_point():
                expected = (1 - alpha) * a[name] + alpha * weight
                torch.testing.assert_close(mixed["model"][name], expected)


def test_a_soup_of_soups_says_every_ingredient_and_weight(tmp_path):
    for seed, name in enumerate("abc"):
        checkpoint(tmp_path / f"{name}.pt", seed)
    interpolated_checkpoint(tmp_path / "a.pt", tmp_path / "b.pt", 0.5, tmp_path / "ab.pt")
    interpolated_checkpoint(tmp_path / "ab.pt", tmp_path / "c.pt", 1 / 3, tmp_path / "abc.pt")
    made_from = load_checkpoint(tmp_path / "abc.pt")["made_from"]
    assert made_from == {
        "a": {
            "path": str(tmp_path / "ab.pt"),
            "made_from": {"a": str(tmp_path / "a.pt"), "b": str(tmp_path / "b.pt"), "alpha": 0.5},
        },
        "b": str(tmp_path / "c.pt"),
        "alpha": 1 / 3,
    }


def test_other_architectures_a_wrong_alpha_and_an_existing_target_are_refused(tmp_path):
    checkpoint(tmp_path / "a.pt", 0)
    wider = {**SPEC, "model": {**SPEC["model"], "d_model": 16}}
    checkpoint(tmp_path / "wide.pt", 0, spec=wider)
    with pytest.raises(CheckpointError, match="not one architecture"):
        interpolated_checkpoint(tmp_path / "a.pt", tmp_path / "wide.pt", 0.5, tmp_path / "x.pt")
    with pytest.raises(ValueError, match=r"alpha must be in \[0, 1\], got 1.5"):
        interpolated_checkpoint(tmp_path / "a.pt", tmp_path / "a.pt", 1.5, tmp_path / "x.pt")
    a = tmp_path / "a.pt"
    refuses_an_existing_target(tmp_path, lambda target: interpolated_checkpoint(a, a, 0.5, target))
