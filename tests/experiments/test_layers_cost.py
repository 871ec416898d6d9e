"""experiments/pretrained/layers_cost.py: each layers.sh arm against its control on the measures
its readings name, variant by variant and seed by seed, in a table and a figure."""

from pathlib import Path

import numpy as np

from tests.experiments import load_script
from tests.experiments.test_paired import write_records

CLIPS = range(5)


def write_test(folder: Path, sets: dict[str, float], irm: bool) -> None:
    """Records of `sets` ({set: gain of every clip}) under folder, with the oracle's if `irm`."""
    for name, gain in sets.items():
        write_records(folder / name / "model", {clip: gain for clip in CLIPS})
        if irm:
            write_records(folder / name / "irm", {clip: 10.0 for clip in CLIPS})


def write_run(folder: Path, babble: float, white: float, irm: bool = False) -> None:
    write_test(folder / "real_noise", {"speech_babble": babble, "music_typing": 5.0}, irm)
    write_test(folder / "real", {"speech_white": white, "music_white": white - 1}, irm)
    write_test(folder / "held_in_music", {"music_pink": white}, irm)


def test_each_measure_reads_its_own_sets_and_a_variant_without_records_is_left_out(tmp_path):
    cost = load_script("pretrained/layers_cost.py")
    for seed in cost.SEEDS:
        write_run(tmp_path / "controls" / f"arm_seed{seed}", babble=1.0, white=8.0, irm=True)
        write_run(tmp_path / "low" / f"arm_seed{seed}", babble=1.3, white=7.5)
    variants = [("low", tmp_path / "low", "a tenth"), ("over", tmp_path / "over", "recorded")]
    found = cost.measured(variants, tmp_path / "controls", steps=1)
    assert {row[0] for row in found} == {"low"}
    by_measure = {measure: values for _, _, seed, measure, values in found if seed == 19}
    np.testing.assert_allclose(by_measure["speech under held-out babble"], 0.3)
    held_out = by_measure["held-out real noise, all 22"]  # babble +0.3 and typing level
    np.testing.assert_allclose(np.sort(held_out), [0] * 5 + [0.3] * 5, atol=1e-12)
    np.testing.assert_allclose(by_measure["of which music"], -0.5)
    assert len(by_measure["white and pink, real recordings"]) == 10
    table = cost.table(found)
    assert "| low | a tenth | 19 | +0.30 [+0.30, +0.30] |" in table
    cost.plot(found, tmp_path / "cost.png")
    assert (tmp_path / "cost.png").stat().st_size > 10_000
