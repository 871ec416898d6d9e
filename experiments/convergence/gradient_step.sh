#!/usr/bin/env bash
# The gradient-step denoiser (issue 15's convergent plug-and-play; Hurault et al., ICLR 2022):
# model.gradient_step=true makes the step network's output ∇ₓE for the learned energy
# E(x) = ½‖f(x)‖² + (λ/2)‖x − y‖², so that x ← x − η·Noise(x) is gradient descent on E.
# Two variants on the default recipe, at the main job's training wall-clock (gradient_step/
# budget.csv, timed over 60 steps: a step differentiates the network twice): λ = 0.1, the
# issue's data term tying x to the observation y, and λ = 0, the energy alone. Both need the
# mask's leash off (it alters the backward pass that is their output), and without it the
# recipe's rate froze the mask by step 400 (gradient_step_data_lr3e-3, kept below as the
# record of it), so both train at half the rate, 1.5e-3, where leash-free masks held before
# (../schedules, ../training_modes); the reference is the main job's run (runs/main, `make
# train` if missing), evaluated the same way. Every run to 8T = 64 with the tolerance runs, at
# the recipe's step decay past T (ρ = 0.5) and, to see whether the descent settles on its
# own, at a constant step past T (past_decay=1: <name>/constant); and λ = 0.1 started from the
# main job's trained weights. Records in gradient_step/,
# with goals.md and tolerances.md. From the repository root:
#   bash experiments/convergence/gradient_step.sh    # about 95 min on a 2-core EPYC
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=experiments/convergence/gradient_step
EVAL="max_steps=64 convergence_max_steps=64"  # every variant to 8T, with the tolerance runs
GRADIENT_STEP="model.gradient_step=true model.mask_leash=0 train.lr=1.5e-3"
BUDGET_ARGS="--steps 60" EVAL_OVERRIDES="$EVAL" \
  bash experiments/equal_budget.sh $OUT \
  "default:" \
  "gradient_step_data: $GRADIENT_STEP model.data_weight=0.1" \
  "gradient_step: $GRADIENT_STEP"
# shellcheck source=experiments/records.sh
source experiments/records.sh  # record, budget_steps
# shellcheck disable=SC2086  # EVAL: space-separated refine-eval settings
run=runs/gradient_step/gradient_step_data_lr3e-3  # at the recipe's rate: its mask froze
record $OUT/gradient_step_data_lr3e-3 $run $run/eval model.gradient_step=true model.mask_leash=0 \
  model.data_weight=0.1 "train.steps=$(budget_steps $OUT/budget.csv gradient_step_data)" -- $EVAL
# From a trained denoiser, as Hurault et al. start theirs: the main job's weights (its mask
# already denoises), λ = 0.1 at half the rate, for the same steps.
run=runs/gradient_step/gradient_step_from_default
record $OUT/gradient_step_from_default $run $run/eval $GRADIENT_STEP model.data_weight=0.1 \
  train.init_from=runs/main/checkpoint.pt \
  "train.steps=$(budget_steps $OUT/budget.csv gradient_step_data)" -- $EVAL
for name in default gradient_step_data gradient_step; do
  run=runs/gradient_step/$name
  [ "$name" != default ] || run=runs/main
  record $OUT/$name/constant $run runs/gradient_step/$name/constant -- $EVAL past_decay=1
done
variants=(default gradient_step_data gradient_step gradient_step_data_lr3e-3
  gradient_step_from_default default/constant gradient_step_data/constant gradient_step/constant)
"$BIN/python" experiments/convergence/goals.py $OUT "${variants[@]}"
"$BIN/python" experiments/convergence/tolerances.py $OUT "${variants[@]}"
"$BIN/refine-plot" $OUT/default/constant $OUT/gradient_step_data/constant \
  $OUT/gradient_step/constant --labels "default, constant step" "gradient step λ 0.1, constant" \
  "gradient step λ 0, constant" -o $OUT/constant
# Why: how much of each network's update is the mask's own derivative (gradient_terms.py),
# for the trained runs and for the main job's mask read as an energy without retraining.
"$BIN/python" experiments/convergence/gradient_terms.py runs/gradient_step/gradient_step_data/checkpoint.pt \
  runs/gradient_step/gradient_step/checkpoint.pt \
  runs/gradient_step/gradient_step_data_lr3e-3/checkpoint.pt \
  runs/gradient_step/gradient_step_from_default/checkpoint.pt > $OUT/gradient_terms.md
"$BIN/python" experiments/convergence/gradient_terms.py --as-gradient-step runs/main/checkpoint.pt \
  > $OUT/gradient_terms_default.md
