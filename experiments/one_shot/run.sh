#!/usr/bin/env bash
# Experiment 1: one-shot (T = 1) vs iterative refinement (T = 2, 4, 8, 16) with the same step
# network (0.65 M parameters) at equal training wall-clock: every T trains for the time the
# default T = 8 run's 1200 steps take (budget.csv). Run from the repository root:
#   bash experiments/one_shot/run.sh
# Every variant starts from +experiment=affine_reference, the default recipe when these
# records were made (the affine update; configs/experiment/affine_reference.yaml), so a rerun
# after the default changed trains what was measured.
set -euo pipefail
A=+experiment=affine_reference
REFERENCE=T8 bash experiments/equal_budget.sh experiments/one_shot \
  "T1: $A model.steps=1" "T2: $A model.steps=2" "T4: $A model.steps=4" "T8: $A" \
  "T16: $A model.steps=16"
# The same comparison under the convergent default of issue 15 (the bounded mask update, the
# bin gate, the step decay past T), whose T = 8 is the main job's run: runs/mask_default/<T>,
# records in experiments/one_shot/mask_default/.
bash experiments/equal_budget.sh experiments/one_shot/mask_default \
  "T1: model.steps=1" "T2: model.steps=2" "T4: model.steps=4" "T8:" "T16: model.steps=16"
