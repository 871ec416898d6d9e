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
"$BIN/python" $OUT/goals.py $OUT as_is extra noise_level inject mask mask_extra \
  mask_extra_frozen mask_extra_level_frozen
# Where the masks' bins sit: the default recipe's (complex STFT) and the real-noise model's
# (STFT magnitude with the bin gate, experiments/pretrained/run.sh's last stage).
"$BIN/python" $OUT/dead_zone.py runs/convergence/mask/checkpoint.pt \
  runs/convergence/mask_extra/checkpoint.pt runs/pretrained_real/checkpoint.pt > $OUT/dead_zone.md
