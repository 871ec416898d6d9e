"""refine: iterative-refinement recurrent denoising of audio.

A weight-shared step network (an LRU_UNet: a U-Net whose stages are Linear Recurrent Units)
is unrolled T times and trained on per-step targets y_t = x − (t²/T²)·ω, so that each step
removes a little more noise. The README maps the package and states its equations.
"""

from refine._version import __version__
from refine.inference.enhance import enhance, enhance_file, load_model, respace
from refine.networks.blocks import LRUBlock
from refine.networks.lru import LRU
from refine.networks.scan import scan_chunked, scan_chunked_vjp, scan_sequential
from refine.networks.step_net import StepNetwork
from refine.networks.unet import LRU_UNet
from refine.process.build import build_refiner
from refine.process.checkpoint import load_refiner
from refine.process.domains import ComplexSTFT, MagnitudeSTFT, Waveform, make_domain
from refine.process.refiner import Refiner, RefineResult
from refine.process.schedules import make_schedule
from refine.runtime import tune_allocator
from refine.study.metrics import si_sdr, snr
from refine.train.optim import build_optimizer, param_groups

__all__ = [
    "__version__",
    "LRU",
    "ComplexSTFT",
    "LRUBlock",
    "LRU_UNet",
    "MagnitudeSTFT",
    "RefineResult",
    "Refiner",
    "StepNetwork",
    "Waveform",
    "build_optimizer",
    "build_refiner",
    "enhance",
    "enhance_file",
    "load_model",
    "respace",
    "load_refiner",
    "make_domain",
    "make_schedule",
    "param_groups",
    "scan_chunked",
    "scan_chunked_vjp",
    "scan_sequential",
    "si_sdr",
    "snr",
    "tune_allocator",
]
