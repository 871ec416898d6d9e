"""refine.study.report's overlay row: a run's numbers at its trained T, read from records
whose buckets are optional (load_per_step accepts a step without them)."""

from pathlib import Path

from refine.study.records import EvalRun
from refine.study.report import overlay_row


def test_a_step_without_buckets_gives_no_gain_for_them_instead_of_failing():
    records = [
        {"si_sdr": 1.0, "buckets": {"0dB": {"si_sdr": -1.0, "n": 4}}},
        {"si_sdr": 2.5},  # this step recorded no buckets
        {"si_sdr": 3.0, "buckets": {"0dB": {"si_sdr": 2.0, "n": 4}}},
    ]
    run = EvalRun(Path("eval"), records, {"trained_steps": 2})
    row = overlay_row("run", run)
    assert row["si_sdr_gain_at_T"] == 2.0 and row["si_sdr_gain_at_T_0dB"] == 3.0
    assert row["best_step"] == 2
    late = overlay_row("run", EvalRun(Path("eval"), records, {"trained_steps": 1}))
    assert late["si_sdr_gain_at_T"] == 1.5 and late["si_sdr_gain_at_T_0dB"] is None
