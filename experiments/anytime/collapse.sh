#!/usr/bin/env bash
# Does a LayerNorm on the backbone's output (model.output_norm) stop the wide one-shot
# networks' collapse (budget_4x/failed/: the backbone's output grows to 1e4, 99.6 % of the
# mask's sigmoids go flat and the mask freezes), and what does it cost the recipe?
#   bash experiments/anytime/collapse.sh    # about 1 h on 2 cores
# 1. The reproducer: budget_4x's S4 (d 166, one step) on seed 0 at the recipe's lr 3e-3, on
#    its 13512-step schedule, without and with the norm. Without it the run collapsed before
#    its first validation (failed/S4_seed0.md); train.stop_at ends both early, the learning
#    rate still at its peak, where the collapse happens.
# 2. The cost: the default recipe (the main job, T = 8, d 64) with and without the norm, on
#    the same 48 test clips, paired per clip, beside part 1's 1x T8 records.
# Writes collapse/{S4_history.md, saturation.md, T8_norm/, overlay_summary.md, ...}.
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=experiments/anytime/collapse
RUNS=runs/collapse
# shellcheck source=experiments/records.sh
source experiments/records.sh  # evaluate, keep
mkdir -p $OUT
wide=(model.steps=1 model.d_model=166 train.lr=3e-3 train.steps=13512)
# Without the norm to its collapse at the first validation, with it past the second.
"$BIN/refine-train" "${wide[@]}" train.stop_at=400 hydra.run.dir=$RUNS/S4
"$BIN/refine-train" "${wide[@]}" train.stop_at=800 model.output_norm=true \
  hydra.run.dir=$RUNS/S4_norm
"$BIN/python" experiments/anytime/history_table.py $RUNS/S4_norm $RUNS/S4 > $OUT/S4_history.md
# The recipe with the norm, and without it trained again here (so that the pair differs in
# the norm only, not in the machine), evaluated as part 1 evaluates its T8 (to 8T).
for name in T8 T8_norm; do
  norm=$([ $name = T8_norm ] && echo true || echo false)
  evaluate $RUNS/$name $RUNS/$name/eval model.output_norm=$norm -- max_steps=64
  keep $RUNS/$name/eval $OUT/$name
  "$BIN/python" experiments/anytime/history_table.py $RUNS/$name > $OUT/${name}_history.md
done
"$BIN/python" experiments/anytime/saturation.py $RUNS/S4/checkpoint.pt \
  $RUNS/S4_norm/checkpoint.pt $RUNS/T8_norm/checkpoint.pt $RUNS/T8/checkpoint.pt \
  > $OUT/saturation.md
"$BIN/refine-plot" $OUT/T8 $OUT/T8_norm experiments/anytime/T8 \
  --labels "T8, here" "T8, output norm" "T8 (1x, the AMD machine)" -o $OUT
