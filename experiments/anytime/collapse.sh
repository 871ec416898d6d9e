#!/usr/bin/env bash
# Does a LayerNorm on the backbone's output (model.output_norm) stop the wide one-shot
# networks' collapse (budget_4x/failed/: the backbone's output grows to 1e4, 99.6 % of the
# mask's sigmoids go flat and the mask freezes), and what does it cost the recipe?
#   bash experiments/anytime/collapse.sh    # about 40 min on 2 cores
# 1. The reproducer: budget_4x's S4 (d 166, one step) on seed 0 at the recipe's lr 3e-3, on
#    its 13512-step schedule, without and with the norm. Without it the run collapsed before
#    its first validation (failed/S4_seed0.md); train.stop_at ends both early, the learning
#    rate still at its peak, where the collapse happens.
# 2. The cost: the default recipe (the main job, T = 8, d 64) with the norm, against the
#    1x T8 records (the same recipe without it, the same 48 test clips), paired per clip.
# Writes collapse/{S4_history.md, saturation.md, T8_norm/, overlay_summary.md, ...}.
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=experiments/anytime/collapse
RUNS=runs/collapse
mkdir -p $OUT
wide=(model.steps=1 model.d_model=166 train.lr=3e-3 train.steps=13512)
# Without the norm to its collapse at the first validation, with it past the second.
"$BIN/refine-train" "${wide[@]}" train.stop_at=400 hydra.run.dir=$RUNS/S4
"$BIN/refine-train" "${wide[@]}" train.stop_at=800 model.output_norm=true \
  hydra.run.dir=$RUNS/S4_norm
"$BIN/python" experiments/anytime/history_table.py $RUNS/S4_norm $RUNS/S4 > $OUT/S4_history.md
# The recipe with the norm, evaluated as part 1 evaluates its T8 (to 8T).
[ -f $RUNS/T8_norm/eval/summary.json ] || {
  "$BIN/refine-train" model.output_norm=true hydra.run.dir=$RUNS/T8_norm
  "$BIN/refine-eval" checkpoint=$RUNS/T8_norm/checkpoint.pt max_steps=64 \
    hydra.run.dir=$RUNS/T8_norm/eval
}
mkdir -p $OUT/T8_norm
cp $RUNS/T8_norm/eval/{per_step.json,summary.json,per_clip.csv} $OUT/T8_norm/
"$BIN/python" experiments/anytime/history_table.py $RUNS/T8_norm > $OUT/T8_norm_history.md
"$BIN/python" experiments/anytime/saturation.py $RUNS/S4/checkpoint.pt \
  $RUNS/S4_norm/checkpoint.pt $RUNS/T8_norm/checkpoint.pt > $OUT/saturation.md
"$BIN/refine-plot" experiments/anytime/T8 $OUT/T8_norm --labels "T8 (1x)" "T8, output norm" \
  -o $OUT
