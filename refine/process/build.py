"""Build a refiner from plain constructor arguments, the form checkpoints store them in.

A spec is a dict of four plain dicts (JSON-able, no Hydra objects):
    {"model": {...}, "domain": {...}, "schedule": {...}, "audio_channels": 1}
so a checkpoint can rebuild its model without the config system that trained it.
"""

import inspect

from refine.networks.conv_unet import UNetLRUAudio, conv_unet_lru_backbone
from refine.networks.field import FIELD_MODELS, field_class
from refine.networks.lipschitz_pnp import LipschitzPnP
from refine.networks.lru import LRU, TWICE_DIFFERENTIABLE_SCANS
from refine.networks.patch_rnn import PatchConvRNN
from refine.networks.step_net import StepNetwork
from refine.networks.unet import LRU_UNet
from refine.networks.wave_unet import WaveUNet, WaveUNetBackbone
from refine.process.domains import Waveform, make_domain
from refine.process.refiner import Refiner

# Where each default lives. A key the spec leaves out is not passed on, so it takes the
# default of the constructor that reads it (Refiner, StepNetwork, the backbone, make_domain):
# that signature is the one home of every library default, and build keeps no copy of its own.
# configs/ sets every key for refine-train (the recipe; where it differs from a constructor's
# default, its comment says why). Checkpoints written before a key existed lack it: every new
# option's default is the behaviour they were trained with (update="affine", inject=False).
DEFAULT_BACKBONE = "lru_unet"  # a spec without model.name (the README's example)
# Step-network backbones by config name: each maps (B, d_model, L) -> (B, d_model, L).
BACKBONES = {
    "lru_unet": LRU_UNet,  # the LRU_UNet design: a U-Net of LRU blocks
    "conv_unet_lru": conv_unet_lru_backbone,  # the Audio U-Net LRU: conv U-Net, LRU bottleneck
    "wave_unet": WaveUNetBackbone,  # Wave-U-Net (Stoller et al. 2018)
}
# Model keys that the refinement process reads (passed to Refiner under these names) ...
REFINER_KEYS = ("steps", "parameterisation", "final_weight", "loss", "past_decay")
# ... and the step-network wrapper (StepNetwork); "condition" goes to both, "name" picks the
# backbone. Every other model key must be an argument of the backbone.
STEP_NET_KEYS = (
    "normalisation",
    "bin_gate",
    "update",
    "mask_gradient",
    "mask_leash",
    "inject",
    "output_norm",
    "gradient_step",
    "data_weight",
    "content",
    "content_lr_scale",
    "level_input",
)
PROCESS_KEYS = {"name", "condition", *REFINER_KEYS, *STEP_NET_KEYS}
SCHEDULE_KEYS = {"name": "schedule", "power": "power"}  # schedule key -> Refiner argument
# model.condition: false, or what a conditioned step network is told (true: the progress t/T,
# as checkpoints written before the noise level existed say it).
CONDITIONS = {False: None, True: "progress", "progress": "progress", "noise_level": "noise_level"}


def arguments(*constructors, fixed: tuple[str, ...] = ()) -> set[str]:
    """The keyword arguments of `constructors` (a backbone and the classes it passes its
    **kwargs on to), less those the backbone sets itself (`fixed`)."""
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return {
        name
        for constructor in constructors
        for name, parameter in inspect.signature(constructor).parameters.items()
        if parameter.kind in kinds
    } - set(fixed)


# What a model spec may set for each backbone, besides PROCESS_KEYS.
BACKBONE_ARGUMENTS = {
    "lru_unet": arguments(LRU_UNet, LRU),  # LRU_UNet passes r_min, r_max, ... to every LRU
    "conv_unet_lru": arguments(
        conv_unet_lru_backbone, UNetLRUAudio, fixed=("in_channels", "out_channels")
    ),
    "wave_unet": arguments(
        WaveUNetBackbone,
        WaveUNet,
        fixed=("channels", "sources", "difference_output", "activation"),
    ),
    "patch_conv_rnn": arguments(PatchConvRNN, fixed=("channels", "bins")),
    "lipschitz_pnp": arguments(LipschitzPnP, fixed=("channels",)),
}
# Step networks of their own, without the StepNetwork wrapper and its keys.
OWN_STEP_NETWORKS = ("patch_conv_rnn", "lipschitz_pnp")


def refuse_unknown(group: str, given, allowed) -> None:
    """A key nobody reads is an error naming it and the keys that are read."""
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise ValueError(
            f"{group}: unknown key(s) {', '.join(unknown)}; the keys it takes are "
            f"{', '.join(sorted(allowed))}"
        )


def patch_step_network(channels: int, domain, process: dict, net_args: dict) -> PatchConvRNN:
    """The conv-RNN question's patch network: a step network of its own, on spectrogram
    patches (no StepNetwork wrapper, so the wrapper's keys are refused for it)."""
    if not hasattr(domain, "bins"):
        raise ValueError("patch_conv_rnn works on spectrogram patches: use an STFT domain")
    if process.get("parameterisation") != "increment" or process.get("condition"):
        raise ValueError(
            "patch_conv_rnn outputs X − Σ z δ itself: set model.parameterisation=increment "
            "and model.condition=false"
        )
    return PatchConvRNN(channels, domain.bins, **net_args)


def lipschitz_step_network(channels: int, process: dict, net_args: dict) -> LipschitzPnP:
    """Convergent plug-and-play (`refine.networks.lipschitz_pnp`): its output is x − T(x)
    for a contraction T, which the residual parameterisation turns into the step
    (1 − η)x + ηT(x); it is the same map at every step, so it takes no conditioning."""
    if process.get("parameterisation", "residual") != "residual" or process.get("condition"):
        raise ValueError(
            "lipschitz_pnp outputs x − T(x) for a contraction T: set "
            "model.parameterisation=residual and model.condition=false"
        )
    return LipschitzPnP(channels, **net_args)


def field_step_network(name: str, channels: int, domain, process: dict, net_args: dict):
    """A field model (Demucs, aTENNuate: `refine.networks.field`) as the step network
    f(x) = x − D(x): it maps audio to clean audio, so it needs the waveform domain, the
    residual parameterisation and no conditioning; its own keys go to its constructor."""
    build, fixed = FIELD_MODELS[name]
    if not isinstance(domain, Waveform):
        raise ValueError(f"{name} maps audio to clean audio: use domain=waveform")
    if process.get("parameterisation", "residual") != "residual" or process.get("condition"):
        raise ValueError(
            f"{name} returns clean audio, so each step removes x − D(x): set "
            "model.parameterisation=residual and model.condition=false"
        )
    refuse_unknown(f"model ({name})", net_args, arguments(field_class(name), fixed=fixed))
    return build(channels, **net_args)


def twice_differentiable(name: str, model: dict) -> dict:
    """The backbone's keys for a gradient-step network, which trains through its own
    gradient: the LRU_UNet's LRUs on the twice-differentiable scan ("twice" unless the spec
    chose "sequential"); other backbones have once-differentiable kernels and are refused."""
    if name != "lru_unet":
        raise ValueError(f"model.gradient_step needs model.name=lru_unet, got {name!r}")
    model = {"scan": "twice"} | model
    if model["scan"] not in TWICE_DIFFERENTIABLE_SCANS:
        raise ValueError(
            f"model.gradient_step differentiates the network twice: set model.scan to one of "
            f"{sorted(TWICE_DIFFERENTIABLE_SCANS)} (twice is the fast one), got {model['scan']!r}"
        )
    return model


def build_refiner(spec: dict) -> Refiner:
    """The refiner (step network, process, domain) that `spec` describes. An unknown model,
    domain or schedule key raises ValueError naming it and the keys that are read."""
    model, schedule = dict(spec["model"]), dict(spec["schedule"])
    name = model.pop("name", DEFAULT_BACKBONE)
    if name not in BACKBONE_ARGUMENTS and name not in FIELD_MODELS:
        known = sorted([*BACKBONE_ARGUMENTS, *FIELD_MODELS])
        raise ValueError(f"unknown model {name!r}: choose one of {known}")
    condition = model.pop("condition", False)
    if condition not in CONDITIONS:
        raise ValueError(
            f"model.condition must be false, progress or noise_level, got {condition!r}"
        )
    process = {key: model.pop(key) for key in REFINER_KEYS if key in model}
    wrapper = {key: model.pop(key) for key in STEP_NET_KEYS if key in model}
    refuse_unknown("schedule", schedule, SCHEDULE_KEYS)
    refuse_unknown("domain", spec["domain"], arguments(make_domain))
    domain = make_domain(**spec["domain"])
    channels = domain.channels(spec.get("audio_channels", 1))
    settings = process | {"condition": condition}  # what a step network of its own checks
    if name in FIELD_MODELS:
        refuse_unknown(f"model ({name})", wrapper, ())  # no StepNetwork wrapper
        step_net = field_step_network(name, channels, domain, settings, model)
    else:
        backbone_keys = BACKBONE_ARGUMENTS[name]
        if name in OWN_STEP_NETWORKS:
            refuse_unknown(f"model ({name})", wrapper | model, backbone_keys | set(REFINER_KEYS))
        refuse_unknown(f"model ({name})", model, backbone_keys | PROCESS_KEYS)
        if name == "patch_conv_rnn":
            step_net = patch_step_network(channels, domain, settings, model)
        elif name == "lipschitz_pnp":
            step_net = lipschitz_step_network(channels, settings, model)
        else:
            if wrapper.get("gradient_step"):
                model = twice_differentiable(name, model)
            step_net = StepNetwork(
                channels,
                BACKBONES[name](**model),
                d_model=model["d_model"],
                condition=CONDITIONS[condition] is not None,
                **wrapper,
            )
    return Refiner(
        step_net,
        domain=domain,
        conditioning=CONDITIONS[condition] or "progress",
        **process,
        **{SCHEDULE_KEYS[key]: value for key, value in schedule.items()},
    )
