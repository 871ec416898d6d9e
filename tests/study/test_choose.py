from refine.study.choose import best_step, calibrate_tolerance, knee_step, step_within_rtf

CURVE = [0.0, 2.0, 5.0, 7.6, 7.9, 8.0, 7.0]


def test_best_and_knee():
    assert best_step(CURVE) == 5
    assert knee_step(CURVE, delta_db=0.5) == 3  # 7.6 >= 8.0 - 0.5
    assert knee_step(CURVE, delta_db=0.0) == 5
    assert best_step([1.0, 3.0, 3.0]) == 1  # earliest on ties


def test_the_rtf_limit_limits_the_steps_that_can_be_run():
    assert step_within_rtf(CURVE, rtf_per_step=0.01, rtf_limit=0.035) == 3
    assert step_within_rtf(CURVE, rtf_per_step=0.01, rtf_limit=1.0) == 5
    assert step_within_rtf(CURVE, rtf_per_step=0.5, rtf_limit=0.1) == 0


def test_tolerance_is_the_cheapest_within_delta_of_the_best_fixed_count():
    runs = [
        {"tol": 1e-2, "mean_steps": 3.0, "si_sdr": 6.0},  # too poor
        {"tol": 3e-3, "mean_steps": 4.5, "si_sdr": 7.7},  # good enough, cheapest
        {"tol": 1e-3, "mean_steps": 6.0, "si_sdr": 8.0},
    ]
    chosen = calibrate_tolerance(runs, best_fixed_quality=8.0, best_fixed_steps=5, delta_db=0.5)
    assert chosen == {"tol": 3e-3, "mean_steps": 4.5, "si_sdr": 7.7, "steps_saved": 0.5}
    assert calibrate_tolerance(runs, 10.0, 5, 0.5)["tol"] is None


def test_steps_without_a_finite_mean_are_never_chosen():
    curve = [5.0, 9.0, 12.0, -40.0, None, None]  # a refinement that diverged past T
    assert best_step(curve) == 2
    assert knee_step(curve, 0.5) == 2
    assert step_within_rtf(curve, rtf_per_step=0.01, rtf_limit=1.0) == 2
    runs = [{"tol": 0.01, "mean_steps": 3.0, "si_sdr": None}]
    assert calibrate_tolerance(runs, 12.0, 2, 0.5)["tol"] is None
