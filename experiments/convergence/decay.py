"""Choose a checkpoint's step decay past T (`past_decay` ρ, η_{T+k} = ρ^k) on validation
clips: the largest ρ of the grid whose iteration holds there (from T to 8T no step more than
0.1 dB below the best step before it, the relative update below 1e-3 by 4T on at least 95 %
of clips). The largest, because ρ = 1 keeps every step past T that the network learned and
a smaller ρ weighs them down; when no ρ holds, the smallest of the grid. The test clips are
not looked at: run.sh evaluates the chosen ρ on them afterwards.

    python experiments/convergence/decay.py runs/convergence/decay/NAME

reads NAME/validation_<ρ>/summary.json (refine-eval with past_decay=ρ data.seed=1) and
prints the chosen ρ; with --table, the Markdown table of every ρ instead. Where
NAME/held_in_<ρ>/ holds eval_real.sh records too (choose_decay.sh's HELD_IN: training
material, e.g. held_in.py's music, on which the synthetic generator's music showed no
slide that the real-noise models had), ρ must hold on each of its sets as well.
"""

import argparse
import json
from pathlib import Path


def holds(summary: dict) -> bool:
    settling = summary["settling"]
    drop = settling["worst_drop_past_T_db"]
    return drop is not None and drop <= 0.1 and settling["updates"]["share_settled"] >= 0.95


def validation_rows(folder: Path) -> list[dict]:
    """One row per evaluated ρ, in increasing ρ: whether it holds, and its numbers (on the
    validation clips; `held_in_drop`: the worst drop over the held-in sets, if any)."""
    rows = []
    for summary_path in sorted(folder.glob("validation_*/summary.json")):
        summary = json.loads(summary_path.read_text())
        records = json.loads((summary_path.parent / "per_step.json").read_text())
        settling, trained = summary["settling"], summary["trained_steps"]
        curve = [r["si_sdr"] for r in records]
        decay = summary["past_decay"]
        held_in = [
            json.loads(path.read_text())
            for path in sorted(folder.glob(f"held_in_{decay:g}/*/model/summary.json"))
        ]
        drops = [h["settling"]["worst_drop_past_T_db"] for h in held_in]
        rows.append(
            {
                "decay": decay,
                "at_t": curve[trained],
                "best": max(v for v in curve if v is not None),
                "at_last": curve[-1],
                "drop": settling["worst_drop_past_T_db"],
                "settled": settling["updates"]["share_settled"],
                "held_in_drop": None if not held_in or None in drops else max(drops),
                "held_in_sets": len(held_in),
                "holds": holds(summary) and all(holds(h) for h in held_in),
            }
        )
    if not rows:
        raise SystemExit(f"decay.py: no validation_*/summary.json under {folder}")
    if len({r["held_in_sets"] for r in rows}) > 1:
        raise SystemExit(f"decay.py: not every ρ under {folder} has the same held-in sets")
    return sorted(rows, key=lambda r: r["decay"])


def chosen(rows: list[dict]) -> float:
    holding = [r["decay"] for r in rows if r["holds"]]
    return max(holding) if holding else rows[0]["decay"]


def table(rows: list[dict]) -> str:
    def number(value, form):
        return "collapse" if value is None else format(value, form)

    held_in = rows[0]["held_in_sets"] > 0
    extra = " held-in: worst drop (dB) |" if held_in else ""
    lines = [
        "| ρ | at T | best | at 8T | worst drop past T (dB) | settled by 4T |" + extra + " holds |",
        "|--:|--:|--:|--:|--:|--:|" + ("--:|" if held_in else "") + "---|",
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
        if held_in:
            cells.append(number(r["held_in_drop"], ".2f"))
        cells.append("yes" if r["holds"] else "no")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="holds validation_<ρ>/summary.json")
    parser.add_argument("--table", action="store_true", help="print every ρ's row instead")
    args = parser.parse_args()
    rows = validation_rows(args.folder)
    print(table(rows) if args.table else chosen(rows))


if __name__ == "__main__":
    main()
