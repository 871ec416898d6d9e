import os
import pickle

import pytest
import torch

from refine.process.build import build_refiner
from refine.process.checkpoint import (
    CheckpointError,
    export_checkpoint,
    load_checkpoint,
    load_refiner,
    save_checkpoint,
    store_inference,
)

SPEC = {
    "model": {"name": "lru_unet", "steps": 3, "d_model": 8, "d_state": 4, "n_layers": 1},
    "domain": {"name": "stft_complex", "n_fft": 128, "hop_length": 32},
    "schedule": {"name": "cosine"},
    "audio_channels": 1,
}


def test_round_trip_gives_the_same_outputs(tmp_path):
    refiner = build_refiner(SPEC)
    torch.nn.init.normal_(refiner.step_net.lower.weight, std=0.1)
    save_checkpoint(tmp_path / "ckpt.pt", spec=SPEC, model=refiner.state_dict())
    loaded, contents = load_refiner(tmp_path / "ckpt.pt")
    noisy = torch.randn(2, 1, 2000)
    torch.testing.assert_close(loaded.refine(noisy).output, refiner.eval().refine(noisy).output)
    assert contents["version"] and contents["format"] == 1
    assert not list(tmp_path.glob(".*tmp"))  # the atomic write left nothing behind
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "ckpt.pt").stat().st_mode & 0o777 == 0o666 & ~umask


class Payload:
    def __reduce__(self):
        return (print, ("this pickle ran code",))


def test_a_checkpoint_carrying_a_pickle_payload_is_refused(tmp_path, capsys):
    path = tmp_path / "evil.pt"
    torch.save({"format": 1, "spec": SPEC, "model": Payload()}, path)
    with pytest.raises(CheckpointError, match="not a loadable refine checkpoint"):
        load_checkpoint(path)
    assert "this pickle ran code" not in capsys.readouterr().out


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")  # the plain-pickle case below
def test_foreign_and_mismatched_checkpoints_get_clear_errors(tmp_path):
    with pytest.raises(CheckpointError, match="no such checkpoint"):
        load_checkpoint(tmp_path / "missing.pt")
    (tmp_path / "text.pt").write_text("not a checkpoint")
    with pytest.raises(CheckpointError, match="not a loadable"):
        load_checkpoint(tmp_path / "text.pt")
    torch.save({"weights": torch.zeros(3)}, tmp_path / "other.pt")
    with pytest.raises(CheckpointError, match="format 1"):
        load_checkpoint(tmp_path / "other.pt")
    bigger = dict(SPEC, model=dict(SPEC["model"], d_model=16))
    save_checkpoint(tmp_path / "mismatch.pt", spec=SPEC, model=build_refiner(bigger).state_dict())
    with pytest.raises(CheckpointError, match="do not fit"):
        load_refiner(tmp_path / "mismatch.pt")
    with open(tmp_path / "pickled.pt", "wb") as handle:
        pickle.dump({"format": 1}, handle)
    with pytest.raises(CheckpointError):
        load_checkpoint(tmp_path / "pickled.pt")


def test_export_keeps_what_inference_needs_and_drops_the_optimiser(tmp_path):
    refiner = build_refiner(SPEC)
    optimiser = torch.optim.AdamW(refiner.parameters())
    refiner.loss(torch.randn(1, 1, 500), torch.randn(1, 1, 500)).backward()
    optimiser.step()
    save_checkpoint(
        tmp_path / "run.pt",
        spec=SPEC,
        model=refiner.state_dict(),
        optimiser=optimiser.state_dict(),
        config={"data": {"sample_rate": 8000}},
        step=7,
        history=[{"step": 7}],
        inference={"steps": 2},
    )
    export_checkpoint(tmp_path / "run.pt", tmp_path / "shipped.pt")
    contents = load_checkpoint(tmp_path / "shipped.pt")
    assert set(contents) == {"format", "version", "spec", "model", "config", "step", "inference"}
    assert (tmp_path / "shipped.pt").stat().st_size < (tmp_path / "run.pt").stat().st_size / 2
    noisy = torch.randn(1, 1, 1000)
    shipped, _ = load_refiner(tmp_path / "shipped.pt")
    torch.testing.assert_close(shipped.refine(noisy).output, refiner.eval().refine(noisy).output)


def test_inference_defaults_are_merged_into_a_checkpoint_and_a_bad_decay_is_refused(tmp_path):
    path = tmp_path / "model.pt"
    save_checkpoint(path, spec=SPEC, model=build_refiner(SPEC).state_dict())
    assert store_inference(path, steps=3) == {"steps": 3}
    assert store_inference(path, past_decay=0.4) == {"steps": 3, "past_decay": 0.4}
    assert load_refiner(path)[0].past_decay == 0.4
    with pytest.raises(ValueError, match="past_decay"):
        store_inference(path, past_decay=0)
    assert load_checkpoint(path)["inference"] == {"steps": 3, "past_decay": 0.4}
