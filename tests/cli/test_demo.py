"""refine.cli.demo (`make demo`): a small LRU_UNet's stage shapes, speed and exact streaming of
its causal variant, and one line for settings it cannot run."""

import re

import pytest

from refine.cli import demo

SMALL = ["--seconds", "0.05", "--batch", "1", "--d-model", "4", "--d-state", "4"]


def test_it_prints_every_stage_and_streams_the_causal_variant_exactly(capsys):
    demo.main([*SMALL, "--n-layers", "2", "--factor", "2"])
    printed = capsys.readouterr().out
    assert "total stride 4" in printed
    assert "input: 1 clips of 0.05 s at 16000 Hz -> (1, 1, 800) (B, C, T)" in printed
    assert "encoder 2: downsample" in printed and "decoder 2: LRU block" in printed
    gap = float(re.search(r"max \|stream - offline\| = (\S+);", printed).group(1))
    assert gap < 1e-4  # streaming is the offline network, chunk by chunk


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--d-model", "0"], "--d-model must be >= 1, got 0"),
        (["--sample-rate", "0"], "--sample-rate must be >= 1, got 0"),
        (["--factor", "0"], "--factor must be >= 1, got 0"),
        (["--seconds", "0.0001"], "is 2 samples, fewer than the network's total stride"),
        (["--seconds", "inf"], "is 0 samples"),
    ],
)
def test_settings_it_cannot_run_end_in_one_line(capsys, flags, message):
    with pytest.raises(SystemExit) as exit_:
        demo.main(flags)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
