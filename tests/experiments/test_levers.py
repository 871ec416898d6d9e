"""experiments/pretrained/levers.py: every arm of issue 19's paired studies against its
control on held-in recorded noise and on the held-out real noise, in a table and a figure."""

from pathlib import Path

import numpy as np

from tests.experiments import load_script
from tests.experiments.test_layers_cost import write_test


def write_run(folder: Path, held_in: float, held_out: float, music: bool = True, irm=False):
    """A run's records: held-in speech (and music) at `held_in` dB, held out at `held_out`."""
    write_test(folder / "held_in_synthetic", {"speech_babble": held_in}, irm)
    if music:
        write_test(folder / "music_noise", {"music_babble": held_in}, irm)
    write_test(folder / "real_noise", {"speech_babble": held_out, "music_typing": held_out}, irm)


def test_each_arm_is_paired_on_the_tests_it_has_and_seed_pairs_stay_out_of_the_correlations(
    tmp_path,
):
    levers = load_script("pretrained/levers.py")
    write_run(tmp_path / "control", held_in=1.0, held_out=1.0, irm=True)
    write_run(tmp_path / "up", held_in=1.5, held_out=1.2)
    write_run(tmp_path / "speech_only", held_in=1.1, held_out=0.9, music=False)
    write_run(tmp_path / "down", held_in=0.8, held_out=1.3)
    write_run(tmp_path / "seed", held_in=4.0, held_out=-2.0)
    arms = [
        ("up", "data", tmp_path / "up", tmp_path / "control"),
        ("speech only", "network", tmp_path / "speech_only", tmp_path / "control"),
        ("down", "data", tmp_path / "down", tmp_path / "control"),
        ("missing", "data", tmp_path / "missing", tmp_path / "control"),
    ]
    seeds = [("seeds", levers.SEEDS, tmp_path / "seed", tmp_path / "control")]
    found = levers.measured(arms + seeds, steps=1)
    assert [row[0] for row in found] == ["up", "speech only", "down", "seeds"]
    by_arm = {lever: (held_in, held_out) for lever, _, held_in, held_out in found}
    np.testing.assert_allclose(by_arm["up"][0], [0.5] * 10)  # speech and music, 5 clips each
    np.testing.assert_allclose(by_arm["speech only"][0], [0.1] * 5)
    np.testing.assert_allclose(by_arm["down"][1], [0.3] * 10)
    means = np.array([[0.5, 0.2], [0.1, -0.1], [-0.2, 0.3]])
    expected = levers.correlations(found[:3])
    assert levers.correlations(found) == expected  # the seed pair changes nothing
    np.testing.assert_allclose(expected["r"], np.corrcoef(means.T)[0, 1])
    np.testing.assert_allclose(expected["rank"], -0.5)  # ranks (2, 1, 0) against (1, 0, 2)
    table = levers.table(found)
    assert "| up | data | +0.50 [+0.50, +0.50] (10) | +0.20 [+0.20, +0.20] (10) |" in table
    assert "Over the 3 arms: held in, 2 with the interval above zero; held out, 2." in table
    levers.plot(found, tmp_path / "levers.png")
    assert (tmp_path / "levers.png").stat().st_size > 10_000
