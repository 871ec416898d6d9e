"""experiments/pretrained/paired.py: two models' gains on the same clips, per condition and
over all, as paired differences with bootstrap intervals, in a table and a forest plot."""

import csv
import subprocess
import sys

import numpy as np
import pytest

from tests.experiments import EXPERIMENTS, load_script

FIELDS = ("clip", "input_snr_db", "noise_kind", "step", "snr", "si_sdr", "seg_snr", "update_norm")


def write_records(folder, gains: dict[int, float]) -> None:
    """A per_clip.csv of clips at 0 dB: SI-SDR 1 dB at step 0, 1 + gain at step 1."""
    folder.mkdir(parents=True)
    with open(folder / "per_clip.csv", "w", newline="") as file:
        writer = csv.DictWriter(file, FIELDS)
        writer.writeheader()
        for clip, gain in gains.items():
            for step, value in ((0, 1.0), (1, 1.0 + gain)):
                levels = dict(snr=value, si_sdr=value, seg_snr=value, update_norm="")
                writer.writerow(
                    dict(clip=clip, input_snr_db=0.0, noise_kind="x", step=step) | levels
                )


@pytest.fixture
def two_models(tmp_path):
    clips = range(6)
    write_records(tmp_path / "a/speech_babble/irm", {c: 10.0 for c in clips})
    write_records(tmp_path / "a/speech_babble/model", {c: 2.0 + 0.2 * c for c in clips})
    write_records(tmp_path / "b/speech_babble/model", {c: 2.5 + 0.2 * c for c in clips})
    return tmp_path / "a", tmp_path / "b"


def test_the_difference_is_per_clip_with_shares_of_the_oracle(two_models):
    rows, every = load_script("pretrained/paired.py").paired_rows(*two_models, 1)
    [(name, bucket, share_a, share_b, ceiling, difference)] = rows
    assert (name, bucket, ceiling) == ("speech_babble", "0dB", pytest.approx(10.0))
    np.testing.assert_allclose(difference, 0.5)  # B gains 0.5 dB more on every clip
    assert share_a == pytest.approx(0.25) and share_b == pytest.approx(0.30)
    np.testing.assert_allclose(every, difference)


def test_the_table_and_the_forest_plot_are_written(two_models, tmp_path):
    script = EXPERIMENTS / "pretrained/paired.py"
    plot = tmp_path / "differences.png"
    done = subprocess.run(
        [sys.executable, script, *map(str, two_models), "--steps", "1", "--plot", str(plot)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "| speech_babble | 0 dB | 25% | 30% | +0.50 [+0.50, +0.50] |" in done.stdout
    assert plot.stat().st_size > 10_000  # a drawn figure, not an empty file


def test_the_share_gain_is_the_mean_over_conditions_with_an_interval(two_models, tmp_path):
    paired = load_script("pretrained/paired.py")
    rows, _ = paired.paired_rows(*two_models, 1)
    assert paired.share_gain(rows) == pytest.approx((0.05, 0.05, 0.05))  # 0.5 dB of 10 on each
    spread = [(*row[:5], row[5] + np.array([-1.0, 1.0, 0, 0, 0, 0])) for row in rows]
    gain, low, high = paired.share_gain(spread)
    assert gain == pytest.approx(0.05) and low < 0.05 < high  # clips that differ spread it
    script = EXPERIMENTS / "pretrained/paired.py"
    done = subprocess.run(
        [sys.executable, script, *map(str, two_models), "--steps", "1", "--share-gain"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "oracle's gain, mean over conditions: +5.0 points [+5.0, +5.0]" in done.stdout
