#!/usr/bin/env bash
# Convergent plug-and-play by construction (issue 15; Ryu et al. 2019, arXiv 1905.05406):
# model=lipschitz_pnp, whose step (1 − η)x + η·T(x), T(x) = D((1 − β)x + βy), D = I − R and R
# spectrally normalised to Lipschitz ε = 0.9, is a contraction for any weights (bound
# (1 − β)(1 + ε) = 0.95 at β = 0.5), so it converges past T at a constant step (the config's
# past_decay 1). Trained at the main job's wall-clock (lipschitz_pnp/budget.csv, timed over 60
# steps) beside the main job's run (runs/main, `make train` if missing), both evaluated to
# 8T = 64 with the tolerance runs; and the same network without the bound (unbounded, the same
# steps). Records in lipschitz_pnp/, with goals.md and tolerances.md. From the repository root:
#   bash experiments/convergence/lipschitz_pnp.sh    # about 30 min on a 2-core EPYC
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=experiments/convergence/lipschitz_pnp
EVAL="max_steps=64 convergence_max_steps=64"
BUDGET_ARGS="--steps 60" EVAL_OVERRIDES="$EVAL" \
  bash experiments/equal_budget.sh $OUT \
  "default:" \
  "lipschitz_pnp: model=lipschitz_pnp"
# What the bound costs: the same network with its maps used as they are (model.bounded=false,
# no contraction guaranteed), for the same optimiser steps (its step is quicker without the
# normalisations, so it gets less wall-clock, not more).
# shellcheck source=experiments/records.sh
source experiments/records.sh  # record, budget_steps
# shellcheck disable=SC2086  # EVAL: space-separated refine-eval settings
record $OUT/unbounded runs/lipschitz_pnp/unbounded runs/lipschitz_pnp/unbounded/eval \
  model=lipschitz_pnp model.bounded=false \
  "train.steps=$(budget_steps $OUT/budget.csv lipschitz_pnp)" -- $EVAL
variants=(default lipschitz_pnp unbounded)
"$BIN/python" experiments/convergence/goals.py $OUT "${variants[@]}"
"$BIN/python" experiments/convergence/tolerances.py $OUT "${variants[@]}"
"$BIN/refine-plot" "${variants[@]/#/$OUT/}" --labels "${variants[@]}" -o $OUT
