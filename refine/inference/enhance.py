"""Denoise recordings with a trained refiner: the Python API behind `refine-denoise`.

    from refine import enhance, enhance_file, load_model
    model = load_model("runs/main/checkpoint.pt")     # load_model() is the shipped model
    cleaned = enhance(noisy, 44100, model)           # (C, T) or (T,), any rate -> the same
    report = enhance_file("take1.flac", "out/take1.flac", model, steps=4)

Audio is resampled to the model's rate (soxr) and back, every channel is refined on its own,
and long recordings go through `refine.inference.long_audio` in overlapping chunks. `enhance_file`
streams: it reads, refines and writes block by block, so memory does not grow with the
file's length, and it writes the input's format, subtype, rate, channel count and length,
atomically. The number of steps is, in order: `steps` or `tol` if given, the default that
`refine-eval write_defaults=true` stored in the checkpoint, the trained T. `respace` spreads
the trained schedule over fewer (or more) steps.

Inputs that cannot be denoised raise `AudioError` naming the file and the problem (NaN or
Inf samples, no samples, not audio); silence, full-scale clipping and very short files are
denoised with a warning in the report.
"""

import warnings
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr
import torch

from refine.audio import RESAMPLE_QUALITY, AudioError, resample
from refine.files import atomic_path
from refine.inference.long_audio import MIN_SAMPLES, ChunkedRefiner
from refine.process.checkpoint import CheckpointError, load_refiner, trained_sample_rate
from refine.process.refiner import Refiner

SHIPPED = Path(__file__).resolve().parents[1] / "pretrained"  # refine/pretrained
SHIPPED_MODELS = {  # name -> file: the models inside the package (the README's model card)
    "default": SHIPPED / "refine_default.pt",  # stationary noise: white, pink, brown
    "real_noise": SHIPPED / "refine_real_noise.pt",  # also recorded noise: typing, traffic, ...
}
SHIPPED_MODEL = SHIPPED_MODELS["default"]
CHUNK_SECONDS = 30.0  # refined at once: memory of one chunk's refinement
OVERLAP_SECONDS = 1.0  # cross-faded between chunks
BLOCK_FRAMES = 1 << 16  # frames read and written at a time
FULL_SCALE = 0.999  # a sample at or above this magnitude counts as clipped


@dataclass
class Model:
    """A trained refiner with what inference needs to know about it."""

    refiner: Refiner
    sample_rate: int  # Hz, the rate it was trained at
    inference: dict  # the steps/tol/max_steps/eta chosen by refine-eval, or {}
    source: str  # the checkpoint it came from


@dataclass
class Report:
    """What enhance_file did to one file."""

    frames: int  # samples per channel, in and out
    sample_rate: int
    channels: int
    steps: int  # the most steps any chunk ran
    warnings: list[str] = field(default_factory=list)


def load_model(checkpoint: str | Path | None = None) -> Model:
    """The refiner in `checkpoint`: a file, or the name of a model shipped inside the package
    (SHIPPED_MODELS; None: the default one). A file of that name wins over the name."""
    named = str(checkpoint) in SHIPPED_MODELS and not Path(str(checkpoint)).exists()
    shipped = checkpoint is None or named
    path = SHIPPED_MODELS[str(checkpoint or "default")] if shipped else Path(checkpoint)
    if shipped and not path.is_file():
        raise CheckpointError(
            f"this installation has no shipped model ({path} is missing): "
            "pass a checkpoint written by refine-train (--checkpoint PATH)"
        )
    refiner, contents = load_refiner(path)
    inference = dict(contents.get("inference") or {})
    return Model(refiner, trained_sample_rate(contents), inference, str(path))


def respace(model: Model, steps: int) -> Model:
    """The model with its trained schedule spread over `steps` steps (`Refiner.respaced`):
    its default step count becomes `steps`, and a larger count or a tolerance runs on past
    them as the fixed-point iteration. `respace(model, 1)` is the network's one-step answer,
    which the fixed-point steps after it refine: on the synthetic test set the default
    recipe's T = 8 weights come within 0.1 dB of their best after 2 steps this way, after 9
    on their trained schedule (experiments/convergence/stop_early.md); on real recordings
    the shipped models do best at the one step. A step count stored for the trained
    schedule no longer applies and is dropped."""
    if steps < 1:
        raise ValueError(f"the schedule's steps must be >= 1, got {steps}")
    inference = {key: value for key, value in model.inference.items() if key != "steps"}
    return replace(model, refiner=model.refiner.respaced(steps), inference=inference)


def refine_settings(model: Model, steps: int | None = None, tol: float | None = None) -> dict:
    """Refiner.refine's step arguments: the caller's, else the checkpoint's, else trained T."""
    if steps is not None and tol is not None:
        raise ValueError("give either steps (a fixed count) or tol (until convergence), not both")
    if steps is not None:
        if steps < 0:
            raise ValueError(f"steps must be >= 0, got {steps}")
        return {"steps": steps, "eta": model.inference.get("eta")}
    if tol is not None:
        if not tol > 0:
            raise ValueError(f"tol must be > 0, got {tol}")
        max_steps = model.inference.get("max_steps") or 8 * model.refiner.steps
        anderson = model.inference.get("anderson") or 0
        return {
            "tol": tol,
            "max_steps": max_steps,
            "eta": model.inference.get("eta"),
            "anderson": anderson,
        }
    chosen = model.inference.get("steps")
    steps = model.refiner.steps if chosen is None else chosen
    return {"steps": steps, "eta": model.inference.get("eta")}  # as if given as --steps


def _chunker(model: Model, keep_steps: bool, settings: dict, chunk_s: float, overlap_s: float):
    rate = model.sample_rate
    chunk, overlap = round(chunk_s * rate), round(overlap_s * rate)
    return ChunkedRefiner(model.refiner, chunk, overlap, keep_steps, **settings)


def enhance(
    audio,
    sample_rate: int,
    model: Model | None = None,
    steps: int | None = None,
    tol: float | None = None,
    chunk_seconds: float = CHUNK_SECONDS,
    overlap_seconds: float = OVERLAP_SECONDS,
):
    """Denoise audio (C, T) or (T,), tensor or array, at any rate: same shape, type and rate."""
    model = model or load_model()
    as_numpy = isinstance(audio, np.ndarray)
    signal = torch.as_tensor(audio, dtype=torch.float32)
    mono = signal.dim() == 1
    signal = signal[None] if mono else signal  # (C, T)
    if signal.dim() != 2 or signal.shape[-1] == 0:
        raise ValueError(f"audio must be (C, T) or (T,) with T > 0, got {tuple(signal.shape)}")
    if not torch.isfinite(signal).all():
        raise ValueError("audio holds NaN or Inf samples: repair them first")
    chunker = _chunker(
        model, False, refine_settings(model, steps, tol), chunk_seconds, overlap_seconds
    )
    at_model_rate = resample(signal, sample_rate, model.sample_rate)
    blocks = [*chunker.push(at_model_rate), *chunker.finish()]
    out = resample(torch.cat(blocks, -1)[0], model.sample_rate, sample_rate)  # (C, T')
    out = torch.nn.functional.pad(out, (0, max(0, signal.shape[-1] - out.shape[-1])))
    out = out[:, : signal.shape[-1]]
    out = out[0] if mono else out
    return out.numpy() if as_numpy else out


class _Resampler:
    """soxr's stream resampler over (C, n) float32 tensors; the identity at equal rates."""

    def __init__(self, from_rate: int, to_rate: int, channels: int):
        self.stream = None
        if from_rate != to_rate:
            self.stream = soxr.ResampleStream(
                from_rate, to_rate, channels, dtype="float32", quality=RESAMPLE_QUALITY
            )

    def __call__(self, block: torch.Tensor, last: bool = False) -> torch.Tensor:
        if self.stream is None:
            return block
        frames = np.ascontiguousarray(block.numpy().T)  # (n, C)
        return torch.from_numpy(np.ascontiguousarray(self.stream.resample_chunk(frames, last).T))


class _Writer:
    """Output blocks at the input's rate to one or more files, cut or padded to `frames`."""

    def __init__(self, files: list[sf.SoundFile], frames: int, integer: bool):
        self.files, self.frames, self.integer = files, frames, integer
        self.written, self.clipped = 0, 0

    def __call__(self, block: torch.Tensor) -> None:
        """block (S, C, n): one file per step."""
        block = block[..., : self.frames - self.written]
        if self.integer:  # integer subtypes would wrap around past full scale
            self.clipped += int((block[-1].abs() > 1).sum())
            block = block.clamp(-1, 1)
        for file, audio in zip(self.files, block, strict=True):
            file.write(audio.numpy().T)
        self.written += block.shape[-1]

    def close(self) -> None:
        missing = self.frames - self.written
        if missing > 0:  # resampling may end a few samples short
            self(torch.zeros(len(self.files), self.files[0].channels, missing))


def _check_block(block: np.ndarray, path: Path, offset: int) -> None:
    """Refuse NaN and Inf samples, naming where the first one is."""
    bad = ~np.isfinite(block)
    if bad.any():
        frame, channel = np.argwhere(bad)[0]
        raise AudioError(
            f"{path}: holds NaN or Inf samples (the first at sample {offset + frame}, channel "
            f"{channel}): repair or re-export the file"
        )


def step_paths(output: Path, steps: int) -> list[Path]:
    """Where --save-steps puts x̂_1 … x̂_N of `output`: OUT/<stem>_steps/step_01<ext> …"""
    folder = output.parent / f"{output.stem}_steps"
    return [folder / f"step_{t:02d}{output.suffix}" for t in range(1, steps + 1)]


def enhance_file(
    source: str | Path,
    destination: str | Path,
    model: Model | None = None,
    steps: int | None = None,
    tol: float | None = None,
    save_steps: bool = False,
    chunk_seconds: float = CHUNK_SECONDS,
    overlap_seconds: float = OVERLAP_SECONDS,
    progress=None,
) -> Report:
    """Denoise one file into `destination` (and its steps beside it with save_steps),
    streaming in blocks. `progress`: a tqdm bar advanced by input frames, or None."""
    model = model or load_model()
    source, destination = Path(source), Path(destination)
    settings = refine_settings(model, steps, tol)
    if save_steps and "steps" not in settings:
        raise ValueError("--save-steps needs a fixed number of steps (--steps), not --tol")
    try:
        info = sf.info(source)
    except (sf.SoundFileError, RuntimeError) as error:
        raise AudioError(f"{source}: not readable as audio ({error})") from None
    if info.frames <= 0:
        raise AudioError(f"{source}: the file holds no samples (0 frames)")
    keep = save_steps and settings["steps"] > 0
    outputs = [destination, *step_paths(destination, settings["steps"])] if keep else [destination]
    # The chunker yields x̂_0 … x̂_N with keep, else the output: pick what each file gets.
    select = [settings["steps"], *range(1, settings["steps"] + 1)] if keep else [0]
    stages = settings["steps"] + 1 if keep else 1  # S, the chunker's blocks (S, C, n)
    chunker = _chunker(model, keep, settings, chunk_seconds, overlap_seconds)
    channels, rate = info.channels, info.samplerate
    to_model = _Resampler(rate, model.sample_rate, channels)
    back = _Resampler(model.sample_rate, rate, len(outputs) * channels)
    peak, clipped, offset = 0.0, 0, 0
    with ExitStack() as stack:  # on any error: files closed, temporaries removed
        caught = stack.enter_context(warnings.catch_warnings(record=True))  # the refiner's
        warnings.simplefilter("always")
        files = [
            stack.enter_context(
                sf.SoundFile(
                    stack.enter_context(atomic_path(path)),
                    "w",
                    rate,
                    channels,
                    info.subtype,
                    format=info.format,
                )
            )
            for path in outputs
        ]
        writer = _Writer(files, info.frames, info.subtype.startswith(("PCM", "ULAW", "ALAW")))

        def emit(block: torch.Tensor, last: bool = False) -> None:  # (S, C, n) at model rate
            chosen = block[select].flatten(0, 1)  # (files·C, n)
            writer(back(chosen, last).unflatten(0, (len(outputs), channels)))

        with sf.SoundFile(source) as reader:
            while offset < info.frames:
                try:
                    block = reader.read(BLOCK_FRAMES, dtype="float32", always_2d=True)  # (n, C)
                except (sf.SoundFileError, RuntimeError) as error:
                    raise AudioError(
                        f"{source}: unreadable after sample {offset} ({error})"
                    ) from None
                if len(block) == 0:
                    break  # a header that promises more frames than the file holds
                _check_block(block, source, offset)
                peak = max(peak, float(np.abs(block).max()))
                clipped += int((np.abs(block) >= FULL_SCALE).sum())
                offset += len(block)
                for out in chunker.push(to_model(torch.from_numpy(block.T.copy()))):
                    emit(out)
                if progress is not None:
                    progress.update(len(block))
        writer.frames = offset  # the samples the file really holds
        for out in [
            *chunker.push(to_model(torch.zeros(channels, 0), last=True)),
            *chunker.finish(),
        ]:
            emit(out)
        emit(torch.zeros(stages, channels, 0), last=True)
        writer.close()
    report = Report(info.frames, rate, channels, max(chunker.steps_run, default=0))
    for message, count in Counter(str(w.message) for w in caught).items():
        report.warnings.append(message if count == 1 else f"{message} (in {count} chunks)")
    if offset < info.frames:
        report.warnings.append(f"the header promises {info.frames} frames but {offset} were read")
    if peak == 0:
        report.warnings.append("the file is silent: written as silence")
    if clipped > 0.001 * offset * channels:
        report.warnings.append(
            f"{clipped} samples at full scale (clipping): clipping distortion is not noise the "
            "model removes"
        )
    if offset * model.sample_rate < MIN_SAMPLES * rate:
        report.warnings.append(f"very short ({offset} samples): refined with zero padding")
    if writer.clipped:
        report.warnings.append(
            f"{writer.clipped} output samples past full scale were clipped for {info.subtype}"
        )
    return report
