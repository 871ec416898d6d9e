"""Real-time factor and memory of refine-denoise.

    python benchmarks/denoise_speed.py                  # the shipped model
    python benchmarks/denoise_speed.py --checkpoint runs/main/checkpoint.pt
    python benchmarks/denoise_speed.py --hour           # also a 1-hour file's memory
    python benchmarks/denoise_speed.py --scan chunked   # the LRUs on the chunked torch scan
    python benchmarks/denoise_speed.py --threads 1 --busy 1   # 1 thread, 1 core kept busy
    python benchmarks/denoise_speed.py --threads auto --busy 1   # refine-denoise --threads auto
    python benchmarks/denoise_speed.py --seconds 3      # a 3 s clip instead of 10 s

Speed: the model with its default steps denoises 10 s of 16 kHz audio (--seconds; the
in-memory API, `refine.inference.enhance`) with 2 threads (--threads N, or auto: the count
that `refine.inference.threads` chooses by a probe, as `refine-denoise --threads auto`
does); the RTF is the best of 5 runs' wall time over the audio's length, for all steps
together (the target is 0.1). --busy N keeps N cores busy meanwhile, the probe included (a
process each spinning in a loop), as another program on a laptop would: torch's OpenMP
threads wait for each other at every parallel operator, so a thread that shares a core with
another program holds the whole step up. Seams: the same audio cut into 2 s chunks against
one piece, as an SNR of the difference (chunk edges are where a non-causal model lacks
context; the cross-fade hides them).

Memory (--hour): a 1-hour 16 kHz 16-bit WAV is written to a temporary folder and denoised
by `refine.enhance_file` in a fresh process; the number is that process's peak resident
memory, the bound the streaming design promises (the target is 1 GiB).
"""

import argparse
import multiprocessing
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

from refine.data import SyntheticDataset
from refine.inference.enhance import SHIPPED_MODEL, enhance, load_model, refine_settings
from refine.inference.threads import denoising_probe, quicker_threads
from refine.networks.lru import LRU, SCANS
from refine.runtime import tune_allocator
from refine.timing import best_time

HOUR_CHILD = """
import resource, sys
from refine.inference.enhance import enhance_file, load_model
from refine.runtime import tune_allocator
tune_allocator()
enhance_file(sys.argv[1], sys.argv[2], load_model(sys.argv[3]))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def spin() -> None:
    """Keep a core busy until killed."""
    while True:
        pass


def speed(checkpoint: str, scan: str, busy: int, length: float, auto: bool) -> None:
    model = load_model(checkpoint)
    for module in model.refiner.modules():  # the LRUs' scan: native, or chunked to compare
        if isinstance(module, LRU):
            module.scan = scan
    clip = SyntheticDataset(1, segment_seconds=length, split="test", snr_values=[5.0])[0]
    noisy = clip["noisy"]  # (1, 16000·length)
    steps = refine_settings(model)["steps"]
    spinners = [multiprocessing.Process(target=spin, daemon=True) for _ in range(busy)]
    for spinner in spinners:
        spinner.start()
    try:
        if auto:
            quicker_threads(denoising_probe(model), torch.get_num_threads())
        seconds = best_time(lambda: enhance(noisy, 16000, model), repeats=5)
    finally:
        for spinner in spinners:
            spinner.kill()
    threads = f"{torch.get_num_threads()}{' (auto)' if auto else ''}"
    others = f", {busy} other core{'s' * (busy > 1)} busy" if busy else ""
    where = f"{threads} threads{others}, {scan} scan"
    print(f"{Path(checkpoint).name}: {steps} steps on {length:g} s at 16 kHz, {where}")
    print(f"  wall time {seconds:.3f} s, RTF {seconds / length:.4f} (all steps), target 0.1")
    whole = enhance(noisy, 16000, model)
    pieces = enhance(noisy, 16000, model, chunk_seconds=2.0, overlap_seconds=0.5)
    seam = 10 * torch.log10(whole.square().sum() / (pieces - whole).square().sum())
    print(f"  2 s chunks with 0.5 s cross-fades against one piece: {seam:.1f} dB SNR")


def hour(checkpoint: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "hour.wav", Path(folder) / "out.wav"
        rng = np.random.default_rng(0)
        with sf.SoundFile(source, "w", 16000, 1, "PCM_16") as file:
            for _ in range(60):  # one minute at a time
                file.write(0.1 * rng.standard_normal(16000 * 60).astype(np.float32))
        child = subprocess.run(
            [sys.executable, "-c", HOUR_CHILD, str(source), str(target), checkpoint],
            capture_output=True,
            text=True,
            check=True,
        )
        peak = float(child.stdout.split()[-1])
        frames = sf.info(target).frames
    print(f"1-hour file: peak memory {peak:.0f} MiB (target 1024), {frames} frames out")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--checkpoint", default=str(SHIPPED_MODEL), help="the model to measure (the shipped one)"
    )
    parser.add_argument("--hour", action="store_true", help="also a 1-hour file's memory")
    parser.add_argument("--threads", default="2", help="torch threads or auto (default 2)")
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="length of the audio timed (default 10)"
    )
    parser.add_argument(
        "--busy", type=int, default=0, help="cores kept busy while timing (default none)"
    )
    parser.add_argument(
        "--scan", choices=SCANS[:2], default="native", help="the LRUs' scan (default native)"
    )
    args = parser.parse_args()
    tune_allocator()
    auto = args.threads == "auto"
    torch.set_num_threads(2 if auto else int(args.threads))
    speed(args.checkpoint, args.scan, args.busy, args.seconds, auto)
    if args.hour:
        hour(args.checkpoint)


if __name__ == "__main__":
    main()
