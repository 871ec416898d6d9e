"""The checkpoint rewrites that add a map at zero (content labels, the level map): what each
keeps and adds (`rewritten`, which their own tests call), and the same wrong inputs refused
the same way, without touching files."""

import pytest

from refine.process.checkpoint import (
    CheckpointError,
    load_checkpoint,
    load_refiner,
    save_checkpoint,
)
from refine.process.content import content_checkpoint
from refine.process.level_input import level_input_checkpoint
from tests.process.refusals import refuses_an_existing_target
from tests.process.test_bidirectional import OPTIONS, saved
from tests.process.test_widen import spec


def rewritten(tmp_path, rewrite, option: str, key: str, model_spec: dict):
    """(the saved refiner, the refiner `rewrite` made of it): the rewrite sets model.`option`
    in the spec and the training config, keeps the training step and the inference defaults,
    and adds `key` alone, at zero."""
    plain, path = saved(tmp_path, model_spec)
    rewrite(path, tmp_path / "rewritten.pt")
    refiner, contents = load_refiner(tmp_path / "rewritten.pt")
    assert contents["spec"]["model"][option] is True
    assert contents["config"]["model"][option] is True
    assert contents["step"] == 9 and refiner.past_decay == 0.7
    assert not contents["model"][key].any()
    assert set(contents["model"]) - set(plain.state_dict()) == {key}
    return plain, refiner


@pytest.mark.parametrize(
    "rewrite, option", [(content_checkpoint, "content"), (level_input_checkpoint, "level_input")]
)
def test_an_existing_target_a_second_rewrite_and_networks_without_a_lift_are_refused(
    tmp_path, rewrite, option
):
    _, path = saved(tmp_path, spec(**OPTIONS))
    refuses_an_existing_target(tmp_path, lambda target: rewrite(path, target))
    rewrite(path, tmp_path / "once.pt")
    with pytest.raises(CheckpointError, match=f"model.{option} already"):
        rewrite(tmp_path / "once.pt", tmp_path / "again.pt")
    patch = {**spec(), "model": {**spec()["model"], "name": "patch_conv_rnn"}}
    save_checkpoint(tmp_path / "patch.pt", spec=patch, model=load_checkpoint(path)["model"])
    with pytest.raises(CheckpointError, match="not 'patch_conv_rnn'"):
        rewrite(tmp_path / "patch.pt", tmp_path / "rewritten.pt")
    assert not any((tmp_path / name).exists() for name in ("again.pt", "rewritten.pt"))
