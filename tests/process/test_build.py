"""build_refiner: every key of a spec is read by someone, an unknown key is refused by name,
and a key left out takes the default of the constructor that reads it, which agrees with the
config's value unless the config says why not."""

import inspect
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from refine.data import SyntheticDataset
from refine.networks.lru import LRU
from refine.networks.step_net import StepNetwork
from refine.networks.unet import LRU_UNet
from refine.process.build import build_refiner
from refine.process.refiner import Refiner

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
SPEC = {
    "model": {"d_model": 8, "d_state": 4, "n_layers": 1},
    "domain": {"name": "stft_complex", "n_fft": 128, "hop_length": 32},
    "schedule": {"name": "cosine"},
}
PATCH = SPEC | {"model": {"name": "patch_conv_rnn", "parameterisation": "increment"}}
# Config values that differ from their constructor's default on purpose: the config's comment
# says why (configs/model/lru_unet.yaml: the recipe's eigenvalue range, not the LRU paper's).
DIFFERENT = {"r_min", "r_max"}
# The recipe's update (configs/model/lru_unet.yaml says why): the constructors keep what
# checkpoints written before these keys existed were trained with.
RECIPE = {
    "lru_unet": {"update", "bin_gate", "past_decay", "mask_leash"},
    "demucs": {"steps"},  # one pass, as the field uses it
    "attenuate": {"steps"},
}
REQUIRED = {"patch_conv_rnn": {"parameterisation"}}  # what the network needs ("required")


def defaults(*constructors) -> dict:
    return {
        name: parameter.default
        for constructor in constructors
        for name, parameter in inspect.signature(constructor).parameters.items()
        if parameter.default is not inspect.Parameter.empty
    }


def with_model(**keys) -> dict:
    return SPEC | {"model": SPEC["model"] | keys}


@pytest.mark.parametrize(
    "spec, named",
    [
        (with_model(n_layer=2), "n_layer"),  # a typo of a backbone argument
        (with_model(dropuot=0.1), "dropuot"),
        (PATCH | {"model": PATCH["model"] | {"bin_gate": True}}, "bin_gate"),  # no wrapper
        (SPEC | {"schedule": {"name": "power", "p": 3}}, "p"),
        (SPEC | {"domain": {"name": "waveform", "hop": 64}}, "hop"),
    ],
)
def test_an_unknown_key_is_refused_with_its_name_and_the_keys_that_are_read(spec, named):
    with pytest.raises(ValueError, match=rf"unknown key\(s\) {named};.*the keys it takes are"):
        build_refiner(spec)


def test_the_error_lists_the_process_keys_and_the_backbone_arguments():
    with pytest.raises(ValueError) as error:
        build_refiner(with_model(stpes=4))
    for key in ("steps", "update", "inject", "d_model", "n_layers", "r_min", "causal"):
        assert key in str(error.value)


def test_a_key_left_out_takes_the_constructor_default():
    refiner = build_refiner(SPEC)
    assert refiner.steps == defaults(Refiner)["steps"]
    assert refiner.step_net.update == defaults(StepNetwork)["update"]


@pytest.mark.parametrize("model", sorted(p.stem for p in (CONFIGS / "model").glob("*.yaml")))
def test_the_process_and_wrapper_defaults_agree_with_every_model_config(model):
    config = OmegaConf.to_container(OmegaConf.load(CONFIGS / "model" / f"{model}.yaml"))
    code = defaults(Refiner, StepNetwork)  # condition: StepNetwork's bool, the config's mode
    for key, value in config.items():
        if key in code and key != "condition" and key not in REQUIRED.get(model, ()):
            differs = key in RECIPE.get(model, ())
            assert (value == code[key]) != differs, f"configs/model/{model}.yaml: {key}"


def test_the_lru_unet_config_agrees_with_its_classes_but_where_it_says_why():
    config = OmegaConf.to_container(OmegaConf.load(CONFIGS / "model" / "lru_unet.yaml"))
    code = defaults(LRU_UNet, LRU)
    for key in config.keys() & code.keys():
        assert (config[key] == code[key]) != (key in DIFFERENT), key


def test_the_synthetic_data_config_agrees_with_the_dataset():
    config = OmegaConf.to_container(OmegaConf.load(CONFIGS / "data" / "synthetic.yaml"))
    code = defaults(SyntheticDataset)
    for key in config.keys() & code.keys():
        expected = list(code[key]) if isinstance(code[key], tuple) else code[key]
        assert config[key] == expected, key


def test_the_model_group_sets_the_step_decay_past_t():
    assert build_refiner(with_model(past_decay=0.6)).past_decay == 0.6
    assert build_refiner(SPEC).past_decay == defaults(Refiner)["past_decay"]
