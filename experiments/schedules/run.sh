#!/usr/bin/env bash
# Experiment 2: quadratic vs linear vs cosine schedules at T = 8, the default model and
# training otherwise (1200 steps, seed 0). Run from the repository root in the set-up .venv:
#   bash experiments/schedules/run.sh
# This trains the three (quadratic: the main job's run when these records were made), evaluates
# them on the synthetic test set and overlays them. Every run starts from
# +experiment=affine_reference, the default recipe then (the affine update), so a rerun after
# the default changed trains what was measured; finished runs are not retrained.
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=experiments/schedules
for schedule in quadratic linear cosine; do
  run=runs/schedules/$schedule
  [ -f $run/eval/summary.json ] || {
    "$BIN/refine-train" +experiment=affine_reference schedule=$schedule hydra.run.dir=$run
    "$BIN/refine-eval" checkpoint=$run/checkpoint.pt hydra.run.dir=$run/eval
  }
  mkdir -p "$OUT/$schedule"
  cp "$run/eval/per_step.json" "$run/eval/summary.json" "$OUT/$schedule/"
done
"$BIN/refine-plot" "$OUT/quadratic" "$OUT/linear" "$OUT/cosine" \
  --labels quadratic linear cosine -o "$OUT"
