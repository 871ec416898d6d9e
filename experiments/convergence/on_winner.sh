#!/usr/bin/env bash
# The two means of issue 15 not yet measured on the winner: the clean-estimate update
# (model.parameterisation=clean_estimate, cold diffusion's sampler: every step re-estimates the
# noise of the original input instead of adding to the last step's removal) and Jacobian
# regularisation of the fixed-point map (train.jacobian_weight=0.05, one Hutchinson probe),
# each added to the winner, the default recipe (the bounded mask, the bin gate, the inward
# gradient, the step decay ρ = 0.5 past T), at its training wall-clock (budget.csv here, timed
# over 60 steps a variant), evaluated to 8T = 64 with the tolerance runs. The winner is the
# main job's run (runs/main, `make train` if missing), evaluated as winner/decay was: its
# records are those. Records in on_winner/<name>/, with goals.md and tolerances.md. From the
# repository root:
#   bash experiments/convergence/on_winner.sh    # about 35 min on a 2-core EPYC
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=experiments/convergence/on_winner
BUDGET_ARGS="--steps 60" EVAL_OVERRIDES="max_steps=64 convergence_max_steps=64" \
  bash experiments/equal_budget.sh $OUT \
  "winner:" \
  "clean_estimate: model.parameterisation=clean_estimate" \
  "jacobian: train.jacobian_weight=0.05"
"$BIN/python" experiments/convergence/goals.py $OUT winner clean_estimate jacobian
"$BIN/python" experiments/convergence/tolerances.py $OUT winner clean_estimate jacobian
