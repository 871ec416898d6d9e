"""Streaming refinement: audio in blocks of any size, all T steps pipelined, exact.

    stream = RefinerStream(refiner)                    # a causal model (see below)
    for block in blocks:                               # (B, C, n) each, any n
        play(stream.push(block))
    play(stream.finish())                              # the rest, at the end of the stream

Each step network keeps its own state (the LRU states of its U-Net, the running energy of
its causal normalisation), and every chunk of frames runs through step 1, 2, …, N before the
next chunk arrives: x̂_t of a frame needs x̂_{t−1} of the same and earlier frames only, so the
N steps add no delay beyond one network's. Frames are refined in chunks of S (the U-Net's
total stride) and the STFT domains add their framing, so the latency is

    waveform domain:  S − 1 samples
    STFT domains:     (S − 1)·hop + n_fft − 1 samples   (895 samples, 56 ms, for S = 4,
                      hop 128, n_fft 512 at 16 kHz)

and the output equals `Refiner.refine` on the whole recording up to float rounding (tested).
Streaming needs a step network with causal normalisation (`model.normalisation=causal`);
a causal backbone (`model.causal=true`) is what makes "no look-ahead" true, and the
non-causal U-Net also streams exactly, its look-ahead staying inside each S-frame chunk.

The streaming STFT and inverse reproduce torch.stft(center=True) with reflect padding and
torch.istft: the first frame waits for n_fft/2 + 1 samples (the reflection), the last frames
are made at `finish`, and each output sample is released once every frame that overlaps it
has been added, divided by the same window envelope.
"""

import torch
import torch.nn.functional as F

from refine.process.domains import Waveform
from refine.process.refiner import Refiner


class StreamingSTFT:
    """torch.stft(center=True, pad_mode="reflect") frame by frame as samples arrive."""

    def __init__(self, domain):
        self.domain, self.n_fft, self.hop = domain, domain.n_fft, domain.hop_length
        self.half = self.n_fft // 2
        self.buffer: torch.Tensor | None = None  # padded signal not yet fully framed
        self.started, self.length = False, 0

    def _frames(self, padded: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Frames of `padded` (B, C, n) that fit, and the samples left for the next ones."""
        count = (
            0 if padded.shape[-1] < self.n_fft else (padded.shape[-1] - self.n_fft) // self.hop + 1
        )
        if count == 0:
            return padded.new_zeros(
                *padded.shape[:2], self.domain.bins, 0, dtype=torch.complex64
            ), padded
        used = padded[..., : (count - 1) * self.hop + self.n_fft]
        spec = torch.stft(
            used.flatten(0, 1),
            self.n_fft,
            self.hop,
            window=self.domain._window(used),
            center=False,
            return_complex=True,
        )  # (B·C, F, count)
        return spec.unflatten(0, padded.shape[:2]), padded[..., count * self.hop :]

    def push(self, audio: torch.Tensor) -> torch.Tensor:
        """(B, C, n) -> the frames (B, C, F, m) now complete."""
        self.length += audio.shape[-1]
        self.buffer = audio if self.buffer is None else torch.cat([self.buffer, audio], -1)
        if not self.started:
            if self.buffer.shape[-1] <= self.half:
                return self._frames(self.buffer[..., :0])[0]
            reflection = self.buffer[..., 1 : self.half + 1].flip(-1)  # torch's reflect pad
            self.buffer, self.started = torch.cat([reflection, self.buffer], -1), True
        frames, self.buffer = self._frames(self.buffer)
        return frames

    def finish(self) -> torch.Tensor:
        """The last frames, over the end's reflection padding."""
        if not self.started:
            raise ValueError(
                f"a stream of {self.length} samples is too short for an STFT of {self.n_fft}: "
                f"it needs more than {self.half}"
            )
        ending = self.buffer[..., -self.half - 1 : -1].flip(-1)
        frames, self.buffer = self._frames(torch.cat([self.buffer, ending], -1))
        return frames


class StreamingISTFT:
    """torch.istft(center=True, length) as frames arrive; samples leave once final."""

    def __init__(self, domain):
        self.domain, self.n_fft, self.hop = domain, domain.n_fft, domain.hop_length
        self.sum: torch.Tensor | None = None  # (B, C, n) windowed overlap-add, from `offset`
        self.envelope: torch.Tensor | None = None  # (n,) overlap-add of window²
        self.offset, self.frames, self.emitted = 0, 0, 0  # padded index of sum[0], frames in

    def push(self, spec: torch.Tensor, final: bool = False, length: int = 0) -> torch.Tensor:
        """Frames (B, C, F, m) -> the audio (B, C, k) now final (all of it when `final`,
        cut to `length` samples in all)."""
        window = self.domain._window(spec.real)  # (n_fft,)
        count = spec.shape[-1]
        if self.sum is None:
            self.sum = spec.real.new_zeros(*spec.shape[:2], 0)
            self.envelope = window.new_zeros(0)
        if count:
            pieces = torch.fft.irfft(spec.movedim(-1, 2), n=self.n_fft) * window  # (B, C, m, N)
            end = (self.frames + count - 1) * self.hop + self.n_fft  # padded index past the last
            grow = end - self.offset - self.sum.shape[-1]
            self.sum = F.pad(self.sum, (0, max(0, grow)))
            self.envelope = F.pad(self.envelope, (0, max(0, grow)))
            for i in range(count):  # overlap-add; m is a few frames per call
                start = (self.frames + i) * self.hop - self.offset
                self.sum[..., start : start + self.n_fft] += pieces[..., i, :]
                self.envelope[start : start + self.n_fft] += window.square()
            self.frames += count
        ready = self.sum.shape[-1] if final else max(0, self.frames * self.hop - self.offset)
        return self._release(ready, length if final else None)

    def _release(self, ready: int, length: int | None) -> torch.Tensor:
        """Divide and hand out the first `ready` buffered samples, past the centre padding."""
        out = self.sum[..., :ready] / self.envelope[:ready].clamp(min=1e-11)
        skip = max(0, self.n_fft // 2 - self.offset)  # torch.istft drops n_fft/2 at the start
        self.sum, self.envelope = self.sum[..., ready:], self.envelope[ready:]
        self.offset += ready
        out = out[..., skip:]
        if length is not None:
            out = out[..., : max(0, length - self.emitted)]
        self.emitted += out.shape[-1]
        return out


class RefinerStream:
    """Refine a stream with a trained refiner: push() blocks, then finish().

    Args:
        refiner: a Refiner whose step network has causal normalisation.
        steps: refinement steps (default: the trained T).
        eta: constant step fraction (default: the trained schedule, then past_decay^k past T).
    """

    def __init__(self, refiner: Refiner, steps: int | None = None, eta: float | None = None):
        net = refiner.step_net
        if refiner.recurrent or getattr(net, "normalisation", None) != "causal":
            raise ValueError(
                "streaming needs a step network with causal normalisation "
                "(model.normalisation=causal); this one sees its whole input"
            )
        if getattr(net.backbone, "bidirectional", False):
            raise ValueError(
                "streaming needs a backbone that reads no further than the chunk at hand; "
                "this one is bidirectional (model.bidirectional=true) and reads the whole input"
            )
        self.refiner, self.eta = refiner, eta
        self.steps = refiner.steps if steps is None else steps
        self.stride = net.backbone.total_stride
        self.domain = refiner.domain
        self.waveform = isinstance(self.domain, Waveform)
        if not self.waveform:
            self.stft, self.istft = StreamingSTFT(self.domain), StreamingISTFT(self.domain)
        self.pending: torch.Tensor | None = None  # noisy frames not yet refined (B, C, F, m)
        self.states: list = [None] * self.steps
        self.length = 0
        # A content model is told what the refiner is told as the stream starts (content_is).
        self.content = refiner.told_content

    @property
    def latency(self) -> int:
        """Samples between an input sample's arrival and its output's release (worst case)."""
        if self.waveform:
            return self.stride - 1
        return (self.stride - 1) * self.domain.hop_length + self.domain.n_fft - 1

    @torch.no_grad()
    def _refine(self, frames: torch.Tensor, last: bool) -> torch.Tensor:
        """Noisy frames (B, C, [F,] m) through all steps -> refined frames."""
        if frames.shape[-1] == 0:
            return frames
        x = frames if self.waveform else self.domain.features(frames)  # (B, K, m)
        observation = x
        for t in range(1, self.steps + 1):
            conditioning = self.refiner._conditioning(t, x.shape[0], x, self.eta)
            update, self.states[t - 1] = self.refiner.step_net.stream(
                x, conditioning, self.states[t - 1], last=last, content=self.content
            )
            x = self.refiner.apply(x, update, t, self.eta, observation)
        return x if self.waveform else self.domain.spectrum(x, frames)

    def _chunks(self, frames: torch.Tensor, last: bool) -> torch.Tensor:
        """Refine whole multiples of S frames now; keep the rest (all of it when last)."""
        self.pending = frames if self.pending is None else torch.cat([self.pending, frames], -1)
        ready = (
            self.pending.shape[-1] if last else self.pending.shape[-1] // self.stride * self.stride
        )
        now, self.pending = self.pending[..., :ready], self.pending[..., ready:]
        return self._refine(now, last)

    def push(self, audio: torch.Tensor) -> torch.Tensor:
        """(B, C, n) noisy audio -> (B, C, k) refined audio now final."""
        self.length += audio.shape[-1]
        if self.waveform:
            return self._chunks(audio, last=False)
        return self.istft.push(self._chunks(self.stft.push(audio), last=False))

    def finish(self) -> torch.Tensor:
        """The rest of the refined audio at the end of the stream."""
        if self.waveform:
            return self._chunks(audio_like(self.pending), last=True)
        refined = self._chunks(self.stft.finish(), last=True)
        return self.istft.push(refined, final=True, length=self.length)


def audio_like(pending: torch.Tensor | None) -> torch.Tensor:
    """An empty block to flush the waveform pipeline with."""
    return pending[..., :0] if pending is not None else torch.zeros(1, 1, 0)
