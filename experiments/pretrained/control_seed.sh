#!/usr/bin/env bash
# Is perturb.sh's control, which lost 0.26 dB held out against the model it started from, the
# recipe's loss or its draw's? The same 3000 steps from the same start with another draw order
# (train.seed=16): if it loses again, more steps of this recipe overfit its noise kinds and
# the shipped weights should be an average or an earlier point; if it gains or stays level,
# the held-out test's mean moves by that much between runs of one recipe, and single-run
# differences of that size are not evidence. About 25 minutes on 2 cores, after perturb.sh:
#   bash experiments/pretrained/control_seed.sh
# Writes perturb/control_seed16/<test>/ (eval_real.sh records),
# perturb/control_seed16/<test>_shipped.{md,png} (against the model both started from) and
# perturb/control_seed16/<test>_control.{md,png} (against the control, seed 15).
set -euo pipefail
BIN=${BIN:-.venv/bin}
P=experiments/pretrained
OUT=$P/perturb/control_seed16
RUN=runs/perturb/control_seed16
START=runs/eleventh_more/refine_eleventh_more.pt
source $P/plateau_recipe.sh  # PLATEAU_RECIPE (the ninth restart's recipe), ELEVENTH_KINDS
source $P/ship_rule.sh  # SHIP_RULE_TESTS, evaluate_and_pair, export_once
bash $P/train.sh $RUN 3000 train.init_from=$START model.bidirectional=true \
  "${PLATEAU_RECIPE[@]}" train.seed=16 "data.noise_kinds=$ELEVENTH_KINDS"
model=$RUN/refine_control_seed16.pt  # the inference part
export_once $RUN/checkpoint.pt $model
evaluate_and_pair $P/eleventh_more "eleventh + 3000 (the start)" $model $OUT "control, seed 16" \
  shipped
for test in "${SHIP_RULE_TESTS[@]}"; do
  name=${test%%:*}
  $BIN/python $P/paired.py $P/perturb/control/$name $OUT/$name --steps 4 \
    --plot "$OUT/${name}_control.png" --names "control, seed 15" "control, seed 16" \
    > "$OUT/${name}_control.md"
done
