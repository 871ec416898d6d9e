#!/usr/bin/env bash
# Convergent refinement: which means make the iteration settle past T, alone and combined, at
# equal training wall-clock (every variant gets the default run's time, budget.csv), each
# evaluated to t = 8T = 64 with until-convergence runs. Writes every variant's records under
# experiments/convergence/<name>/, the overlay figure and tables (refine-plot), goals.md
# (goals.py) and dead_zone.md (where the masks' bins sit). Run from the repository root:
#   bash experiments/convergence/run.sh
# The mask's gradient past 0 and 1 (model.mask_gradient) is part of each variant: "straight"
# (the sigmoid's, always), "clamp" (none past the ends) or "inward" (only back inside, the
# default). The records in mask_extra_frozen/ and mask_extra_level_frozen/ are those of
# mask_extra and mask_extra_level with model.mask_gradient=clamp, trained at commit f4549ee
# (their steps are in budget.csv; check that commit out to remake them exactly).
# Every variant starts from +experiment=affine_reference, the default recipe when the
# experiment began (the affine update, no bin gate, a constant step past T:
# configs/experiment/affine_reference.yaml); as_is is that recipe alone, the reference.
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=experiments/convergence
A=+experiment=affine_reference
MASK="model.update=mask"
STRAIGHT="model.mask_gradient=straight"
GATE="model.bin_gate=true"
EXTRA="train.extra_steps=24"
# Steps past T cost a drawn K ~ U{0..24} steps each: time 60 steps per variant, not 30.
REFERENCE=as_is BUDGET_ARGS="--steps 60" \
  EVAL_OVERRIDES="max_steps=64 convergence_max_steps=64" \
  bash experiments/equal_budget.sh $OUT \
  "as_is: $A" \
  "extra: $A $EXTRA" \
  "noise_level: $A model.condition=noise_level" \
  "inject: $A model.inject=true" \
  "mask: $A $MASK $STRAIGHT" \
  "mask_extra: $A $MASK $EXTRA $STRAIGHT"
# The bounded mask on the STFT magnitude, where a mask in [0, 1] is what the oracle IRM is, at
# the main job's 1200 optimiser steps (equal steps, not equal time; the domains experiment's
# magnitude run, affine, had the default's time: 1369 steps).
# shellcheck source=experiments/records.sh
source experiments/records.sh  # record, kept, evaluate, keep
run=runs/convergence/magnitude_mask_extra
# shellcheck disable=SC2086  # the recipe's parts: space-separated overrides
record $OUT/magnitude_mask_extra $run $run/eval $A domain=stft_magnitude $MASK $EXTRA \
  $STRAIGHT train.steps=1200 -- max_steps=64 convergence_max_steps=64
# The bin gate (a per-bin soft threshold on the bin's own level, added to the mask's gain)
# with the mask, timed beside the reference in a file of their own (budget_gate.csv): with
# the straight-through gradient (with and without steps past T), then with the inward one.
# The steps of mask_gate_extra are those of mask_gate_extra_straight: the gradient rule
# costs nothing.
REFERENCE=as_is BUDGET_CSV=budget_gate.csv PLOT_OUT=$OUT/overlay_gate \
  EVAL_OVERRIDES="max_steps=64 convergence_max_steps=64" bash experiments/equal_budget.sh $OUT \
  "as_is: $A" \
  "mask_gate_extra_straight: $A $MASK $GATE $EXTRA $STRAIGHT" \
  "mask_gate_straight: $A $MASK $GATE $STRAIGHT" \
  "mask_gate: $A $MASK $GATE train.val_every=100" \
  "mask_gate_extra: $A $MASK $GATE $EXTRA"
# The gate's mask with steps past T, told the noise left (σ = 0 past T, so every step past T
# looks alike to it and the extra steps teach it that at σ = 0 there is nothing to remove),
# timed beside the reference and mask_gate_extra in budget_level.csv.
REFERENCE=as_is BUDGET_CSV=budget_level.csv PLOT_OUT=$OUT/overlay_level \
  BUDGET_ARGS="--steps 60" \
  EVAL_OVERRIDES="max_steps=64 convergence_max_steps=64" bash experiments/equal_budget.sh $OUT \
  "as_is: $A" \
  "mask_gate_extra: $A $MASK $GATE $EXTRA" \
  "mask_gate_extra_level: $A $MASK $GATE $EXTRA model.condition=noise_level"
# The clean-estimate update (cold diffusion's sampler) and Jacobian regularisation of the
# fixed-point map (one Hutchinson probe, weight 0.05), alone on the reference recipe at their
# budget.csv steps, overlaid against it in overlay_alone/. On the winner: on_winner.sh.
REFERENCE=as_is PLOT_OUT=$OUT/overlay_alone \
  EVAL_OVERRIDES="max_steps=64 convergence_max_steps=64" bash experiments/equal_budget.sh $OUT \
  "as_is: $A" \
  "clean_estimate: $A model.parameterisation=clean_estimate" \
  "jacobian: $A train.jacobian_weight=0.05"
# A step decay past T (past_decay ρ: η_{T+k} = ρ^k, summable for ρ < 1, so the steps
# past T move the iterate a bounded amount), an inference setting of a trained checkpoint:
# ρ is chosen on validation clips by choose_decay.sh (decay.py: the largest of the grid that
# holds there), then evaluated once on the test clips as <name>_decay.
for name in as_is mask_gate mask_gate_extra mask_gate_extra_level; do
  dir=runs/convergence/decay/$name/test
  ! kept $dir $OUT/${name}_decay || continue
  decay=$(bash $OUT/choose_decay.sh runs/convergence/$name/checkpoint.pt \
    runs/convergence/decay/$name $OUT/decay/$name.md 64)
  evaluate runs/convergence/$name $dir -- past_decay=$decay max_steps=64 convergence_max_steps=64
  keep $dir $OUT/${name}_decay
done
"$BIN/refine-plot" $OUT/as_is $OUT/as_is_decay $OUT/mask_gate $OUT/mask_gate_decay \
  $OUT/mask_gate_extra_decay --labels as_is as_is_decay mask_gate mask_gate_decay \
  mask_gate_extra_decay -o $OUT/overlay_decay
"$BIN/python" $OUT/goals.py $OUT as_is extra noise_level inject clean_estimate jacobian mask \
  mask_extra mask_extra_frozen mask_extra_level_frozen magnitude_mask_extra mask_gate_extra_straight \
  mask_gate_straight mask_gate mask_gate_extra mask_gate_extra_level as_is_decay mask_gate_decay \
  mask_gate_extra_decay mask_gate_extra_level_decay
# Where the masks' bins sit: the default recipe's (complex STFT) and the real-noise model's
# (STFT magnitude with the bin gate, experiments/pretrained/run.sh's last stage).
# Redrawn only while every checkpoint is in runs/ (a fresh clone keeps the committed table).
checkpoints=(runs/convergence/{mask,mask_extra}/checkpoint.pt $run/checkpoint.pt
  runs/pretrained_real/checkpoint.pt
  runs/convergence/{mask_gate_extra_straight,mask_gate_straight,mask_gate,mask_gate_extra}/checkpoint.pt)
if ls "${checkpoints[@]}" > /dev/null 2>&1; then
  "$BIN/python" $OUT/dead_zone.py "${checkpoints[@]}" > $OUT/dead_zone.md
fi
# Anderson acceleration and a constant step on the winner (the main job's run): winner/.
bash $OUT/anderson.sh
