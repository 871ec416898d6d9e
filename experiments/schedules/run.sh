#!/usr/bin/env bash
# Experiment 2: quadratic vs linear vs cosine schedules at T = 8, the default model and
# training otherwise (1200 steps, seed 0), under two recipes. Run from the repository root in
# the set-up .venv:
#   bash experiments/schedules/run.sh
# Each recipe trains the three, evaluates them on the synthetic test set and overlays them.
# Finished runs are not retrained, and records already here (committed, on a fresh clone
# without runs/) are kept: delete one to train it again.
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=experiments/schedules
# shellcheck source=experiments/records.sh
source experiments/records.sh  # record
compare() {  # RECORDS RUNS QUADRATIC_RUN [OVERRIDE ...]: the three schedules of one recipe
  local records=$1 runs=$2 quadratic=$3 schedule run
  shift 3
  for schedule in quadratic linear cosine; do
    run=$runs/$schedule
    [ $schedule != quadratic ] || [ -z "$quadratic" ] || run=$quadratic
    record "$records/$schedule" "$run" "$run/eval" "$@" schedule=$schedule
  done
  "$BIN/refine-plot" "$records/quadratic" "$records/linear" "$records/cosine" \
    --labels quadratic linear cosine -o "$records"
}
# The affine update, the default recipe when the first records were made
# (+experiment=affine_reference), so a rerun after the default changed trains what was measured.
compare $OUT runs/schedules "" +experiment=affine_reference
# The convergent default of issue 15 (the bounded mask update, the bin gate, the step decay
# past T), whose quadratic run is the main job's (`make train` if missing).
kept runs/main/eval $OUT/mask_default/quadratic || [ -f runs/main/eval/summary.json ] ||
  make train
compare $OUT/mask_default runs/schedules_mask_default runs/main
