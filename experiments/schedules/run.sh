#!/usr/bin/env bash
# Experiment 2: quadratic vs linear vs cosine schedules at T = 8, the default model and
# training otherwise (1200 steps, seed 0). Run from the repository root in the set-up .venv:
#   bash experiments/schedules/run.sh
# The quadratic run is the main job's (runs/main); this trains the other two, evaluates all
# three on the synthetic test set and overlays them.
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=experiments/schedules
for schedule in linear cosine; do
  "$BIN/refine-train" schedule=$schedule hydra.run.dir=runs/schedules/$schedule
  "$BIN/refine-eval" checkpoint=runs/schedules/$schedule/checkpoint.pt \
    hydra.run.dir=runs/schedules/$schedule/eval
done
[ -f runs/main/eval/per_step.json ] || make train
for run in main:quadratic schedules/linear:linear schedules/cosine:cosine; do
  mkdir -p "$OUT/${run#*:}"
  cp "runs/${run%%:*}/eval/per_step.json" "runs/${run%%:*}/eval/summary.json" "$OUT/${run#*:}/"
done
"$BIN/refine-plot" "$OUT/quadratic" "$OUT/linear" "$OUT/cosine" \
  --labels quadratic linear cosine -o "$OUT"
