"""Build a refiner from plain constructor arguments, the form checkpoints store them in.

A spec is a dict of four plain dicts (JSON-able, no Hydra objects):
    {"model": {...}, "domain": {...}, "schedule": {...}, "audio_channels": 1}
so a checkpoint can rebuild its model without the config system that trained it.
"""

from refine.networks.conv_unet import conv_unet_lru_backbone
from refine.networks.patch_rnn import PatchConvRNN
from refine.networks.step_net import StepNetwork
from refine.networks.unet import LRU_UNet
from refine.networks.wave_unet import WaveUNetBackbone
from refine.process.domains import make_domain
from refine.process.refiner import Refiner

# Step-network backbones by config name: each maps (B, d_model, L) -> (B, d_model, L).
BACKBONES = {
    "lru_unet": LRU_UNet,  # seed 000
    "conv_unet_lru": conv_unet_lru_backbone,  # seed 001: conv U-Net, LRU bottleneck
    "wave_unet": WaveUNetBackbone,  # seed 002
}
# Keys of the model spec that belong to the refinement process or the step network wrapper;
# every other key is a backbone constructor argument.
PROCESS_KEYS = {
    "name",
    "steps",
    "parameterisation",
    "final_weight",
    "condition",
    "normalisation",
    "bin_gate",
    "update",
    "inject",
    "loss",
}
# model.condition: false, or what a conditioned step network is told (true: the progress t/T,
# as checkpoints written before the noise level existed say it).
CONDITIONS = {False: None, True: "progress", "progress": "progress", "noise_level": "noise_level"}


def patch_step_network(channels: int, domain, model: dict, net_args: dict) -> PatchConvRNN:
    """Seed 003's patch conv-RNN: a step network of its own, on spectrogram patches."""
    if not hasattr(domain, "bins"):
        raise ValueError("patch_conv_rnn works on spectrogram patches: use an STFT domain")
    if model.get("parameterisation") != "increment" or model.get("condition"):
        raise ValueError(
            "patch_conv_rnn outputs X − Σ z δ itself: set model.parameterisation=increment "
            "and model.condition=false"
        )
    return PatchConvRNN(channels, domain.bins, **net_args)


def build_refiner(spec: dict) -> Refiner:
    """The refiner (step network, process, domain) that `spec` describes."""
    model, schedule = dict(spec["model"]), dict(spec["schedule"])
    name = model.get("name", "lru_unet")
    if name not in BACKBONES and name != "patch_conv_rnn":
        raise ValueError(
            f"unknown model {name!r}: choose one of {sorted([*BACKBONES, 'patch_conv_rnn'])}"
        )
    condition = model.get("condition", False)
    if condition not in CONDITIONS:
        raise ValueError(
            f"model.condition must be false, progress or noise_level, got {condition!r}"
        )
    domain = make_domain(**spec["domain"])
    channels = domain.channels(spec.get("audio_channels", 1))
    net_args = {k: v for k, v in model.items() if k not in PROCESS_KEYS}
    if name == "patch_conv_rnn":
        step_net = patch_step_network(channels, domain, model, net_args)
    else:
        step_net = StepNetwork(
            channels,
            BACKBONES[name](**net_args),
            d_model=net_args["d_model"],
            condition=CONDITIONS[condition] is not None,
            normalisation=model.get("normalisation", "clip"),
            bin_gate=model.get("bin_gate", False),
            update=model.get("update", "affine"),
            inject=model.get("inject", False),
        )
    return Refiner(
        step_net,
        steps=model.get("steps", 8),
        schedule=schedule.get("name", "quadratic"),
        power=schedule.get("power", 2.0),
        parameterisation=model.get("parameterisation", "residual"),
        domain=domain,
        final_weight=model.get("final_weight", 1.0),
        loss=model.get("loss", "domain"),
        conditioning=CONDITIONS[condition] or "progress",
    )
