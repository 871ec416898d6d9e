"""Refinement of audio of any length in bounded memory: overlapping chunks, cross-faded.

A recording is cut into chunks of `chunk` samples that overlap by `overlap`; every chunk is
refined on its own (all its steps), and consecutive chunks are cross-faded over the overlap
with raised-cosine ramps that sum to one. Memory is one chunk's refinement whatever the
length, and the chunks' edges, where a non-causal model lacks context, are faded out in
favour of the neighbour that has it, so no seam is heard (the difference to refining the
whole file at once is measured in tests and in benchmarks/denoise_speed.py).

Audio arrives in blocks of any size (`push`) and leaves in blocks as soon as no later chunk
can change it, so a file is read, refined and written as a stream. A recording no longer than
one chunk is refined in one piece, exactly as `Refiner.refine` would.

Chunks shorter than `MIN_SAMPLES` (a file of a few samples) are zero-padded for the model
and cropped back: the STFT needs more than n_fft/2 samples.
"""

import math
from collections.abc import Iterator

import torch

from refine.process.refiner import Refiner

MIN_SAMPLES = 1024


def crossfade_ramp(length: int) -> torch.Tensor:
    """Raised-cosine fade-in (length,) from ~0 to ~1; with its reverse it sums to exactly 1."""
    position = (torch.arange(length, dtype=torch.float64) + 0.5) / length
    return torch.sin(0.5 * math.pi * position).square().float()


class ChunkedRefiner:
    """Refine a stream of (C, n) blocks chunk by chunk; each channel is refined on its own.

    Args:
        refiner: the trained refiner (eval mode).
        chunk, overlap: chunk length and overlap of consecutive chunks, in samples.
        keep_steps: also return every step x̂_1 … x̂_N, not only the output.
        refine_args: passed to `Refiner.refine` (steps, tol, max_steps, eta).

    push() and finish() yield (S, C, m) blocks: S = 1 (the output) or N + 1 with keep_steps
    (x̂_0 = the input, x̂_1 … x̂_N; the last is the output). With `tol`, a chunk that
    converged before N steps repeats its last step.
    """

    def __init__(
        self,
        refiner: Refiner,
        chunk: int,
        overlap: int,
        keep_steps: bool = False,
        **refine_args,
    ):
        if not 0 < overlap < chunk:
            raise ValueError(f"need 0 < overlap < chunk, got overlap {overlap}, chunk {chunk}")
        self.refiner, self.chunk, self.overlap = refiner, chunk, overlap
        self.keep_steps, self.refine_args = keep_steps, refine_args
        self.ramp = crossfade_ramp(overlap)  # (M,)
        self.pending: torch.Tensor | None = None  # (C, n) input not yet refined to the end
        self.tail: torch.Tensor | None = None  # (S, C, M) last chunk's output over the overlap
        self.steps_run: list[int] = []  # steps each chunk took (max over channels)

    def _refine(self, audio: torch.Tensor) -> torch.Tensor:
        """(C, n) -> (S, C, n): one chunk, channels as the batch."""
        length = audio.shape[-1]
        padded = torch.nn.functional.pad(audio, (0, max(0, MIN_SAMPLES - length)))[:, None]
        result = self.refiner.refine(padded, return_trajectory=self.keep_steps, **self.refine_args)
        self.steps_run.append(int(result.steps.max()))
        if self.keep_steps:
            out = torch.stack(result.trajectory)  # (S, C, 1, n')
        else:
            out = result.output[None]  # (1, C, 1, n')
        return out[:, :, 0, :length]

    def _blend(self, out: torch.Tensor) -> torch.Tensor:
        """Cross-fade the start of a new chunk's output (S, C, n ≥ M) with the stored tail."""
        if self.tail is None:
            return out
        head = self.tail * self.ramp.flip(0) + out[..., : self.overlap] * self.ramp
        return torch.cat([head, out[..., self.overlap :]], -1)

    def push(self, block: torch.Tensor) -> Iterator[torch.Tensor]:
        """Add (C, n) input; yield the (S, C, m) output blocks that are now final."""
        self.pending = block if self.pending is None else torch.cat([self.pending, block], -1)
        while self.pending.shape[-1] >= self.chunk:  # the last M samples start the next chunk
            out = self._blend(self._refine(self.pending[:, : self.chunk]))
            done = self.chunk - self.overlap
            self.tail = out[..., done:]
            self.pending = self.pending[:, done:]
            yield out[..., :done]

    def finish(self) -> Iterator[torch.Tensor]:
        """Refine what is left and yield the last output blocks."""
        if self.pending is None:
            return
        if self.tail is not None and self.pending.shape[-1] == self.overlap:
            yield self.tail  # nothing after the last chunk: its own overlap stands
        else:
            yield self._blend(self._refine(self.pending))
        self.pending = self.tail = None
