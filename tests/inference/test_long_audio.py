"""Chunked refinement: the cross-fade sums to one, blocks of any size give the same output,
a recording within one chunk is refined exactly as a whole."""

import pytest
import torch

from refine.cli.train import refiner_spec
from refine.inference.long_audio import ChunkedRefiner, crossfade_ramp
from refine.process.build import build_refiner
from refine.process.refiner import RefineResult
from tests.train.test_train import tiny_config


class PointwiseRefiner:
    """A refiner without context (each sample on its own): chunking must change nothing."""

    def refine(self, noisy, steps=3, return_trajectory=False, **_):
        path = [noisy * 0.5**t + 0.1 * t for t in range(steps + 1)]
        batch = noisy.shape[0]
        steps_taken = torch.full((batch,), steps)
        return RefineResult(path[-1], steps_taken, None, None, path[-1], trajectory=path)


def run(chunker: ChunkedRefiner, audio: torch.Tensor, block: int) -> torch.Tensor:
    out = [
        o for i in range(0, audio.shape[-1], block) for o in chunker.push(audio[:, i : i + block])
    ]
    return torch.cat(out + list(chunker.finish()), -1)


def test_the_ramps_sum_to_one():
    ramp = crossfade_ramp(100)
    assert torch.allclose(ramp + ramp.flip(0), torch.ones(100))


@pytest.mark.parametrize("length", [1, 999, 1000, 1001, 4321])
@pytest.mark.parametrize("chunk, overlap", [(1000, 100), (400, 399), (300, 1)])
def test_a_context_free_refiner_is_unchanged_by_chunking(length, chunk, overlap):
    audio = torch.randn(2, length)
    expected = torch.stack([audio * 0.5**t + 0.1 * t for t in range(4)])  # (S, C, T)
    chunker = ChunkedRefiner(PointwiseRefiner(), chunk, overlap, keep_steps=True)
    assert torch.allclose(run(chunker, audio, 333), expected, atol=1e-6)


def refiner():
    torch.manual_seed(0)
    model = build_refiner(refiner_spec(tiny_config())).eval()
    torch.nn.init.normal_(model.step_net.lower.weight, std=0.05)  # not the identity
    return model


def test_block_sizes_do_not_change_the_output_and_one_chunk_is_the_whole():
    model, audio = refiner(), torch.randn(2, 5000)
    a = run(ChunkedRefiner(model, 2000, 500), audio, 100)
    b = run(ChunkedRefiner(model, 2000, 500), audio, 5000)
    assert a.shape == (1, 2, 5000)
    torch.testing.assert_close(a, b, rtol=0, atol=1e-6)  # kernels may differ by buffer shape
    whole = model.refine(audio[:, None]).output[:, 0]  # (C, T)
    one_chunk = run(ChunkedRefiner(model, 5000, 500), audio, 700)[0]
    torch.testing.assert_close(one_chunk, whole, rtol=0, atol=1e-6)


def test_short_recordings_are_padded_for_the_model_and_cropped_back():
    out = run(ChunkedRefiner(refiner(), 2000, 500), torch.randn(1, 3), 3)
    assert out.shape == (1, 1, 3) and torch.isfinite(out).all()
