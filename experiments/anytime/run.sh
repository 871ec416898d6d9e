#!/usr/bin/env bash
# Experiment 7: where iteration pays. One set of iterative weights (the default T = 8 run,
# runs/main) evaluated at every step count 1 ... 8T, against one-shot networks (T = 1) of the
# same architecture made wide enough to cost what 1, 2, 4 and 8 of its steps cost at inference
# (d_model 64, 104, 166, 254: 48, 95, 194, 389 M MACs per second of audio against 48 per
# step; front.py prints them), each trained separately. Run from the repository root:
#   bash experiments/anytime/run.sh
# 1. Equal training time: every run spends the default run's 1200 steps' wall-clock
#    (budget.csv, calibrated on a quiet machine); all evaluated to t = 64 = 8T on the same clips.
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=experiments/anytime
# shellcheck source=experiments/anytime/evals.sh
source $OUT/evals.sh  # record, kept, respace, iterate
EVAL_OVERRIDES="max_steps=64" PLOT_OUT=$OUT/equal_time bash experiments/equal_budget.sh $OUT \
  "T8:" "S1: model.steps=1" "S2: model.steps=1 model.d_model=104" \
  "S4: model.steps=1 model.d_model=166" "S8: model.steps=1 model.d_model=254"
# 1b. The iterative weights at budgets below T: the trained schedule spread over N = 1 ... 7
#     steps (refine-eval schedule_steps=N), so that step N removes all the noise left, as
#     step T does; N = 1 is the step network applied once. Same clips as above.
respace runs/main/checkpoint.pt $OUT/respaced runs/anytime/respaced
# 1c. The same weights respaced to one step and run on past it as the fixed-point iteration
#     (the step decay), with the tolerance runs: every budget's best use of these weights.
iterate runs/main/checkpoint.pt $OUT/iterated runs/anytime/iterated
# 2. Equal optimiser steps: the one-shot networks for the default run's 1200 steps, so that
#    a gap that is one of training speed shows apart from one of capacity.
for name in S1:64 S2:104 S4:166 S8:254; do
  run=runs/anytime_steps/${name%%:*}
  record $OUT/equal_steps/${name%%:*} $run $run/eval model.steps=1 model.d_model=${name#*:} \
    -- max_steps=8
done
"$BIN/refine-plot" $OUT/T8 $OUT/equal_steps/S{1,2,4,8} --labels T8 S1 S2 S4 S8 \
  -o $OUT/equal_steps
"$BIN/python" $OUT/front.py $OUT > /dev/null  # the front without the warm start, if stopped here
# 3. Warm start, at equal training time: the one-shot network trained for half the budget
#    (S1's steps / 2), then unrolled as T = 8 from its weights for the other half (600 steps),
#    so its first step starts as the one-shot predictor and the later ones learn to refine.
half=$(( $(awk -F, '$1 == "S1" {print $NF}' $OUT/budget.csv) / 2 ))
run=runs/anytime_warm/T8_warm
kept $run/eval $OUT/warm/T8_warm || [ -f runs/anytime_warm/S1_half/checkpoint.pt ] ||
  "$BIN/refine-train" model.steps=1 train.steps=$half hydra.run.dir=runs/anytime_warm/S1_half
record $OUT/warm/T8_warm $run $run/eval train.steps=600 \
  train.init_from=runs/anytime_warm/S1_half/checkpoint.pt -- max_steps=64
"$BIN/refine-plot" $OUT/T8 $OUT/S1 $OUT/warm/T8_warm --labels T8 S1 "T8 from S1" -o $OUT/warm
"$BIN/python" $OUT/front.py $OUT
# 4. The field's architectures (Demucs, aTENNuate) against the shipped recipe on the
#    shipped model's corpus at equal time, on the real recordings: field.sh.
bash $OUT/field.sh
