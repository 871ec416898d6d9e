import pytest
import torch

from refine.process.schedules import make_schedule, removed_fractions, step_fractions

NAMES = ["quadratic", "linear", "cosine", "power"]


@pytest.mark.parametrize("name", NAMES)
def test_schedules_run_from_nothing_removed_to_everything(name):
    fractions = removed_fractions(make_schedule(name, p=3.0), 8)
    assert fractions[0] == 0 and fractions[-1] == 1
    assert (fractions.diff() > 0).all()


def test_quadratic_is_the_seed_schedule():
    steps = 10
    t = torch.arange(steps + 1, dtype=torch.float64)
    torch.testing.assert_close(removed_fractions(make_schedule("quadratic"), steps), t**2 / 100)
    expected_eta = (2 * t[1:] - 1) / (steps**2 - (t[1:] - 1) ** 2)  # design.md's formula
    torch.testing.assert_close(step_fractions(make_schedule("quadratic"), steps), expected_eta)


@pytest.mark.parametrize("name", NAMES)
def test_step_fractions_end_by_removing_all_that_is_left(name):
    etas = step_fractions(make_schedule(name), 6)
    assert etas[-1] == 1 and ((etas > 0) & (etas <= 1)).all()


def test_bad_schedules_are_refused():
    with pytest.raises(ValueError, match="unknown schedule"):
        make_schedule("exponential")
    with pytest.raises(ValueError, match="p > 0"):
        make_schedule("power", p=0)
    with pytest.raises(ValueError, match="never put noise back"):
        removed_fractions(lambda u: torch.sin(3 * u), 8)
    with pytest.raises(ValueError, match=">= 1"):
        removed_fractions(make_schedule("linear"), 0)
