"""The until-convergence runs of each variant, one row per tolerance, from the refine-eval
summaries (summary.json's "convergence" section): how many clips converged, on how many the
divergence guard stopped the run, the mean steps taken and the mean SI-SDR where it stopped.
The per-step records cannot show an inference option that acts in these runs only, such as
Anderson acceleration (`refine-eval anderson=m`). OUT holds one folder per variant:

    python experiments/convergence/tolerances.py OUT decay constant anderson

writes OUT/tolerances.md and OUT/tolerances.csv.
"""

import argparse
import json
from pathlib import Path

from refine.tables import write_tables


def rows(label: str, folder: Path) -> list[dict]:
    summary = json.loads((folder / "summary.json").read_text())
    clips = summary["clips"]
    return [
        {
            "variant": label,
            "tol": f"{run['tol']:g}",
            "converged": f"{run['converged']:.0%}",
            "guard stopped": f"{run['diverged']} of {clips}",
            "mean steps": f"{run['mean_steps']:.1f}",
            "SI-SDR at the stop (dB)": f"{run['si_sdr']:.2f}",
        }
        for run in summary["convergence"]
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the experiment folder: OUT/<variant>/summary.json")
    parser.add_argument("variants", nargs="+", help="variant folders under OUT, in table order")
    args = parser.parse_args()
    table = [row for name in args.variants for row in rows(name, args.out / name)]
    print(write_tables(table, args.out / "tolerances"), end="")


if __name__ == "__main__":
    main()
