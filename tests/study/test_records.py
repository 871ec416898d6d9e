"""refine.study.records: how values are stored in per_step.json and per_clip.csv."""

import math

import pytest

from refine.study.records import finite


@pytest.mark.parametrize(
    "value, stored",
    [
        (12.345678, 12.3457),  # dB: four decimals
        (-3.14159265, -3.1416),
        (0.0123456, 0.0123),
        (1.23456e-6, 1.23e-6),  # a converged update's norm keeps its size, not 0
        (-4.5678e-3, -4.57e-3),
        (0.0, 0.0),
    ],
)
def test_values_keep_four_decimals_or_three_significant_figures(value, stored):
    assert finite(value) == pytest.approx(stored, rel=1e-9, abs=0)


def test_what_json_cannot_hold_is_null():
    assert finite(math.nan) is None and finite(math.inf) is None and finite(None) is None
