#!/usr/bin/env bash
# Experiment 1: one-shot (T = 1) vs iterative refinement (T = 2, 4, 8, 16) with the same step
# network (0.65 M parameters) at equal training wall-clock: every T trains for the time the
# default T = 8 run's 1200 steps take (budget.csv). Run from the repository root:
#   bash experiments/one_shot/run.sh
set -euo pipefail
bash experiments/equal_budget.sh experiments/one_shot \
  "T1: model.steps=1" "T2: model.steps=2" "T4: model.steps=4" "T8:" "T16: model.steps=16"
