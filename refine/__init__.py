"""refine: iterative-refinement recurrent denoising of audio.

A weight-shared step network (an LRU_UNet: a U-Net whose stages are Linear Recurrent Units)
is unrolled T times and trained on per-step targets y_t = x − (t²/T²)·ω, so that each step
removes a little more noise. See the README and design notes for the whole picture.
"""

from refine.blocks import LRUBlock
from refine.lru import LRU
from refine.optim import build_optimizer, param_groups
from refine.runtime import tune_allocator
from refine.scan import scan_chunked, scan_chunked_vjp, scan_sequential
from refine.unet import LRU_UNet

__version__ = "0.1.0"

__all__ = [
    "LRU",
    "LRUBlock",
    "LRU_UNet",
    "build_optimizer",
    "param_groups",
    "scan_chunked",
    "scan_chunked_vjp",
    "scan_sequential",
    "tune_allocator",
]
