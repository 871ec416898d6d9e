"""experiments/convergence/decay.py: the largest step decay ρ that holds on the validation
clips and on every set of every held-in test, whichever folder each was cached in."""

import json
import subprocess
import sys

from tests.experiments import EXPERIMENTS, load_script

decay = load_script("convergence/decay.py")


def summary(drop: float, settled: float = 1.0, past_decay: float | None = None) -> dict:
    record = {"settling": {"worst_drop_past_T_db": drop, "updates": {"share_settled": settled}}}
    if past_decay is not None:
        record |= {"past_decay": past_decay, "trained_steps": 1}
    return record


def write(path, record: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record))


def choice_folder(tmp_path, held_in: dict[float, dict[str, float]]):
    """validation_<ρ> holding everywhere, and each ρ's held-in drops by 'test/set'."""
    for rho, drops in held_in.items():
        write(tmp_path / f"validation_{rho}/summary.json", summary(0.0, past_decay=rho))
        write(tmp_path / f"validation_{rho}/per_step.json", [{"si_sdr": 1.0}, {"si_sdr": 2.0}])
        for name, drop in drops.items():
            write(tmp_path / f"held_in_{rho}/{name}/model/summary.json", summary(drop))
    return tmp_path


def test_rho_must_hold_on_every_held_in_test(tmp_path):
    folder = choice_folder(
        tmp_path,
        {
            0.3: {"music/music_white": 0.0, "real_choice/music_white": 0.02},
            0.5: {"music/music_white": 0.01, "real_choice/music_white": 0.05},
            0.7: {"music/music_white": 0.01, "real_choice/music_white": 0.3},  # slides
        },
    )
    rows = decay.validation_rows(folder)
    assert [r["holds"] for r in rows] == [True, True, False]
    assert decay.chosen(rows) == 0.5
    assert [r["held_in"] for r in rows] == [
        {"music": 0.0, "real_choice": 0.02},
        {"music": 0.01, "real_choice": 0.05},
        {"music": 0.01, "real_choice": 0.3},
    ]
    table = decay.table(rows)
    assert "music: worst drop (dB)" in table and "real_choice: worst drop (dB)" in table


def test_one_held_in_folder_of_sets_directly_is_read_as_before(tmp_path):
    folder = choice_folder(tmp_path, {0.3: {"music_white": 0.0}, 0.7: {"music_white": 0.2}})
    rows = decay.validation_rows(folder)
    assert decay.chosen(rows) == 0.3 and rows[0]["held_in"] == {"held-in": 0.0}


def test_from_the_largest_down_the_first_that_holds_everywhere_is_chosen(tmp_path):
    """choose_decay.sh's order: 0.85 fails validation (no held-in records), 0.7 slides on a
    held-in test, 0.5 holds on all and ends the search (0.3 never evaluated)."""
    folder = choice_folder(
        tmp_path, {0.7: {"a/s": 0.0, "b/s": 0.4}, 0.5: {"a/s": 0.0, "b/s": 0.05}}
    )
    write(tmp_path / "validation_0.85/summary.json", summary(0.0, settled=0.6, past_decay=0.85))
    write(tmp_path / "validation_0.85/per_step.json", [{"si_sdr": 1.0}, {"si_sdr": 2.0}])
    rows = decay.validation_rows(folder)
    assert [(r["decay"], r["holds"]) for r in rows] == [(0.5, True), (0.7, False), (0.85, False)]
    assert decay.chosen(rows) == 0.5
    assert decay.table(rows).splitlines()[-1].startswith("| 0.85 |")
    assert "| – | – | no |" in decay.table(rows)  # not evaluated on the held-in tests

    def holds(rho):
        script = EXPERIMENTS / "convergence/decay.py"
        command = [sys.executable, script, folder, "--holds", str(rho)]
        return subprocess.run(command, capture_output=True).returncode == 0

    assert holds(0.5) and not holds(0.7) and not holds(0.85) and not holds(0.3)


def test_a_rho_with_fewer_held_in_sets_than_the_others_does_not_hold(tmp_path):
    folder = choice_folder(tmp_path, {0.5: {"a/s": 0.0, "b/s": 0.0}, 0.7: {"a/s": 0.0}})
    rows = decay.validation_rows(folder)
    assert [r["holds"] for r in rows] == [True, False] and rows[1]["holds_so_far"]


def test_when_nothing_holds_the_smallest_rho_is_chosen(tmp_path):
    folder = choice_folder(tmp_path, {0.3: {"a/s": 0.4}, 0.5: {"a/s": 0.6}})
    assert decay.chosen(decay.validation_rows(folder)) == 0.3
