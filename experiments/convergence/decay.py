"""Choose a checkpoint's step decay past T (`past_decay` ρ, η_{T+k} = ρ^k) on validation
clips: the largest ρ of the grid whose iteration holds there (from T to 8T no step more than
0.1 dB below the best step before it, the relative update below 1e-3 by 4T on at least 95 %
of clips). The largest, because ρ = 1 keeps every step past T that the network learned and
a smaller ρ weighs them down; when no ρ holds, the smallest of the grid. The test clips are
not looked at: run.sh evaluates the chosen ρ on them afterwards.

    python experiments/convergence/decay.py runs/convergence/decay/NAME

reads NAME/validation_<ρ>/summary.json (refine-eval with past_decay=ρ data.seed=1) and
prints the chosen ρ; with --table, the Markdown table of every ρ instead.
"""

import argparse
import json
from pathlib import Path


def validation_rows(folder: Path) -> list[dict]:
    """One row per evaluated ρ, in increasing ρ: whether it holds, and its numbers."""
    rows = []
    for summary_path in sorted(folder.glob("validation_*/summary.json")):
        summary = json.loads(summary_path.read_text())
        records = json.loads((summary_path.parent / "per_step.json").read_text())
        settling, trained = summary["settling"], summary["trained_steps"]
        drop, updates = settling["worst_drop_past_T_db"], settling["updates"]
        curve = [r["si_sdr"] for r in records]
        rows.append(
            {
                "decay": summary["past_decay"],
                "at_t": curve[trained],
                "best": max(v for v in curve if v is not None),
                "at_last": curve[-1],
                "drop": drop,
                "settled": updates["share_settled"],
                "holds": drop is not None and drop <= 0.1 and updates["share_settled"] >= 0.95,
            }
        )
    if not rows:
        raise SystemExit(f"decay.py: no validation_*/summary.json under {folder}")
    return sorted(rows, key=lambda r: r["decay"])


def chosen(rows: list[dict]) -> float:
    holding = [r["decay"] for r in rows if r["holds"]]
    return max(holding) if holding else rows[0]["decay"]


def table(rows: list[dict]) -> str:
    def number(value, form):
        return "collapse" if value is None else format(value, form)

    lines = [
        "| ρ | at T | best | at 8T | worst drop past T (dB) | settled by 4T | holds |",
        "|--:|--:|--:|--:|--:|--:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['decay']:g} | {number(r['at_t'], '.2f')} | {number(r['best'], '.2f')} | "
            f"{number(r['at_last'], '.2f')} | {number(r['drop'], '.2f')} | "
            f"{r['settled']:.0%} | {'yes' if r['holds'] else 'no'} |"
        )
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
