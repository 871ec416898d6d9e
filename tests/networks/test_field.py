"""The field's denoisers (Demucs, aTENNuate) as one-shot step networks: their own classes,
imported from their packages, inside refine's refiner, loss and checkpoints."""

import importlib.util
import sys

import pytest
import torch
from hydra import compose, initialize_config_dir

from refine.cli import CONFIG_DIR
from refine.cli.train import train_from_config
from refine.networks import field
from refine.process.build import build_refiner
from refine.process.checkpoint import load_refiner
from tests.networks.test_conv_unet import SMALL_DATA

# Not importorskip: attenuate's own __init__ imports librosa, which refine leaves out.
if not all(importlib.util.find_spec(package) for package in ("denoiser", "attenuate")):
    pytest.skip("make field-models installs the field's packages", allow_module_level=True)

SMALL = {
    "demucs": {"hidden": 4, "depth": 3, "resample": 2},
    "attenuate": {"channels": [8, 16], "resample_factors": [4, 2], "num_coeffs": 8, "repeat": 4},
}


def spec(name: str, domain: str = "waveform", **model) -> dict:
    model = {"name": name, "steps": 1, "parameterisation": "residual", **SMALL[name], **model}
    return {"model": model, "domain": {"name": domain}, "schedule": {"name": "quadratic"}}


@pytest.mark.parametrize("name", ["demucs", "attenuate"])
def test_one_step_of_the_refiner_is_the_field_model_itself(name):
    torch.manual_seed(0)
    refiner = build_refiner(spec(name))
    denoiser = refiner.step_net.denoiser
    assert type(denoiser).__name__ == {"demucs": "Demucs", "attenuate": "Denoiser"}[name]
    noisy = torch.randn(2, 1, 1001)  # not a multiple of aTENNuate's 8: padded and cropped
    padded = torch.nn.functional.pad(noisy, (0, -1001 % refiner.step_net.multiple))
    with torch.no_grad():
        direct = denoiser(padded)[..., :1001]
        out = refiner.refine(noisy, steps=1, patience=None).output
    assert out.shape == noisy.shape
    torch.testing.assert_close(out, direct, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["demucs", "attenuate"])
def test_the_refiner_loss_trains_a_field_model_and_its_checkpoint_spec_rebuilds_it(name):
    torch.manual_seed(0)
    refiner = build_refiner(spec(name))
    clean = torch.sin(torch.linspace(0, 300, 2048)).expand(4, 1, 2048)
    noise = 0.5 * torch.randn(4, 1, 2048)
    optimiser = torch.optim.Adam(refiner.parameters(), lr=1e-2)
    losses = []
    for _ in range(15):
        loss = refiner.loss(clean + noise, noise)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    assert losses[-1] < 0.9 * losses[0]
    rebuilt = build_refiner(spec(name))
    rebuilt.load_state_dict(refiner.state_dict())
    with torch.no_grad():
        torch.testing.assert_close(
            rebuilt.refine(clean + noise).output, refiner.refine(clean + noise).output
        )


def test_attenuates_file_io_is_left_out_and_nothing_else_sees_the_placeholders():
    field.field_class("attenuate")
    assert not any(isinstance(m, field._LeftOut) for m in sys.modules.values())
    placeholder = field._LeftOut("torchaudio")
    with pytest.raises(ImportError, match="left out of refine"):
        placeholder.save("x.wav")


def test_field_models_refuse_settings_they_cannot_honour():
    with pytest.raises(ValueError, match="domain=waveform"):
        build_refiner(spec("demucs", domain="stft_complex"))
    with pytest.raises(ValueError, match="condition=false"):
        build_refiner(spec("demucs", condition="progress"))
    with pytest.raises(ValueError, match="parameterisation=residual"):
        build_refiner(spec("attenuate", parameterisation="increment"))
    with pytest.raises(ValueError, match="unknown key.*d_model"):
        build_refiner(spec("demucs", d_model=64))
    with pytest.raises(ValueError, match="unknown key.*bin_gate"):
        build_refiner(spec("attenuate", bin_gate=True))


def test_a_missing_package_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(field.FIELD_CLASSES, "demucs", ("no_such_package.demucs", "Demucs", ()))
    with pytest.raises(ImportError, match="make field-models"):
        build_refiner(spec("demucs"))


@pytest.mark.parametrize(
    "model, small",
    [
        ("demucs", ["model.hidden=4", "model.depth=2"]),
        ("attenuate", ["model.channels=[8,16]", "model.resample_factors=[4,2]"]),
    ],
)
def test_refine_train_trains_the_configured_field_model(tmp_path, model, small):
    overrides = [f"model={model}", "model.steps=1", "domain=waveform", "train.steps=2", *small]
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        cfg = compose(config_name="config", overrides=SMALL_DATA + overrides)
    history = train_from_config(cfg, tmp_path)
    assert len(history[-1]["per_step"]) == 2  # x̂_0 and x̂_1 = D(x)
    refiner, _ = load_refiner(tmp_path / "checkpoint.pt")
    assert type(refiner.step_net) is field.CleanEstimateNet
