#!/usr/bin/env bash
# Experiment 2: quadratic vs linear vs cosine schedules at T = 8, the default model and
# training otherwise (1200 steps, seed 0). Run from the repository root in the set-up .venv:
#   bash experiments/schedules/run.sh
# This trains the three (quadratic: the main job's run when these records were made), evaluates
# them on the synthetic test set and overlays them. Every run starts from
# +experiment=affine_reference, the default recipe then (the affine update), so a rerun after
# the default changed trains what was measured; finished runs are not retrained, and records
# already here (committed, on a fresh clone without runs/) are kept: delete one to retrain it.
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=experiments/schedules
for schedule in quadratic linear cosine; do
  run=runs/schedules/$schedule
  [ ! -f "$OUT/$schedule/summary.json" ] || [ -f $run/eval/summary.json ] || continue  # kept
  [ -f $run/eval/summary.json ] || {
    "$BIN/refine-train" +experiment=affine_reference schedule=$schedule hydra.run.dir=$run
    "$BIN/refine-eval" checkpoint=$run/checkpoint.pt hydra.run.dir=$run/eval
  }
  mkdir -p "$OUT/$schedule"
  cp "$run/eval/per_step.json" "$run/eval/summary.json" "$OUT/$schedule/"
done
"$BIN/refine-plot" "$OUT/quadratic" "$OUT/linear" "$OUT/cosine" \
  --labels quadratic linear cosine -o "$OUT"
# The same three under the convergent default of issue 15 (the bounded mask update, the bin
# gate, the step decay past T), whose quadratic run is the main job's (`make train` if missing):
# runs/schedules_mask_default/<schedule>, records in $OUT/mask_default/. Records already here
# (committed, on a fresh clone without runs/) are kept: delete one to train it again.
NEW=$OUT/mask_default
for schedule in quadratic linear cosine; do
  run=runs/schedules_mask_default/$schedule
  [ $schedule != quadratic ] || run=runs/main
  [ ! -f "$NEW/$schedule/summary.json" ] || [ -f "$run/eval/summary.json" ] || continue
  if [ $schedule = quadratic ]; then
    [ -f $run/eval/summary.json ] || make train
  elif [ ! -f $run/eval/summary.json ]; then
    "$BIN/refine-train" schedule=$schedule hydra.run.dir=$run
    "$BIN/refine-eval" checkpoint=$run/checkpoint.pt hydra.run.dir=$run/eval
  fi
  mkdir -p "$NEW/$schedule"
  cp "$run/eval/per_step.json" "$run/eval/summary.json" "$run/eval/per_clip.csv" "$NEW/$schedule/"
  [ ! -f "$run/train.log" ] || cp "$run/train.log" "$NEW/$schedule/"
done
"$BIN/refine-plot" "$NEW/quadratic" "$NEW/linear" "$NEW/cosine" \
  --labels quadratic linear cosine -o "$NEW"
