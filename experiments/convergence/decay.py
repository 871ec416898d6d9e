"""Choose a checkpoint's step decay past T (`past_decay` ρ, η_{T+k} = ρ^k) on validation
clips: the largest ρ of the grid whose iteration holds there (from T to 8T no step more than
0.1 dB below the best step before it, the relative update below 1e-3 by 4T on at least 95 %
of clips). The largest, because ρ = 1 keeps every step past T that the network learned and
a smaller ρ weighs them down; when no ρ holds, the smallest of the grid. The test clips are
not looked at: run.sh evaluates the chosen ρ on them afterwards.

    python experiments/convergence/decay.py runs/convergence/decay/NAME

reads NAME/validation_<ρ>/summary.json (refine-eval with past_decay=ρ data.seed=1) and
prints the chosen ρ; with --table, the Markdown table of every ρ instead. Where
NAME/held_in_<ρ>/ holds eval_real.sh records too (choose_decay.sh's HELD_IN, one folder of
them per held-in test: training material, e.g. held_in.py's music, on which the synthetic
generator's music showed no slide that the real-noise models had, or the half of the real
recordings kept for choices), ρ must hold on each of their sets as well. choose_decay.sh
tries ρ from the largest down and stops at the first that holds, so a smaller ρ may have no
records and a ρ that fails validation no held-in ones (shown as –); with --holds ρ the
exit status says whether ρ holds on the records it has so far (the loop's test).
"""

import argparse
import json
from pathlib import Path


def holds(summary: dict) -> bool:
    settling = summary["settling"]
    drop = settling["worst_drop_past_T_db"]
    return drop is not None and drop <= 0.1 and settling["updates"]["share_settled"] >= 0.95


def held_in_drops(folder: Path, decay: float) -> tuple[dict[str, float | None], list[dict]]:
    """The worst drop past T of each held-in test evaluated at ρ (None: a set collapsed),
    and every set's summary. A test is a subfolder of held_in_<ρ>/ (choose_decay.sh's
    layout) or, where the sets lie directly in it, the one test "held-in"."""
    by_test, summaries = {}, []
    for path in sorted(folder.glob(f"held_in_{decay:g}/**/model/summary.json")):
        parts = path.relative_to(folder / f"held_in_{decay:g}").parts
        summary = json.loads(path.read_text())
        by_test.setdefault(parts[0] if len(parts) == 4 else "held-in", []).append(summary)
        summaries.append(summary)
    drops = {}
    for test, sets in by_test.items():
        worst = [s["settling"]["worst_drop_past_T_db"] for s in sets]
        drops[test] = None if None in worst else max(worst)
    return drops, summaries


def validation_rows(folder: Path) -> list[dict]:
    """One row per evaluated ρ, in increasing ρ: whether it holds, and its numbers (on the
    validation clips; `held_in`: each held-in test's worst drop, where evaluated)."""
    rows = []
    for summary_path in sorted(folder.glob("validation_*/summary.json")):
        summary = json.loads(summary_path.read_text())
        records = json.loads((summary_path.parent / "per_step.json").read_text())
        settling, trained = summary["settling"], summary["trained_steps"]
        curve = [r["si_sdr"] for r in records]
        drops, held_in = held_in_drops(folder, summary["past_decay"])
        rows.append(
            {
                "decay": summary["past_decay"],
                "at_t": curve[trained],
                "best": max(v for v in curve if v is not None),
                "at_last": curve[-1],
                "drop": settling["worst_drop_past_T_db"],
                "settled": settling["updates"]["share_settled"],
                "held_in": drops,
                "held_in_sets": len(held_in),
                "holds_so_far": holds(summary) and all(holds(h) for h in held_in),
            }
        )
    if not rows:
        raise SystemExit(f"decay.py: no validation_*/summary.json under {folder}")
    every = max(r["held_in_sets"] for r in rows)  # a ρ holds only where all were evaluated
    for r in rows:
        r["holds"] = r["holds_so_far"] and r["held_in_sets"] == every
    return sorted(rows, key=lambda r: r["decay"])


def chosen(rows: list[dict]) -> float:
    holding = [r["decay"] for r in rows if r["holds"]]
    return max(holding) if holding else rows[0]["decay"]


def table(rows: list[dict]) -> str:
    def number(value, form):
        return "collapse" if value is None else format(value, form)

    tests = sorted({test for r in rows for test in r["held_in"]})
    extra = "".join(f" {test}: worst drop (dB) |" for test in tests)
    lines = [
        "| ρ | at T | best | at 8T | worst drop past T (dB) | settled by 4T |" + extra + " holds |",
        "|--:|--:|--:|--:|--:|--:|" + "--:|" * len(tests) + "---|",
    ]
    for r in rows:
        cells = [
            f"{r['decay']:g}",
            number(r["at_t"], ".2f"),
            number(r["best"], ".2f"),
            number(r["at_last"], ".2f"),
            number(r["drop"], ".2f"),
            f"{r['settled']:.0%}",
        ]
        for test in tests:  # – where not evaluated
            cells.append(number(r["held_in"][test], ".2f") if test in r["held_in"] else "–")
        cells.append("yes" if r["holds"] else "no")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="holds validation_<ρ>/summary.json")
    parser.add_argument("--table", action="store_true", help="print every ρ's row instead")
    parser.add_argument(
        "--holds", type=float, help="exit 0 if this ρ holds on the records it has so far, else 1"
    )
    args = parser.parse_args()
    rows = validation_rows(args.folder)
    if args.holds is not None:
        row = next((r for r in rows if abs(r["decay"] - args.holds) < 1e-9), None)
        raise SystemExit(0 if row is not None and row["holds_so_far"] else 1)
    print(table(rows) if args.table else chosen(rows))


if __name__ == "__main__":
    main()
