"""experiments/pretrained/scratch_slope.py: training from scratch run by run, each doubling's
gain in shares of the oracle, and where the series goes if the gains hold or shrink."""

import csv
import math
import subprocess
import sys
from pathlib import Path

import pytest

from tests.experiments import EXPERIMENTS, load_script

FIELDS = ("clip", "input_snr_db", "noise_kind", "step", "snr", "si_sdr", "seg_snr", "update_norm")
SETS = ("speech_babble", "music_typing")


def write_records(folder: Path, gain: float, steps: int) -> None:
    """A per_clip.csv of four clips at 0 dB, SI-SDR 1 dB at step 0 rising to 1 + gain at
    `steps` (gain ± 0.1 from clip to clip)."""
    folder.mkdir(parents=True)
    with open(folder / "per_clip.csv", "w", newline="") as file:
        writer = csv.DictWriter(file, FIELDS)
        writer.writeheader()
        for clip, spread in enumerate((-0.1, 0.0, 0.0, 0.1)):
            for step in range(steps + 1):
                value = 1.0 + (gain + spread) * step / steps
                levels = dict(snr=value, si_sdr=value, seg_snr=value, update_norm="")
                place = dict(clip=clip, input_snr_db=0.0, noise_kind="x", step=step)
                writer.writerow(place | levels)


def write_run(folder: Path, gain: float) -> Path:
    """A run's held-out records: every set's model `gain` dB at step 4, the oracle's 10 dB."""
    for name in SETS:
        write_records(folder / name / "model", gain, 4)
        write_records(folder / name / "irm", 10.0, 1)
    return folder


def run_slope(*args: str) -> subprocess.CompletedProcess:
    script = EXPERIMENTS / "pretrained/scratch_slope.py"
    return subprocess.run([sys.executable, script, *args], capture_output=True, text=True)


@pytest.fixture
def three_doublings(tmp_path):
    """3000 steps at 20 % of the oracle, then 30 %, 38 % (gains of 10 and 8 points, a ratio of
    0.8), and a shipped model at 45 %."""
    write_run(tmp_path / "first", 2.0)
    write_run(tmp_path / "longer/6000/real_noise", 3.0)
    write_run(tmp_path / "longer/12000/real_noise", 3.8)
    (tmp_path / "longer/notes").mkdir()  # not a run: left out
    write_run(tmp_path / "shipped", 4.5)
    return tmp_path


def test_each_run_has_its_share_and_each_doubling_its_gain(three_doublings):
    slope = load_script("pretrained/scratch_slope.py")
    series = slope.runs((3000, three_doublings / "first"), three_doublings / "longer")
    assert [steps for steps, _ in series] == [3000, 6000, 12000]
    table = slope.doublings(series)
    assert [row["share"] for row in table] == pytest.approx([0.20, 0.30, 0.38])
    gain, low, high = table[2]["points"]
    assert gain == pytest.approx(0.08) and low <= gain <= high
    assert table[1]["db"][0] == pytest.approx(1.0)  # 3.0 − 2.0 dB on every clip
    assert "points" not in table[0]


def test_the_projections_hold_the_last_gain_or_shrink_it_by_the_last_ratio(three_doublings):
    slope = load_script("pretrained/scratch_slope.py")
    series = slope.runs((3000, three_doublings / "first"), three_doublings / "longer")
    table = slope.doublings(series)
    ahead = slope.projections(table, limit=3)
    assert ahead["ratio"] == pytest.approx(0.8)
    assert [s for s, _ in ahead["held"]] == [12000, 24000, 48000, 96000]
    assert [v for _, v in ahead["held"]] == pytest.approx([0.38, 0.46, 0.54, 0.62])
    assert [v for _, v in ahead["shrinking"]] == pytest.approx([0.38, 0.444, 0.4952, 0.53616])
    assert ahead["limit"] == pytest.approx(0.38 + 0.08 * 0.8 / 0.2)  # 70 %
    # the target, 12 points above the last run at 8 a doubling: 1.5 doublings on
    assert slope.steps_to_reach(0.50, table[-1], 0.08) == pytest.approx(12000 * 2**1.5)
    assert slope.steps_to_reach(0.30, table[-1], 0.08) == 12000  # already past it
    assert math.isinf(slope.steps_to_reach(0.50, table[-1], 0.0))


def test_the_table_and_the_figure_are_written(three_doublings):
    out = three_doublings / "figures/slope"
    done = run_slope(
        f"--out={out}",
        f"--first={three_doublings / 'first'}",
        f"--longer={three_doublings / 'longer'}",
        f"--shipped={three_doublings / 'shipped'}",
    )
    assert done.returncode == 0, done.stderr
    text = out.with_suffix(".md").read_text()
    assert text == done.stdout
    assert "| 12000 | 38.0 % | +8.0 [" in text
    assert "The shipped lineage: 45.0 %" in text
    assert "the target at 33,941" in text  # 12000 · 2^1.5
    assert "the series ends at 70.0 %" in text
    assert out.with_suffix(".png").stat().st_size > 10_000  # a drawn figure


def test_no_runs_is_a_clear_error(tmp_path):
    (tmp_path / "longer").mkdir()
    done = run_slope(
        f"--out={tmp_path / 'slope'}",
        f"--first={write_run(tmp_path / 'first', 2.0)}",
        f"--longer={tmp_path / 'longer'}",
    )
    assert done.returncode != 0
    assert "no runs of scratch_length.sh" in done.stderr and "Traceback" not in done.stderr
