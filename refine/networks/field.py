"""The field's own denoisers as step networks: imported from their packages, not rewritten.

Demucs (Défossez et al. 2020, "Real Time Speech Enhancement in the Waveform Domain"; the
`Demucs` class of the `denoiser` package) and aTENNuate (Pei et al. 2024, arXiv 2409.03377;
the `Denoiser` class of the `attenuate` package) map noisy audio to clean audio D(x) in one
pass. As a step network they return the noise they leave out,

    f(x) = x − D(x),

so the refiner's step with the residual parameterisation, x̂_t = x̂_{t−1} − η_t·f(x̂_{t−1}), is
at T = 1 (η_1 = 1) exactly D(x): they train with refine-train's loop, loss and data, and are
evaluated, timed and run by refine-eval and refine-denoise like every refine model. With T > 1
they are weight-shared step networks like any other.

Both packages are optional experiment dependencies (`make field-models` installs them without
their dependencies: `denoiser` pins hydra < 1.0, and `attenuate` imports torchaudio, librosa
and huggingface_hub only for file I/O and its hub download). Those three are left out: while
`attenuate` is imported, any of them that does not import is a placeholder that raises if
called, and it is removed again, so nothing else in the process sees it.
"""

import contextlib
import importlib
import math
import sys
import types

import torch
import torch.nn.functional as F
from torch import nn

INSTALL = (
    "make field-models (or: pip install einops opt-einsum && "
    "pip install --no-deps denoiser==0.1.5 attenuate==0.1.1)"
)
ATTENUATE_IO = ("librosa", "torchaudio", "huggingface_hub")  # file I/O and the hub download


class _LeftOut(types.ModuleType):
    """A module that is not installed here: any of its functions raises ImportError if called."""

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)

        def unavailable(*args, **kwargs):
            raise ImportError(
                f"{self.__name__}.{name} is left out of refine (it serves the field model's own "
                "file I/O; refine reads and writes audio itself)"
            )

        return unavailable


@contextlib.contextmanager
def _placeholders(names: tuple[str, ...]):
    """Placeholders in sys.modules for those of `names` that do not import, removed after."""
    added = []
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001  (a CUDA-only torchaudio raises OSError, not ImportError)
            sys.modules[name] = _LeftOut(name)
            added.append(name)
    try:
        yield
    finally:
        for name in added:
            sys.modules.pop(name, None)


def field_class(name: str) -> type:
    """The denoiser class of field model `name` ("demucs" or "attenuate"), imported from its
    package. A missing package is an ImportError that says how to install it."""
    module, cls, left_out = FIELD_CLASSES[name]
    try:
        with _placeholders(left_out):
            return getattr(importlib.import_module(module), cls)
    except ImportError as error:
        needs = f"model {name!r} needs the {module.split('.')[0]} package"
        raise ImportError(f"{needs}: {INSTALL} ({error})") from error


class CleanEstimateNet(nn.Module):
    """f(x) = x − D(x): (B, C, L) audio -> (B, C, L), for a denoiser D that returns clean audio.

    Args:
        denoiser: (B, C, L') -> (B, C, L') clean audio.
        multiple: D's input length must be a multiple of this; the input is zero-padded to one
            and the output cropped back.
    """

    condition = False  # D sees the audio only: the same map at every step

    def __init__(self, denoiser: nn.Module, multiple: int = 1):
        super().__init__()
        self.denoiser, self.multiple = denoiser, multiple

    def forward(self, x: torch.Tensor, conditioning: torch.Tensor | None = None) -> torch.Tensor:
        length = x.shape[-1]
        padded = F.pad(x, (0, -length % self.multiple))
        return x - self.denoiser(padded)[..., :length]


def demucs(audio_channels: int, /, **arguments) -> CleanEstimateNet:
    """Demucs with `audio_channels` in and out; `arguments` go to its constructor
    (hidden, depth, causal, resample, ...). It pads its input itself."""
    denoiser = field_class("demucs")(chin=audio_channels, chout=audio_channels, **arguments)
    return CleanEstimateNet(denoiser)


def attenuate(audio_channels: int, /, **arguments) -> CleanEstimateNet:
    """aTENNuate with `audio_channels`; `arguments` go to its constructor (channels
    of its stages, num_coeffs, repeat, resample_factors, pre_conv). Its length must be a
    multiple of the product of its resampling factors (256 by default)."""
    net = field_class("attenuate")(in_channels=audio_channels, **arguments)
    factors = arguments.get("resample_factors", [4, 4, 2, 2, 2, 2])
    return CleanEstimateNet(net, multiple=math.prod(factors))


# name -> (module, class, modules left out while importing it)
FIELD_CLASSES = {
    "demucs": ("denoiser.demucs", "Demucs", ()),
    "attenuate": ("attenuate.model", "Denoiser", ATTENUATE_IO),
}
# name -> (builder, the class's arguments that the builder sets itself)
FIELD_MODELS = {
    "demucs": (demucs, ("chin", "chout")),
    "attenuate": (attenuate, ("in_channels",)),
}
