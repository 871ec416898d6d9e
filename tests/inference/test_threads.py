"""refine.inference.threads: the thread count a probe runs quicker with, all cores or one,
chosen on a clock the test controls, and refine-denoise --threads auto end to end."""

import numpy as np
import pytest
import soundfile as sf
import torch

from refine.cli.denoise import main
from refine.inference.enhance import load_model
from refine.inference.threads import MARGIN, denoising_probe, quicker_threads


@pytest.fixture(autouse=True)
def keep_threads():
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


def probe_on_clock(seconds_with: dict[int, float]):
    """A probe that takes seconds_with[threads] on a fake clock, by torch's thread count."""
    now = [0.0]
    calls = []

    def probe():
        calls.append(torch.get_num_threads())
        now[0] += seconds_with[torch.get_num_threads()]

    return probe, lambda: now[0], calls


@pytest.mark.parametrize(
    ("with_most", "with_one", "chosen"),
    [
        (0.010, 0.030, 4),  # cores free: all of them
        (0.060, 0.015, 1),  # another program on a core: one thread
        (0.010, 0.010 / MARGIN * 1.01, 4),  # one barely quicker: not enough to give up cores
    ],
)
def test_the_quicker_count_is_set_and_returned(with_most, with_one, chosen):
    probe, clock, calls = probe_on_clock({4: with_most, 1: with_one})
    got, seconds = quicker_threads(probe, 4, repeats=2, clock=clock)
    assert got == chosen and torch.get_num_threads() == chosen
    assert seconds == pytest.approx({4: with_most, 1: with_one})
    assert calls == [4, 4, 4, 1, 1, 1]  # a warm-up and two timed runs each


def test_one_core_is_not_timed():
    probe, clock, calls = probe_on_clock({1: 1.0})
    assert quicker_threads(probe, 1, clock=clock) == (1, {})
    assert calls == [] and torch.get_num_threads() == 1


def test_the_probe_is_one_step_of_the_model():
    model = load_model()
    probe = denoising_probe(model, seconds=0.5)
    out = probe()
    assert out.shape == (1, model.sample_rate // 2) and torch.isfinite(out).all()


@pytest.mark.parametrize("threads", [[], ["--threads", "auto"]])
def test_refine_denoise_chooses_its_threads_by_default_and_says_so(threads, tmp_path, capsys):
    rng = np.random.default_rng(0)
    sf.write(tmp_path / "in.wav", 0.1 * rng.standard_normal(8000).astype(np.float32), 16000)
    with pytest.raises(SystemExit) as exit_:
        main([str(tmp_path / "in.wav"), "-o", str(tmp_path / "out"), *threads])
    assert exit_.value.code == 0 and (tmp_path / "out" / "in.wav").is_file()
    assert "threads: " in capsys.readouterr().err


def test_refine_denoise_takes_a_thread_count_as_given(tmp_path, capsys):
    rng = np.random.default_rng(0)
    sf.write(tmp_path / "in.wav", 0.1 * rng.standard_normal(8000).astype(np.float32), 16000)
    with pytest.raises(SystemExit) as exit_:
        main([str(tmp_path / "in.wav"), "-o", str(tmp_path / "out"), "--threads", "1"])
    assert exit_.value.code == 0 and torch.get_num_threads() == 1
    assert "threads: " not in capsys.readouterr().err


@pytest.mark.parametrize("bad", ["0", "-2", "many"])
def test_refine_denoise_refuses_other_thread_counts(bad, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["in.wav", "-o", str(tmp_path), "--threads", bad])
    assert exit_.value.code == 2
    assert "a positive number of threads or auto" in capsys.readouterr().err
