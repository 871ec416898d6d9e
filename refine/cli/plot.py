"""refine-plot: figures from the files that refine-eval wrote (`refine.study.report`).

    refine-plot EVAL_DIR                                   # figures in EVAL_DIR/figures/
    refine-plot EVAL_DIR -o figures/run --formats png      # elsewhere, PNG only
    refine-plot RUN_A/eval RUN_B/eval -o figures/cmp --labels "T = 4" "T = 8"   # an overlay
    refine-plot runs/sweeps/steps                          # every run of a sweep, overlaid

One evaluation folder gives three figures, each as PNG (dpi 150) and PDF:
  per_step_snr    SI-SDR and SNR against the refinement step t, one line per input-SNR bucket
                  and one for all clips, with 95 % bands, the trained T and the chosen steps;
  spectrograms    the example clip at the steps 0 … N (a subset when there are many) and clean;
  convergence     the update norm per step, and the steps each clip needed to converge per
                  tolerance (when convergence.csv is there).
Several folders give instead their overlay: overlay_per_step (the all-clips curves of each run)
and overlay_summary.csv / .md (each run's numbers at its trained T); a run's own figures come
from running the tool on its folder alone. A sweep folder (refine-train -m: one run folder
per combination) gives the overlay of all its runs, named by their overrides, from each run's
refine-eval folder (RUN/eval) or else its last validation (history.json).


A folder without per_step.json or summary.json, a file that does not parse, or a wrong
number of --labels ends the run with a one-line error and exit status 2; a missing example/
or convergence.csv only drops that figure or panel, with a log line.
"""

import argparse
import logging
from pathlib import Path

from refine.study.report import (
    default_labels,
    is_sweep,
    plot_eval,
    plot_overlay,
    plot_runs,
    sweep_runs,
)

log = logging.getLogger(__name__)
FORMATS = ("png", "pdf", "svg")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="refine-plot",
        description="Figures from the files refine-eval wrote (one folder), or an overlay of "
        "several evaluations (several folders).",
    )
    parser.add_argument(
        "eval_dirs",
        nargs="+",
        type=Path,
        metavar="EVAL_DIR",
        help="a folder refine-eval wrote (several make an overlay), or a sweep's folder",
    )
    parser.add_argument(
        "-o",
        "--out-dir",
        type=Path,
        help="where the files go (default: EVAL_DIR/figures; required with several folders)",
    )
    parser.add_argument(
        "--labels",
        nargs="+",
        metavar="LABEL",
        help="one label per EVAL_DIR, after them (default: the folder names)",
    )
    parser.add_argument(
        "--formats",
        nargs="+",
        choices=FORMATS,
        default=["png", "pdf"],
        metavar="FORMAT",
        help=f"figure files to write, of {', '.join(FORMATS)} (default: png pdf)",
    )
    args = parser.parse_args(argv)
    if args.labels is not None and len(args.labels) != len(args.eval_dirs):
        parser.error(
            f"--labels gives {len(args.labels)} label(s) for {len(args.eval_dirs)} folder(s)"
        )
    if args.labels is not None and len(set(args.labels)) < len(args.labels):
        parser.error(f"--labels must differ from each other, got {args.labels}")
    if len(args.eval_dirs) > 1 and args.out_dir is None:
        parser.error("several EVAL_DIRs make an overlay: say where it goes with -o OUT_DIR")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    formats = list(dict.fromkeys(args.formats))
    try:
        if len(args.eval_dirs) == 1 and is_sweep(args.eval_dirs[0]):
            folder = args.eval_dirs[0]
            if args.labels:  # a sweep's runs are named by their overrides
                raise ValueError(f"{folder} is a sweep, labelled by its runs: drop --labels")
            written = plot_runs(sweep_runs(folder), args.out_dir or folder, formats)
        elif len(args.eval_dirs) == 1:
            folder = args.eval_dirs[0]
            label = args.labels[0] if args.labels else None
            written = plot_eval(folder, args.out_dir or folder / "figures", formats, label)
        else:
            labels = args.labels or default_labels(args.eval_dirs)
            written = plot_overlay(args.eval_dirs, labels, args.out_dir, formats)
    except (ValueError, OSError) as error:  # bad files or folders: say which, no traceback
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    for path in written:
        log.info("wrote %s", path)


if __name__ == "__main__":
    main()
