"""refine: iterative-refinement recurrent denoising of audio.

A weight-shared step network (an LRU_UNet: a U-Net whose stages are Linear Recurrent Units)
is unrolled T times and trained on per-step targets y_t = x − (t²/T²)·ω, so that each step
removes a little more noise. The README maps the package and states its equations.
"""

from refine._version import __version__
from refine.blocks import LRUBlock
from refine.build import build_refiner
from refine.checkpoint import load_refiner
from refine.domains import ComplexSTFT, MagnitudeSTFT, Waveform, make_domain
from refine.enhance import enhance, enhance_file, load_model
from refine.lru import LRU
from refine.metrics import si_sdr, snr
from refine.optim import build_optimizer, param_groups
from refine.process import Refiner, RefineResult
from refine.runtime import tune_allocator
from refine.scan import scan_chunked, scan_chunked_vjp, scan_sequential
from refine.schedules import make_schedule
from refine.step_net import StepNetwork
from refine.unet import LRU_UNet

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
