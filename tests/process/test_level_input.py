"""Making a trained step network read each bin's log level: the converted checkpoint computes
the same function, its level map then learns, and wrong inputs are refused without touching
files."""

import pytest
import torch

from refine.process.checkpoint import (
    CheckpointError,
    load_checkpoint,
    load_refiner,
    save_checkpoint,
)
from refine.process.level_input import LEVEL_MAP, level_input_checkpoint
from tests.process.test_bidirectional import OPTIONS, saved
from tests.process.test_widen import spec


@pytest.mark.parametrize("inject", [False, True])
def test_a_checkpoint_gains_the_level_map_with_the_same_output(tmp_path, inject):
    plain, path = saved(tmp_path, spec(**OPTIONS, inject=inject))
    level_input_checkpoint(path, tmp_path / "levels.pt")
    reading, contents = load_refiner(tmp_path / "levels.pt")
    assert contents["spec"]["model"]["level_input"] is True
    assert contents["config"]["model"]["level_input"] is True
    assert contents["step"] == 9 and reading.past_decay == 0.7
    assert not contents["model"][LEVEL_MAP].any()
    assert set(contents["model"]) - set(plain.state_dict()) == {LEVEL_MAP}
    noisy = torch.randn(2, 1, 400)
    expected = plain.refine(noisy, steps=3).output
    torch.testing.assert_close(reading.refine(noisy, steps=3).output, expected)
    features = torch.rand(2, 17, 24) + 0.05  # (B, K, L): magnitudes
    observation = {"observation": features} if inject else {}
    (reading.step_net(features, **observation) - 0.5 * features).square().sum().backward()
    assert reading.step_net.lift_level.weight.grad.abs().sum() > 0


def test_an_existing_target_and_networks_without_a_lift_are_refused(tmp_path):
    _, path = saved(tmp_path, spec(**OPTIONS))
    (tmp_path / "taken.pt").write_bytes(b"user data")
    with pytest.raises(FileExistsError, match="taken.pt exists"):
        level_input_checkpoint(path, tmp_path / "taken.pt")
    assert (tmp_path / "taken.pt").read_bytes() == b"user data"
    level_input_checkpoint(path, tmp_path / "levels.pt")
    with pytest.raises(CheckpointError, match="model.level_input already"):
        level_input_checkpoint(tmp_path / "levels.pt", tmp_path / "again.pt")
    patch = {**spec(), "model": {**spec()["model"], "name": "patch_conv_rnn"}}
    save_checkpoint(tmp_path / "patch.pt", spec=patch, model=load_checkpoint(path)["model"])
    with pytest.raises(CheckpointError, match="not 'patch_conv_rnn'"):
        level_input_checkpoint(tmp_path / "patch.pt", tmp_path / "read.pt")
    assert not any((tmp_path / name).exists() for name in ("again.pt", "read.pt"))
