"""Streaming refinement: blocks of any size give the offline result in every domain, the
latency is what RefinerStream.latency says, and the STFT pair matches torch's."""

import pytest
import torch

from refine.cli.train import refiner_spec
from refine.inference.streaming import RefinerStream, StreamingISTFT, StreamingSTFT
from refine.process.build import build_refiner
from refine.process.domains import ComplexSTFT
from tests.train.test_train import tiny_config

BLOCKS = [1, 7, 100, 513, 64, 3]


def streaming_refiner(
    domain: str, causal=True, steps=3, bin_gate=False, output_norm=False, content=False
):
    torch.manual_seed(0)
    cfg = tiny_config(
        f"model.content={str(content).lower()}",
        f"model.output_norm={str(output_norm).lower()}",
        f"domain={domain}",
        f"model.bin_gate={str(bin_gate).lower()}",
        "model.normalisation=causal",
        f"model.causal={str(causal).lower()}",
        f"model.steps={steps}",
        "model.n_layers=2",
    )
    refiner = build_refiner(refiner_spec(cfg)).eval()
    torch.nn.init.normal_(refiner.step_net.lower.weight, std=0.1)  # not the identity
    return refiner


def blocks(length: int):
    start, k = 0, 0
    while start < length:
        yield start, min(length, start + BLOCKS[k % len(BLOCKS)])
        start, k = start + BLOCKS[k % len(BLOCKS)], k + 1


@pytest.mark.parametrize("domain", ["waveform", "stft_complex", "stft_magnitude"])
@pytest.mark.parametrize("causal", [True, False])
def test_a_stream_in_blocks_of_any_size_equals_the_offline_refinement(domain, causal):
    refiner = streaming_refiner(domain, causal, bin_gate=domain == "stft_magnitude")
    audio = torch.randn(2, 1, 3001)
    stream = RefinerStream(refiner)
    out = [stream.push(audio[..., a:b]) for a, b in blocks(3001)] + [stream.finish()]
    torch.testing.assert_close(torch.cat(out, -1), refiner.refine(audio).output, atol=1e-5, rtol=0)


def test_a_step_network_with_an_output_norm_streams_exactly():
    refiner = streaming_refiner("stft_complex", bin_gate=True, output_norm=True)
    assert refiner.step_net.output_norm is not None
    audio = torch.randn(2, 1, 3001)
    stream = RefinerStream(refiner)
    out = [stream.push(audio[..., a:b]) for a, b in blocks(3001)] + [stream.finish()]
    torch.testing.assert_close(torch.cat(out, -1), refiner.refine(audio).output, atol=1e-5, rtol=0)


def test_a_content_model_streams_what_the_refiner_is_told_as_the_stream_starts():
    refiner = streaming_refiner("stft_magnitude", bin_gate=True, content=True)
    torch.nn.init.normal_(refiner.step_net.content.weight, std=0.5)
    audio = torch.randn(2, 1, 3001)
    outputs = {}
    for content in ("music", None):
        with refiner.content_is(content):
            stream = RefinerStream(refiner)
            offline = refiner.refine(audio).output
        out = [stream.push(audio[..., a:b]) for a, b in blocks(3001)] + [stream.finish()]
        outputs[content] = torch.cat(out, -1)
        torch.testing.assert_close(outputs[content], offline, atol=1e-5, rtol=0)
    assert not torch.allclose(outputs["music"], outputs[None], atol=1e-3)


@pytest.mark.parametrize("domain, latency", [("waveform", 3), ("stft_complex", 3 * 128 + 511)])
def test_each_sample_leaves_within_the_stated_latency(domain, latency):
    stream = RefinerStream(streaming_refiner(domain, steps=2))
    assert stream.latency == latency
    delays, released = [], 0
    for i, sample in enumerate(torch.randn(1, 1, 2000).unbind(-1)):
        out = stream.push(sample[..., None])
        delays += [i - n for n in range(released, released + out.shape[-1])]
        released += out.shape[-1]
    assert max(delays) == latency


def test_the_streaming_stft_pair_matches_torch():
    domain, audio = ComplexSTFT(512, 128), torch.randn(2, 1, 2222)
    analysis = StreamingSTFT(domain)
    frames = torch.cat(
        [analysis.push(audio[..., a:b]) for a, b in blocks(2222)] + [analysis.finish()], -1
    )
    torch.testing.assert_close(frames, domain.stft(audio), atol=1e-4, rtol=1e-5)
    synthesis = StreamingISTFT(domain)
    pieces = [synthesis.push(frames[..., i : i + 3]) for i in range(0, frames.shape[-1] - 3, 3)]
    pieces.append(synthesis.push(frames[..., len(pieces) * 3 :], final=True, length=2222))
    torch.testing.assert_close(torch.cat(pieces, -1), domain.istft(frames, 2222), atol=1e-5, rtol=0)


def test_networks_that_see_the_whole_input_are_refused():
    clip = build_refiner(refiner_spec(tiny_config()))
    with pytest.raises(ValueError, match="model.normalisation=causal"):
        RefinerStream(clip)
    with pytest.raises(ValueError, match="the clip RMS sees the future"):
        clip.step_net.stream(torch.randn(1, clip.step_net.channels, 8))


def test_a_bidirectional_backbone_is_refused():
    cfg = tiny_config("model.normalisation=causal", "model.bidirectional=true")
    with pytest.raises(ValueError, match="bidirectional"):
        RefinerStream(build_refiner(refiner_spec(cfg)))
