#!/usr/bin/env bash
# Experiment 7, part 1 at four times the budget: the iterative T = 8 model and the one-shot
# family trained for 4 × the default run's wall-clock (4 × 654 s), so that a gap which is
# one of training speed can close. The step counts are the 1× calibration's times 4 (the
# same machine, the same seconds per step: budget_4x/budget.csv), so no run is re-timed.
# The records have part 1's layout (T8/, respaced/N<n>/, iterated/, S<k>/), so front.py reads
# them; real.sh scores the same models on the real recordings (real/):
#   bash experiments/anytime/budget_4x.sh    # about 4 h on 2 cores (6 h on a 2.0 GHz Xeon)
# Each run is kept once evaluated; a stopped script resumes at the first unfinished run.
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=experiments/anytime/budget_4x
mkdir -p $OUT
[ -f $OUT/budget.csv ] ||
  awk -F, -v OFS=, 'NR == 1 {print; next} {$4 = 4 * $4; $5 = 4 * $5; print}' \
    experiments/anytime/budget.csv > $OUT/budget.csv
equal() {  # T8 names its steps so that it trains here rather than reusing the main job's run
  REFERENCE=T8 EVAL_OVERRIDES="max_steps=64" PLOT_OUT=$OUT/equal_time \
    bash experiments/equal_budget.sh $OUT "T8: model.steps=8" "$@"
}
# shellcheck source=experiments/anytime/evals.sh
source experiments/anytime/evals.sh  # respace, iterate: as run.sh's parts 1b and 1c
equal  # the iterative model first, then its budgets below T and its iteration after one step
respace runs/budget_4x/T8/checkpoint.pt $OUT/respaced runs/budget_4x/respaced
iterate runs/budget_4x/T8/checkpoint.pt $OUT/iterated runs/budget_4x/iterated
# The one-shot networks wider than d 64 train at the learning rate 3e-3 * 64/d (muP's rule
# for Adam: the hidden layers' step shrinks as the width grows), on seed 0 as at 1x. At the
# recipe's 3e-3 three of the four 4x runs wider than d 64 collapsed (budget_4x/failed/):
# S2 on seed 0 at step 2000-2400 of 15972, the learning rate still 0.96 of its peak
# (validation +9.5 -> +4.6 dB over the input, then +2.9 by step 5600, where its 1x run, its
# cosine at 0.44 of the peak there, went on to +10.3); S4 on seed 0 before its first
# validation (+5.0 at step 400, where its 1x run had +8.1) and on seed 1 at step 3600-4000
# (+9.9 -> +5.4). In each the mask froze into a fixed on/off filter (the map past T the
# identity, spectral radius 1.000; failed/saturation.md). S2 held on seed 1 at 3e-3:
# kept as S2_seed1_lr3e-3/, beside the front.
# The missing compute points first, then S2 again at its scaled rate.
equal "S1: model.steps=1" "S4: model.steps=1 model.d_model=166 train.lr=1.16e-3" \
  "S8: model.steps=1 model.d_model=254 train.lr=7.6e-4" \
  "S2: model.steps=1 model.d_model=104 train.lr=1.85e-3"
"$BIN/python" experiments/anytime/front.py $OUT
# What the 4x budget buys each model, and whether the gap to the one-shot networks closes.
"$BIN/python" experiments/anytime/budgets.py experiments/anytime $OUT > $OUT/budgets.md
# The T = 8 run again, at half the rate. Trained a second time on the same recipe and seed
# (on later code, another day), it froze its mask by step 400 and stayed at 10.91 dB
# (failed/T8_rerun.md), where the first run reached 14.55: at 4x the cosine holds the rate
# near its peak four times as long, and 3e-3 sits on the edge of the freeze, as it does at 1x
# for other targets and teacher forcing (experiments/schedules, experiments/training_modes).
# At 1.5e-3 teacher forcing held there. This run is the T = 8 model that real.sh scores
# below; the synthetic front keeps the first.
if ! grep -q '^T8_half_lr,' $OUT/budget.csv; then  # T8's steps: the same budget
  row=$(awk -F, -v OFS=, '$1 == "T8" {$1 = "T8_half_lr"; $2 = "model.steps=8 train.lr=1.5e-3"; print}' \
    $OUT/budget.csv)
  echo "$row" >> $OUT/budget.csv
fi
REFERENCE=T8 EVAL_OVERRIDES="max_steps=64" PLOT_OUT=$OUT/half_lr \
  bash experiments/equal_budget.sh $OUT "T8: model.steps=8" \
  "T8_half_lr: model.steps=8 train.lr=1.5e-3"
# The real recordings need the runs' checkpoints: each model is scored while its run folder is
# here and its records are kept after, so on a fresh clone only the models trained since are
# scored. A model with neither is named and left out (retrain it: delete $OUT/<name>/; the
# T = 8 model here is T8_half_lr).
bash experiments/anytime/real.sh runs/budget_4x/T8_half_lr/checkpoint.pt runs/budget_4x \
  $OUT/real
if [ -f $OUT/real/T8/ceiling.csv ]; then
  "$BIN/python" experiments/anytime/budgets.py experiments/anytime/real $OUT/real \
    > $OUT/real/budgets.md
fi
# The wall-clock each run really trained for, against the budget its steps were calibrated to
# (from the logs the records keep; the rows of runs trained before they kept one stay).
"$BIN/python" experiments/anytime/walls.py $OUT/budget.csv $OUT runs/budget_4x \
  --previous $OUT/walls.md > $OUT/walls.md.new
mv $OUT/walls.md.new $OUT/walls.md
