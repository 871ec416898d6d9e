"""The settling measures: the worst drop below the running best past T, the share of clips
settled by 4T, and each tolerance's saving against the fixed count within δ of the best."""

import math

import numpy as np
import pytest

from refine.study.settling import settling, stopping, update_statistics, worst_drop


def test_the_worst_drop_is_measured_from_the_best_step_so_far_and_only_past_t():
    assert worst_drop([0.0, 5.0, 9.0, 10.0, 9.95, 10.2, 10.1], trained_steps=3) == pytest.approx(
        0.1
    )
    assert worst_drop([0.0, 5.0, 4.0, 6.0], trained_steps=1) == pytest.approx(1.0)  # t = 2
    assert worst_drop([0.0, 5.0, 6.0, 7.0], trained_steps=1) == 0.0  # rising: no drop
    assert worst_drop([0.0, 5.0, None], trained_steps=1) == math.inf  # a collapsed mean
    assert worst_drop([0.0, 5.0], trained_steps=1) is None  # nothing past T recorded


def test_update_statistics_read_4t_and_the_last_step():
    norms = np.full((10, 4), np.nan)
    norms[1:] = 0.01
    norms[8] = [1e-4, 5e-4, 2e-3, 1e-5]  # t = 4T for T = 2
    norms[9] = 1e-5
    stats = update_statistics(norms, trained_steps=2)
    assert stats["step"] == 8 and stats["share_settled"] == 0.75
    assert stats["median_update"] == pytest.approx(3e-4)
    assert stats["median_update_at_last_step"] == pytest.approx(1e-5)
    assert update_statistics(norms[:5], trained_steps=2)["step"] == 4  # fewer steps run


def test_a_tolerance_saves_against_the_first_fixed_count_within_delta_of_the_best():
    curve = [0.0, 6.0, 9.0, 9.8, 9.95, 10.0, 10.0]  # within 0.1 dB of the best from t = 4
    runs = [{"tol": 1e-3, "mean_steps": 3.0, "converged": 1.0, "si_sdr": 9.93, "diverged": 0}]
    (row,) = stopping(runs, curve, delta_db=0.1)
    assert row["fixed_steps"] == 4 and row["saving"] == pytest.approx(0.25)
    assert row["loss_db"] == pytest.approx(0.07)
    summary = settling(curve, np.full((7, 2), 1e-4), runs, trained_steps=3)
    assert summary["guard_fired"] == 0 and summary["worst_drop_past_T_db"] == 0.0
    assert not summary["collapsed_past_T"]
