#!/usr/bin/env bash
# Convergent refinement: which means make the iteration settle past T, alone and combined, at
# equal training wall-clock (every variant gets the default run's time, budget.csv), each
# evaluated to t = 8T = 64 with until-convergence runs. Writes every variant's records under
# experiments/convergence/<name>/, the overlay figure and tables (refine-plot), goals.md
# (goals.py) and dead_zone.md (where the masks' bins sit). Run from the repository root:
#   bash experiments/convergence/run.sh
# The records in mask_extra_frozen/ and mask_extra_level_frozen/ are those of mask_extra and
# mask_extra_level trained with the mask's clamp blocking the gradient (commit f4549ee, before
# bounded_mask passed it straight through): check that commit out to remake them.
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=experiments/convergence
MASK="model.update=mask"
EXTRA="train.extra_steps=24"
# Steps past T cost a drawn K ~ U{0..24} steps each: time 60 steps per variant, not 30.
BUDGET_ARGS="--steps 60" EVAL_OVERRIDES="max_steps=64 convergence_max_steps=64" \
  bash experiments/equal_budget.sh $OUT \
  "as_is:" \
  "extra: $EXTRA" \
  "noise_level: model.condition=noise_level" \
  "inject: model.inject=true" \
  "mask: $MASK" \
  "mask_extra: $MASK $EXTRA"
# The bounded mask on the STFT magnitude, where a mask in [0, 1] is what the oracle IRM is, at
# the main job's 1200 optimiser steps (equal steps, not equal time; the domains experiment's
# magnitude run, affine, had the default's time: 1369 steps).
run=runs/convergence/magnitude_mask_extra
[ -f $run/eval/summary.json ] || {
  "$BIN/refine-train" domain=stft_magnitude $MASK $EXTRA train.steps=1200 hydra.run.dir=$run
  "$BIN/refine-eval" checkpoint=$run/checkpoint.pt hydra.run.dir=$run/eval max_steps=64 \
    convergence_max_steps=64
}
mkdir -p $OUT/magnitude_mask_extra
cp $run/eval/per_step.json $run/eval/summary.json $run/eval/per_clip.csv $OUT/magnitude_mask_extra/
"$BIN/python" $OUT/goals.py $OUT as_is extra noise_level inject mask mask_extra \
  mask_extra_frozen mask_extra_level_frozen magnitude_mask_extra
# Where the masks' bins sit: the default recipe's (complex STFT) and the real-noise model's
# (STFT magnitude with the bin gate, experiments/pretrained/run.sh's last stage).
"$BIN/python" $OUT/dead_zone.py runs/convergence/mask/checkpoint.pt \
  runs/convergence/mask_extra/checkpoint.pt $run/checkpoint.pt runs/pretrained_real/checkpoint.pt \
  > $OUT/dead_zone.md
